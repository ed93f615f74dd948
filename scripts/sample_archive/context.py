"""What every article template of the sample generator works with: the cast and places
(data/sample-archive/pools/), the sentence templates (data/sample-archive/templates/), the
text helpers, the typography by era and `Ctx`, the article being written."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter, defaultdict
from pathlib import Path

from benchmarks.pools import fill, load_file
from kommunalmonitor.core.german import MONTHS, WEEKDAYS

ROOT = Path(__file__).resolve().parents[2]


FIELDS = ["sprache", "bildung", "arbeit", "wohnen", "gesundheit", "engagement", "dialog", "senioren"]
# pools/plan.toml is the plan of scripts/generate_sample_articles.py, not a pool
POOLS = {name: pool for path in sorted((ROOT / "data" / "sample-archive" / "pools").glob("*.toml"))
         if path.name != "plan.toml"
         for name, pool in load_file(path).items()}
# the sentences of each article template (t_sprachkurs → sprachkurs.toml) and of the extension pools
TEMPLATES = {path.stem: load_file(path)
             for path in sorted((ROOT / "data" / "sample-archive" / "templates").glob("*.toml"))}


def D(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


# ---------------------------------------------------------------------------
# Invented office holders.  (start, end, role before name, name, apposition, female)
# ---------------------------------------------------------------------------
OFFICES = POOLS["offices"]

# district name -> invented statistical code (1..60) and Stadtbezirk
DISTRICTS = POOLS["districts"]
DISTRICT_BY_NAME = {d[0]: d for d in DISTRICTS}

STREETS = POOLS["streets"]

F_FIRST = POOLS["f_first"]
M_FIRST = POOLS["m_first"]
SURNAMES = POOLS["surnames"]


def latin1_ok(s: str) -> bool:
    try:
        s.encode("iso-8859-1")
        return True
    except UnicodeEncodeError:
        return False


NUMBER_WORDS = POOLS["number_words"]


def wz(n: int) -> str:
    """2 -> 'zwei' (press style for small numbers), 25 -> '25'"""
    return NUMBER_WORDS[n] if 2 <= n <= 12 else num(n)


def cap(s: str) -> str:
    """first letter upper case, rest untouched (str.capitalize lowercases the rest)"""
    return s[:1].upper() + s[1:]


def num(n: int) -> str:
    """1250 -> '1.250'"""
    return f"{int(n):,}".replace(",", ".")


def dec(x: float, nd: int = 1) -> str:
    """3.5 -> '3,5'"""
    return f"{x:.{nd}f}".replace(".", ",")


def words_of(block: dict) -> int:
    if block["type"] in ("p", "quote"):
        return len(block["text"].split())
    if block["type"] == "list":
        return sum(len(i.split()) for i in block["items"])
    return sum(len(cell.split()) for row in block["rows"] for cell in row)


def P(text: str) -> dict:
    return {"type": "p", "text": text}


def Q(text: str) -> dict:
    return {"type": "quote", "text": text}


def L(items: list) -> dict:
    return {"type": "list", "items": list(items)}


def T(rows: list) -> dict:
    return {"type": "table", "rows": [[str(c) for c in r] for r in rows]}


# ---------------------------------------------------------------------------
# Typography and orthography by publication date
# ---------------------------------------------------------------------------
_OLD_SS = re.compile(
    r"(\bdass\b|muss|schluss|schuss|fluss|zess|gress|lass|läss|häss|pass|wuss|riss|loss|miss|wiss)(?![aeiouäöüy])")


def _old_ss(m: re.Match) -> str:
    return m.group(1)[:-2] + "ß"


def typo(text: str, date: dt.date) -> str:
    """Texts are written with German typography; older pages get simpler forms.

    before 2006: ASCII quotes and hyphens, pre-reform ß spelling (Ausschuß, daß)
    2006-2007:   guillemets »...« (still ISO-8859-1), hyphens
    from 2008:   „...“ and – as written
    """
    if date.year >= 2008:
        return text
    if date.year >= 2006:
        text = text.replace("„", "»").replace("“", "«")
    else:
        text = text.replace("„", '"').replace("“", '"')
        text = _OLD_SS.sub(_old_ss, text)
    return (text.replace("‚", "'").replace("‘", "'").replace("–", "-").replace("…", "...")
            .replace("’", "'"))


# ---------------------------------------------------------------------------
# Article context: date helpers, office holders, balanced variant choice
# ---------------------------------------------------------------------------
class Gen:
    def __init__(self):
        self.usage = defaultdict(Counter)


class Ctx:
    def __init__(self, gen: Gen, date: dt.date, rng: random.Random, key: str, variant: int = 0):
        self.gen = gen
        self.d = date
        self.y = date.year
        self.r = rng
        self.key = key
        self.variant = variant
        self.stadtteil = None
        self.dname = None
        self.variant_name = None
        self._n = 0

    # -- sentence templates ----------------------------------------------------
    def say(self, key: str, /, **slots):
        """The template(s) at `key` ("sprachkurs.title") filled with `slots` and the helpers below."""
        template = TEMPLATES
        for part in key.split("."):
            template = template[part]
        return fill(template, slots, self._helper)

    def blocks(self, section: str, /, *keys: str, **slots) -> list[dict]:
        """A block per template key of `section`, in order: a quote for quote…, else a paragraph; from a
        list of variants one is picked once all are filled (the order the draws always came in)."""
        out = []
        for key in keys:
            text = self.say(f"{section}.{key}", **slots)
            if isinstance(text, list):
                text = self.pick(text)
            out.append(Q(text) if key.startswith("quote") else P(text))
        return out

    def _helper(self, name: str):
        return getattr(self, name) if name in TEMPLATE_HELPERS else MODULE_HELPERS[name]

    # -- variant choice: least used option for this template slot -----------
    def pick(self, options):
        self._n += 1
        cnt = self.gen.usage[(self.key, self._n, len(options))]
        low = min(cnt[i] for i in range(len(options)))
        cands = [i for i in range(len(options)) if cnt[i] == low]
        i = self.r.choice(cands)
        cnt[i] += 1
        return options[i]

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    # -- office holders -------------------------------------------------------
    def _office(self, k, when=None):
        when = when or self.d
        for start, end, pre, name, app, fem in OFFICES[k]:
            if D(start) <= when <= D(end):
                return pre, name, app, fem
        raise KeyError(k)

    def who(self, k):
        pre, name, _, _ = self._office(k)
        return f"{pre} {name}"

    def Who(self, k):
        s = self.who(k)
        return s[0].upper() + s[1:]

    def wa(self, k):
        _, name, app, _ = self._office(k)
        return f"{name}, {app}"

    def nm(self, k):
        return self._office(k)[1]

    def sur(self, k):
        return self._office(k)[1].split()[-1]

    def fem(self, k):
        return self._office(k)[3]

    def der(self, k):
        return "die" if self.fem(k) else "der"

    def er(self, k):
        return "sie" if self.fem(k) else "er"

    def sein(self, k):
        return "ihr" if self.fem(k) else "sein"

    # -- private persons --------------------------------------------------------
    def person(self, female=None, initial=False):
        if female is None:
            female = self.chance(0.5)
        firsts = F_FIRST if female else M_FIRST
        pool_f = [f for f in firsts if self.y >= 2008 or latin1_ok(f)]
        pool_s = [s for s in SURNAMES if self.y >= 2008 or latin1_ok(s)]
        first = self.r.choice(pool_f)
        last = self.r.choice(pool_s)
        return (f"{first} {last[0]}." if initial else f"{first} {last}"), female

    # -- places ---------------------------------------------------------------
    def district(self, name=None, bezirk=None, code=True):
        if name:
            d = DISTRICT_BY_NAME[name]
        else:
            pool = [x for x in DISTRICTS if bezirk is None or x[2] == bezirk]
            d = self.r.choice(pool)
        if code:
            self.stadtteil = d[1]
        self.dname = d[0]
        return d[0]

    def street(self, exclude=()):
        return self.r.choice([s for s in STREETS if s not in exclude])

    def streets(self, n):
        return self.r.sample(STREETS, n)

    @staticmethod
    def abbr(street):
        return street.replace("straße", "str.").replace("Straße", "Str.")

    def addr(self, street=None, nr=None):
        street = street or self.street()
        if nr is None:
            nr = str(self.r.randint(1, 180))
            if self.chance(0.12):
                nr += self.r.choice("abc")
        s = self.abbr(street) if self.chance(0.45) else street
        return f"{s} {nr}"

    # -- dates ----------------------------------------------------------------
    def future(self, a, b):
        d = self.d + dt.timedelta(days=self.r.randint(a, b))
        return d

    def past(self, a, b):
        return self.d - dt.timedelta(days=self.r.randint(a, b))

    def next_wd(self, weekday, a=3, b=30):
        d = self.future(a, b)
        while d.weekday() != weekday:
            d += dt.timedelta(days=1)
        return d

    def fd(self, d, style=None):
        if style is None:
            style = self.r.choices(
                ["long", "dm", "wd_dm", "num", "wd_long", "num1", "short", "wd_num"],
                [30, 24, 12, 10, 8, 6, 4, 6])[0]
        wd = WEEKDAYS[d.weekday()]
        m = MONTHS[d.month - 1]
        return {
            "long": f"{d.day}. {m} {d.year}",
            "dm": f"{d.day}. {m}",
            "wd_dm": f"{wd}, {d.day}. {m}",
            "num": f"{d.day:02d}.{d.month:02d}.{d.year}",
            "wd_long": f"{wd}, {d.day}. {m} {d.year}",
            "num1": f"{d.day}.{d.month}.{d.year}",
            "short": f"{d.day:02d}.{d.month:02d}.{d.year % 100:02d}",
            "wd_num": f"{wd}, {d.day}.{d.month:02d}.{d.year}",
        }[style]

    def am(self, d, style=None):
        return "am " + self.fd(d, style)

    def my(self, d):
        return f"{MONTHS[d.month - 1]} {d.year}"

    def fuzzy(self, d, year=True):
        part = "Anfang" if d.day <= 10 else ("Mitte" if d.day <= 20 else "Ende")
        return f"{part} {MONTHS[d.month - 1]}" + (f" {d.year}" if year else "")

    def rng_(self, d1, d2, year=True):
        y = f" {d2.year}" if year else ""
        if d1.month == d2.month:
            return f"vom {d1.day}. bis {d2.day}. {MONTHS[d2.month - 1]}{y}"
        return f"vom {d1.day}. {MONTHS[d1.month - 1]} bis {d2.day}. {MONTHS[d2.month - 1]}{y}"

    def time(self, kind="any"):
        pools = {
            "morning": ["8 Uhr", "8.30 Uhr", "9 Uhr", "9.30 Uhr", "10 Uhr", "10.30 Uhr", "11 Uhr"],
            "day": ["10 Uhr", "11 Uhr", "14 Uhr", "14.30 Uhr", "15 Uhr", "16 Uhr", "16.30 Uhr"],
            "evening": ["17 Uhr", "17.30 Uhr", "18 Uhr", "18.30 Uhr", "19 Uhr", "19.30 Uhr", "20 Uhr"],
        }
        pool = pools.get(kind) or sum(pools.values(), [])
        return self.r.choice(pool)

    # -- numbers --------------------------------------------------------------
    def cur(self):
        return "Mark" if self.y < 2002 else "Euro"

    def money(self, eur, style=None):
        """Amount given in Euro; before 2002 converted to (rounded) DM."""
        unit = "Euro"
        amount = float(eur)
        if self.y < 2002:
            amount *= 1.95583
            unit = self.r.choice(["Mark", "DM"])
        if amount >= 1_000_000_000:
            return f"{dec(amount / 1_000_000_000, 2).rstrip('0').rstrip(',')} Milliarden {unit}"
        if amount >= 1_000_000:
            mio = amount / 1_000_000
            s = dec(mio, 1 if mio < 100 else 0)
            if s.endswith(",0"):
                s = s[:-2]
            word = "Millionen" if (style != "short" and not self.chance(0.2)) else "Mio."
            if s == "1":
                word = "Million" if word == "Millionen" else word
                s = "eine" if word == "Million" else s
            return f"{s} {word} {unit}"
        if amount >= 10_000:
            return f"{num(round(amount, -3))} {unit}"
        if amount >= 1000:
            return f"{num(round(amount, -1))} {unit}"
        return f"{int(round(amount))} {unit}"

    def tel(self, ext=None, prefix="0214 406-"):
        ext = ext or str(self.r.randint(1000, 8999))
        return self.pick([f"Telefon {prefix}{ext}", f"Tel. {prefix}{ext}", f"unter der Rufnummer {prefix}{ext}",
                          f"telefonisch unter {prefix}{ext}"])

    # -- era vocabulary -------------------------------------------------------
    @property
    def mr(self):
        return "Ausländerbeirat" if self.d < D("2004-12-01") else "Integrationsrat"

    def ki(self, case="nom"):
        return TEMPLATES["vocabulary"]["ki"]["raa" if self.y < 2013 else "kommunal"][case]

    def job(self, case="nom"):
        if self.y < 2005:
            f = {"nom": "das Arbeitsamt", "dat": "dem Arbeitsamt", "gen": "des Arbeitsamtes", "bare": "Arbeitsamt"}
        elif self.y < 2011:
            f = {"nom": "die ARGE", "dat": "der ARGE", "gen": "der ARGE", "bare": "ARGE"}
        else:
            f = {"nom": "das Jobcenter", "dat": "dem Jobcenter", "gen": "des Jobcenters", "bare": "Jobcenter"}
        return f[case]

    def refugees(self):
        """plural noun for refugees typical for the period"""
        if self.y < 2010:
            return self.pick(["Asylbewerber", "Flüchtlinge", "Asylbewerber und Flüchtlinge"])
        if self.y < 2017:
            return self.pick(["Flüchtlinge", "Asylsuchende", "Flüchtlinge"])
        return self.pick(["Geflüchtete", "geflüchtete Menschen", "Flüchtlinge"])

    def origin(self):
        if self.y < 2004:
            return self.r.choice(["aus dem Kosovo", "aus Kasachstan", "aus der Türkei", "aus dem Iran",
                                  "aus Bosnien"])
        if self.y < 2014:
            return self.r.choice(["aus dem Irak", "aus der Türkei", "aus Serbien", "aus Polen", "aus Marokko",
                                  "aus dem Iran"])
        if self.y < 2022:
            return self.r.choice(["aus Syrien", "aus Afghanistan", "aus Eritrea", "aus dem Irak", "aus Guinea",
                                  "aus Syrien"])
        return self.r.choice(["aus der Ukraine", "aus Syrien", "aus Afghanistan", "aus der Ukraine"])

    def unterkunft_word(self):
        if self.y < 2010:
            return self.pick(["Übergangsheim", "Übergangswohnheim", "Wohnheim für Asylbewerber"])
        return self.pick(["Flüchtlingsunterkunft", "Gemeinschaftsunterkunft", "Unterkunft"])

    def city_sender(self) -> str:
        """Before 2007 a third of the city's culture and business releases came from the Internet Initiative."""
        if self.y < 2007:
            return self.pick(["Stadtverwaltung", "Stadtverwaltung", "Internet Initiative"])
        return "Stadtverwaltung"

    def dz(self):
        return TEMPLATES["vocabulary"]["dz"]


# what a template field may call: {who:ob} → c.who("ob"), {wz:n} → wz(n), {mr} → c.mr
TEMPLATE_HELPERS = {"who", "Who", "wa", "nm", "sur", "der", "er", "sein", "ki", "job", "tel", "refugees", "origin",
                    "unterkunft_word", "dz", "fd", "am", "my", "fuzzy", "time", "money", "cur", "y", "mr"}
MODULE_HELPERS = {"wz": wz, "num": num, "cap": cap, "dec": dec}


def art(title, blocks, *, category, topic, sender="Stadtverwaltung", fields=(), report=False, pools=None):
    return {"title": title, "blocks": blocks, "category": category, "topic": topic, "sender": sender,
            "fields": [f for f in FIELDS if f in set(fields)], "report": report, "pools": pools}
