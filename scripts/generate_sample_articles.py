#!/usr/bin/env python3
"""Generate the Kommunalmonitor sample press archive.

Writes data/sample-archive/articles.jsonl: 230 invented German municipal
press releases modelled on the structure of a city press archive.  Every
text, person and organisation name is written for this project; nothing is
copied from real articles.  Fixed seed, deterministic
output. The cast, places and stock sentences are data in data/sample-archive/pools/*.toml,
read through benchmarks/pools.py (the loader every corpus generator shares):

    python scripts/generate_sample_articles.py [--out PATH]

A validation step at the end raises ValueError on any schema or content
violation (unique ids, date range, field coverage, ISO-8859-1 for texts
published before 2008, forbidden page-furniture prefixes, word counts ...).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from kommunalmonitor.core.german import MONTHS, WEEKDAYS

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # benchmarks/ is no package of the install: found from the checkout
from benchmarks.pools import fill, load_file  # noqa: E402

SEED = 20230331
DEFAULT_OUT = ROOT / "data" / "sample-archive" / "articles.jsonl"
START = dt.date(2000, 1, 1)
END = dt.date(2023, 3, 31)
N_ARTICLES = 230

FIELDS = ["sprache", "bildung", "arbeit", "wohnen", "gesundheit", "engagement", "dialog", "senioren"]
TOPICS = ["rat", "verkehr", "kultur_sport", "soziales", "bildung", "wirtschaft", "sicherheit", "umwelt", "verwaltung"]
CATEGORIES = ["Politik", "Soziales", "Verkehr", "Kultur", "Sport", "Polizei", "Wirtschaft", "Umwelt", "Bildung", "Verwaltung"]
KEYS = ["id", "published", "sender", "title", "category", "blocks", "topic", "integration", "action_fields", "stadtteil"]
FORBIDDEN_PREFIXES = (
    "Veröffentlicht:", "Archivmeldung aus dem Jahr", "Anschriften aus dem Artikel:", "Kategorie:",
    "Dieser Artikel wurde als Nachricht einsortiert in:", "Bisherige Besucher", "Meldungen Blättern",
    "Weitere Nachrichten der Quelle", "Weitere Meldungen",
)
POOLS = {name: pool for path in sorted((ROOT / "data" / "sample-archive" / "pools").glob("*.toml"))
         for name, pool in load_file(path).items()}
# the sentences of each article template (t_sprachkurs → sprachkurs.toml) and of the extension pools
TEMPLATES = {path.stem: load_file(path) for path in sorted((ROOT / "data" / "sample-archive" / "templates").glob("*.toml"))}


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
_OLD_SS = re.compile(r"(\bdass\b|muss|schluss|schuss|fluss|zess|gress|lass|läss|häss|pass|wuss|riss|loss|miss|wiss)(?![aeiouäöüy])")


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
        if self.y < 2013:
            forms = {"nom": "die RAA", "gen": "der RAA", "dat": "der RAA", "von": "von der RAA",
                     "bei": "bei der RAA", "acc": "die RAA", "long": "die Regionale Arbeitsstelle zur Förderung "
                     "von Kindern und Jugendlichen aus Zuwandererfamilien (RAA)", "bare": "RAA"}
        else:
            forms = {"nom": "das Kommunale Integrationszentrum", "gen": "des Kommunalen Integrationszentrums",
                     "dat": "dem Kommunalen Integrationszentrum", "von": "vom Kommunalen Integrationszentrum",
                     "bei": "beim Kommunalen Integrationszentrum", "acc": "das Kommunale Integrationszentrum",
                     "long": "das Kommunale Integrationszentrum (KI)", "bare": "KI"}
        return forms[case]

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

    def dz(self):
        return "Dezernat für Bürger, Umwelt und Soziales"


# what a template field may call: {who:ob} → c.who("ob"), {wz:n} → wz(n), {mr} → c.mr
TEMPLATE_HELPERS = {"who", "Who", "wa", "nm", "sur", "der", "er", "sein", "ki", "job", "tel", "refugees", "origin",
                    "unterkunft_word", "dz", "fd", "am", "my", "fuzzy", "time", "money", "cur", "y", "mr"}
MODULE_HELPERS = {"wz": wz, "num": num, "cap": cap, "dec": dec}


def art(title, blocks, *, category, topic, sender="Stadtverwaltung", fields=(), report=False, pools=None):
    return {"title": title, "blocks": blocks, "category": category, "topic": topic, "sender": sender,
            "fields": [f for f in FIELDS if f in set(fields)], "report": report, "pools": pools}


# ===========================================================================
# Integration articles
# ===========================================================================
def t_sprachkurs(c: Ctx):
    start = c.future(12, 45)
    n = c.r.randint(3, 9)
    vhs_addr = c.say("sprachkurs.vhs_addr") if c.chance(0.5) else c.say("sprachkurs.vhs_addr_2")
    fields = ["sprache"]
    blocks = []
    if c.y < 2005:
        title = c.pick(c.say("sprachkurs.title"))
        blocks.append(P(c.pick(c.say("sprachkurs.para", start=start, n=n))))
        blocks.append(P(c.pick(c.say("sprachkurs.para_2", money_choice_40=lambda: c.money(c.r.choice([40, 50, 60])), vhs_addr=vhs_addr))))
        p, fem = c.person(initial=True)
        age = c.r.randint(24, 52)
        blocks.append(Q(c.pick(c.say("sprachkurs.quote", die_or_der=lambda: 'die' if fem else 'der', age=age, p=p))))
        blocks.append(P(c.say("sprachkurs.para_3")))
        return art(title, blocks, category="Bildung" if c.chance(0.5) else "Soziales", topic="bildung" if c.chance(0.5) else "soziales",
                   sender=c.pick(["VHS Leverkusen", "Stadtverwaltung", "Internet Initiative"]), fields=fields)

    kind = c.pick(["allgemein", "frauen", "alpha", "beruf", "jugend"])
    if kind == "beruf" and c.y < 2016:
        kind = "allgemein"
    title = {
        "allgemein": c.pick(c.say("sprachkurs.title_allgemein", months_month_1=lambda: MONTHS[start.month - 1])),
        "frauen": c.pick(c.say("sprachkurs.title_frauen")),
        "alpha": c.pick(c.say("sprachkurs.title_alpha")),
        "beruf": c.pick(c.say("sprachkurs.title_beruf")),
        "jugend": c.pick(c.say("sprachkurs.title_jugend")),
    }[kind]
    test = c.say("sprachkurs.test") if c.y >= 2009 else c.say("sprachkurs.test_2")
    eigen = "1,00" if c.y < 2013 else ("1,95" if c.y < 2021 else "2,20")
    orient = 30 if c.y < 2012 else (60 if c.y < 2016 else 100)
    blocks.append(P(c.pick(c.say("sprachkurs.para_4", start=start, n=n, vhs_addr=vhs_addr, wz_max_2=lambda: wz(max(2, n // 3))))))
    detail = {
        "allgemein": c.say("sprachkurs.detail_allgemein", orient=orient, test=test),
        "frauen": c.say("sprachkurs.detail_frauen"),
        "alpha": c.say("sprachkurs.detail_alpha"),
        "beruf": c.say("sprachkurs.detail_beruf"),
        "jugend": c.say("sprachkurs.detail_jugend"),
    }[kind]
    blocks.append(P(detail))
    if kind in ("beruf", "jugend"):
        fields.append("arbeit")
    if kind == "frauen":
        fields.append("bildung") if c.chance(0.3) else None
    blocks.append(P(c.pick(c.say("sprachkurs.para_5", eigen=eigen))))
    p, fem = c.person(initial=True)
    age = c.r.randint(22, 55)
    blocks.append(Q(c.pick(c.say("sprachkurs.quote_2", die_or_der=lambda: 'die' if fem else 'der', age=age, p=p))))
    if c.chance(0.4):
        d1, d2, d3 = sorted([c.future(10, 30), c.future(31, 60), c.future(61, 90)])
        blocks.append(L(c.say("sprachkurs.items", d1=d1, d2=d2, d3=d3)))
    blocks.append(P(c.pick(c.say("sprachkurs.para_6"))))
    return art(title, blocks, category=c.pick(["Bildung", "Soziales"]), topic=c.pick(["bildung", "soziales"]),
               sender=c.pick(["VHS Leverkusen", "Stadtverwaltung"]), fields=fields)


def t_sprachcafe(c: Ctx):
    place = c.pick(["stadtbibliothek", "stadtteil", "kirche"])
    wd = c.r.choice([1, 2, 3])
    first = c.next_wd(wd, 5, 25)
    t1 = c.time("day")
    if place == "stadtbibliothek":
        where = c.say("sprachcafe.where")
        sender = "Stadtbibliothek"
    elif place == "stadtteil":
        dn = c.district()
        where = c.say("sprachcafe.where_2", dn=dn, addr=lambda: c.addr())
        sender = "Stadtverwaltung"
    else:
        dn = c.district()
        where = c.say("sprachcafe.where_3", dn=dn)
        sender = "Evangelischer Kirchenkreis"
    title = c.pick(c.say("sprachcafe.title"))
    blocks = [P(c.pick(c.say("sprachcafe.para", first=first, where=where, weekdays_wd=lambda: WEEKDAYS[wd], t1=t1, lower_weekdays_wd=lambda: WEEKDAYS[wd].lower())))]
    blocks.append(P(c.pick(c.say("sprachcafe.para_2"))))
    p, fem = c.person()
    blocks.append(Q(c.pick(c.say("sprachcafe.quote", die_ehrenamtliche_or_der=lambda: 'die Ehrenamtliche' if fem else 'der Ehrenamtliche', p=p, die_or_der=lambda: 'die' if fem else 'der', eine_or_einer=lambda: 'eine' if fem else 'einer'))))
    blocks.append(P(c.pick(c.say("sprachcafe.para_3"))))
    return art(title, blocks, category="Soziales", topic="soziales", sender=sender, fields=["sprache", "engagement"])


def t_seiteneinsteiger(c: Ctx):
    n_kids = c.r.randint(8, 24) * 5 if not (2015 <= c.y <= 2016 or c.y == 2022) else c.r.randint(52, 108) * 5
    n_cl = max(2, n_kids // 18)
    blocks = []
    if c.y < 2010:
        title = c.pick(c.say("seiteneinsteiger.title"))
        blocks.append(P(c.pick(c.say("seiteneinsteiger.para", n_kids=n_kids, n_cl=n_cl))))
    else:
        title = c.pick(c.say("seiteneinsteiger.title_2"))
        blocks.append(P(c.pick(c.say("seiteneinsteiger.para_2", n_kids=n_kids, cap_ki_nom=lambda: cap(c.ki('nom')), n_cl=n_cl))))
    blocks.append(P(c.pick(c.say("seiteneinsteiger.para_3"))))
    blocks.append(Q(c.pick(c.say("seiteneinsteiger.quote"))))
    if c.chance(0.5):
        blocks.append(P(c.pick(c.say("seiteneinsteiger.para_4", am_future_7=lambda: c.am(c.future(7, 40)), wz_randint_2=lambda: wz(c.r.randint(2, 5))))))
    return art(title, blocks, category="Bildung", topic="bildung", fields=["bildung", "sprache"])


def t_kita_eltern(c: Ctx):
    kind = c.pick(["elterncafe", "stadtteilmuetter", "kita"])
    dn = c.district()
    fields = ["bildung", "sprache"]
    if kind == "elterncafe":
        title = c.pick(c.say("kita_eltern.title"))
        blocks = [P(c.pick(c.say("kita_eltern.para", dn=dn)))]
        blocks.append(P(c.say("kita_eltern.para_2")))
    elif kind == "stadtteilmuetter":
        title = c.pick(c.say("kita_eltern.title_2"))
        k = c.r.randint(9, 16)
        blocks = [P(c.pick(c.say("kita_eltern.para_3", k=k, dn=dn)))]
        blocks.append(P(c.say("kita_eltern.para_4")))
        fields.append("engagement")
    else:
        title = c.pick(c.say("kita_eltern.title_3"))
        k = c.r.randint(12, 38)
        blocks = [P(c.pick(c.say("kita_eltern.para_5", k=k, dn=dn)))]
        blocks.append(P(c.say("kita_eltern.para_6")))
    p, fem = c.person(female=True)
    blocks.append(Q(c.pick(c.say("kita_eltern.quote", p=p))))
    if c.chance(0.6):
        blocks.append(P(c.pick(c.say("kita_eltern.para_7", money_choice_18000=lambda: c.money(c.r.choice([18000, 25000, 32000, 45000]))))))
    return art(title, blocks, category=c.pick(["Bildung", "Soziales"]), topic=c.pick(["bildung", "soziales"]), fields=fields)


def t_anerkennung(c: Ctx):
    ev = c.next_wd(c.r.choice([1, 2, 3]), 7, 28)
    t1 = c.time("evening")
    fields = ["arbeit"]
    if c.y < 2012:
        title = c.pick(c.say("anerkennung.title"))
        blocks = [P(c.pick(c.say("anerkennung.para", cap_job_nom=lambda: cap(c.job('nom')), ev=ev, t1=t1)))]
        blocks.append(P(c.say("anerkennung.para_2")))
    else:
        title = c.pick(c.say("anerkennung.title_2"))
        blocks = [P(c.pick(c.say("anerkennung.para_3", ev=ev, t1=t1, cap_job_nom=lambda: cap(c.job('nom')), weekdays_weekday_ev=lambda: WEEKDAYS[ev.weekday()])))]
        blocks.append(P(c.pick(c.say("anerkennung.para_4", randint_140_480=lambda: c.r.randint(140, 480), randint_40_70=lambda: c.r.randint(40, 70)))))
    blocks.append(Q(c.pick(c.say("anerkennung.quote"))))
    if c.chance(0.5):
        blocks.append(P(c.say("anerkennung.para_5")))
    if c.chance(0.3):
        fields.append("sprache")
        blocks.append(P(c.say("anerkennung.para_6")))
    return art(title, blocks, category=c.pick(["Wirtschaft", "Soziales"]), topic=c.pick(["wirtschaft", "soziales"]),
               sender=c.pick(["Stadtverwaltung", "Stadtverwaltung", "Jobcenter Leverkusen"]) if c.y >= 2011 else "Stadtverwaltung",
               fields=fields)


def t_ausbildungspaten(c: Ctx):
    k = c.r.randint(14, 45)
    title = c.pick(c.say("ausbildungspaten.title"))
    who_ = "junge Geflüchtete" if c.y >= 2015 else "Jugendliche aus Zuwandererfamilien"
    blocks = [P(c.pick(c.say("ausbildungspaten.para", who_=who_, k=k)))]
    blocks.append(P(c.pick(c.say("ausbildungspaten.para_2"))))
    blocks.append(Q(c.pick(c.say("ausbildungspaten.quote"))))
    blocks.append(P(c.pick(c.say("ausbildungspaten.para_3", am_future_14=lambda: c.am(c.future(14, 50)), money_choice_15000=lambda: c.money(c.r.choice([15000, 20000, 30000]))))))
    return art(title, blocks, category=c.pick(["Wirtschaft", "Bildung"]), topic=c.pick(["wirtschaft", "bildung"]),
               sender=c.pick(["Kreishandwerkerschaft", "Kreishandwerkerschaft", "Stadtverwaltung"]),
               fields=["arbeit", "bildung", "engagement"])


# --- refugee housing ---------------------------------------------------------
# (address, district, places, first year, last year)
SHELTERS = POOLS["shelters"]
FB_YEARS = {  # publication date, occupancy ratio, persons in flats, countries
    2001: ("2001-05-14", 0.86, 210, ["der Bundesrepublik Jugoslawien", "der Türkei", "dem Iran", "dem Irak"]),
    2004: ("2004-06-08", 0.71, 260, ["Serbien und Montenegro", "der Türkei", "dem Irak", "Afghanistan"]),
    2009: ("2009-03-17", 0.55, 390, ["dem Irak", "Serbien", "dem Kosovo", "Afghanistan"]),
    2014: ("2014-11-04", 0.96, 520, ["Syrien", "Serbien", "Mazedonien", "Eritrea"]),
    2015: ("2015-09-22", 1.0, 610, ["Syrien", "Albanien", "dem Irak", "Afghanistan"]),
    2016: ("2016-06-14", 0.92, 1240, ["Syrien", "dem Irak", "Afghanistan", "Eritrea"]),
    2018: ("2018-05-29", 0.74, 1510, ["Syrien", "dem Irak", "Afghanistan", "Guinea"]),
    2021: ("2021-04-20", 0.69, 1380, ["Syrien", "Afghanistan", "dem Irak", "der Türkei"]),
}


def t_fluechtlingsbericht(c: Ctx):
    pub, ratio, flats, countries = FB_YEARS[c.y]
    stich = dt.date(c.y - 1, 12, 31) if c.d.month < 7 else dt.date(c.y, 6, 30)
    rows = []
    tot_p = tot_b = 0
    for adr, dn, cap, a, b in SHELTERS:
        if not (a <= stich.year <= b):
            continue
        occ = min(cap, int(round(cap * ratio * c.r.uniform(0.85, 1.12))))
        if c.y == 2015:
            occ = cap + c.r.randint(0, 12) if c.chance(0.5) else cap
        rows.append((adr, dn, cap, occ))
        tot_p += cap
        tot_b += occ
    header = c.pick([["Unterkunft", "Stadtteil", "Plätze", "belegt"], ["Standort", "Stadtteil", "Kapazität", "Bewohner"],
                     c.say("fluechtlingsbericht.header")])
    table = [header] + [[a, dn, num(p), num(o)] for a, dn, p, o in rows] + [["Gesamt", "", num(tot_p), num(tot_b)]]
    total = tot_b + flats
    stich_s = c.fd(stich, c.pick(["short", "num", "long"]))
    title = c.pick([c.say("fluechtlingsbericht.title", total=total),
                    f"Flüchtlingsbericht {c.y} vorgelegt", c.say("fluechtlingsbericht.title_2", y_1=lambda: c.y - 1)
                    if c.d.month < 7 else c.say("fluechtlingsbericht.title_3")])
    comm = c.say("fluechtlingsbericht.comm")
    blocks = [P(c.pick(c.say("fluechtlingsbericht.para", comm=comm, stich_s=stich_s, total=total, tot_b=tot_b, tot_p=tot_p, flats=flats)))]
    if c.y == 2015:
        blocks.append(P(c.say("fluechtlingsbericht.para_2", randint_60_110=lambda: c.r.randint(60, 110))))
    else:
        blocks.append(P(c.pick(c.say("fluechtlingsbericht.para_3", countries_0=lambda: countries[0], countries_1=lambda: countries[1], countries_2=lambda: countries[2], countries_3=lambda: countries[3], dec_uniform=lambda: dec(c.r.uniform(1.4, 3.8))))))
    blocks.append(T(table))
    ch = []
    if c.y == 2004:
        ch.append(c.say("fluechtlingsbericht.text"))
    if c.y == 2009:
        ch.append(c.say("fluechtlingsbericht.text_2"))
    if c.y >= 2016:
        ch.append(c.say("fluechtlingsbericht.text_3"))
    if c.y <= 2001:
        ch.append(c.say("fluechtlingsbericht.text_4", randint_60_140=lambda: c.r.randint(60, 140)))
    fields = ["wohnen"]
    if c.chance(0.55):
        fields.append("gesundheit")
        ch.append(c.say("fluechtlingsbericht.text_5") if c.y < 2016 else
                  c.say("fluechtlingsbericht.text_6"))
    if ch:
        blocks.append(P(" ".join(ch)))
    blocks.append(Q(c.pick(c.say("fluechtlingsbericht.quote"))))
    return art(title, blocks, category="Soziales", topic="soziales", fields=fields, report=True)


UNTERKUNFT_EVENTS = ["2005-03-15", "2011-07-12", "2015-08-25", "2016-02-16", "2017-09-05", "2019-10-08"]


def t_unterkunft(c: Ctx):
    v = c.variant
    fields = ["wohnen"]
    if v == 0:
        c.district("Wiesdorf")
        title = c.say("unterkunft.title")
        blocks = [
            P(c.say("unterkunft.para")),
            P(c.say("unterkunft.para_2", randint_28_41=lambda: c.r.randint(28, 41))),
            Q(c.say("unterkunft.quote")),
            P(c.say("unterkunft.para_3")),
        ]
    elif v == 1:
        c.district("Opladen")
        title = "Unterkunft Hermann-Löns-Straße schließt"
        blocks = [
            P(c.say("unterkunft.para_4", fd_long_d=lambda: c.fd(D('2011-09-30'), 'long'), randint_9_16=lambda: c.r.randint(9, 16))),
            P(c.say("unterkunft.para_5")),
            P(c.say("unterkunft.para_6")),
        ]
    elif v == 2:
        c.district("Küppersteg")
        n = c.r.randint(90, 120)
        title = c.say("unterkunft.title_2")
        blocks = [
            P(c.say("unterkunft.para_7", fd_wd_dm_future=lambda: c.fd(c.future(3, 8), 'wd_dm'), n=n)),
            P(c.say("unterkunft.para_8")),
            Q(c.say("unterkunft.quote_2")),
            P(c.say("unterkunft.para_9", randint_80_150=lambda: c.r.randint(80, 150))),
        ]
        fields.append("engagement")
    elif v == 3:
        c.district("Steinbüchel")
        ev = c.future(2, 9)
        title = c.say("unterkunft.title_3")
        p, fem = c.person()
        blocks = [
            P(c.say("unterkunft.para_10", num_10_randint=lambda: num(c.r.randint(18, 32) * 10), ev=ev)),
            P(c.say("unterkunft.para_11")),
            P(c.say("unterkunft.para_12")),
            Q(c.say("unterkunft.quote_3", anwohnerin_or_anwohner=lambda: 'Anwohnerin' if fem else 'Anwohner', p=p)),
        ]
        fields += ["dialog", "engagement"]
    elif v == 4:
        c.district("Hitdorf")
        title = c.say("unterkunft.title_4")
        blocks = [
            P(c.say("unterkunft.para_13")),
            P(c.say("unterkunft.para_14", money_4300000=lambda: c.money(4300000))),
            Q(c.say("unterkunft.quote_4")),
            P(c.say("unterkunft.para_15")),
        ]
    else:
        c.district("Opladen")
        title = c.say("unterkunft.title_5")
        blocks = [
            P(c.say("unterkunft.para_16")),
            P(c.say("unterkunft.para_17", randint_20_35=lambda: c.r.randint(20, 35))),
            Q(c.say("unterkunft.quote_5")),
        ]
    return art(c.pick([title]), blocks, category="Soziales", topic="soziales", fields=fields)


GESUNDHEIT_VARIANTS = POOLS["gesundheit_variants"]


def t_gesundheit(c: Ctx):
    v = GESUNDHEIT_VARIANTS[c.variant]
    fields = ["gesundheit"]
    if v == "dolmetscher":
        title = c.pick(c.say("gesundheit.title"))
        blocks = [
            P(c.say("gesundheit.para", die_integrationsbeauftragte=lambda: cap(c.ki('nom')) if c.y >= 2013 else 'Die Integrationsbeauftragte')),
            P(c.say("gesundheit.para_2", randint_18_34=lambda: c.r.randint(18, 34), randint_12_21=lambda: c.r.randint(12, 21))),
            Q(c.say("gesundheit.quote")),
            P(c.say("gesundheit.para_3")),
        ]
        fields.append("sprache")
    elif v == "lotsen":
        title = c.pick(c.say("gesundheit.title_2"))
        k = c.r.randint(12, 24)
        blocks = [
            P(c.say("gesundheit.para_4", k=k)),
            P(c.say("gesundheit.para_5", num_randint_900=lambda: num(c.r.randint(900, 2400)))),
            Q(c.say("gesundheit.quote_2")),
            P(c.say("gesundheit.para_6")),
        ]
        fields.append("engagement")
    elif v == "psycho":
        title = c.pick(c.say("gesundheit.title_3"))
        blocks = [
            P(c.say("gesundheit.para_7", my_future_20=lambda: c.my(c.future(20, 60)))),
            P(c.say("gesundheit.para_8")),
            Q(c.say("gesundheit.quote_3")),
            P(c.say("gesundheit.para_9")),
        ]
    elif v == "impfen":
        dn = c.district()
        title = c.pick(c.say("gesundheit.title_4"))
        blocks = [
            P(c.say("gesundheit.para_10", randint_180_310=lambda: c.r.randint(180, 310))),
            P(c.say("gesundheit.para_11")),
            Q(c.say("gesundheit.quote_4")),
            P(c.say("gesundheit.para_12", fuzzy_future_25=lambda: c.fuzzy(c.future(25, 40), year=False), dn=dn)),
        ]
        fields.append("wohnen")
    else:
        title = c.pick(c.say("gesundheit.title_5"))
        blocks = [
            P(c.say("gesundheit.para_13", randint_120_420=lambda: c.r.randint(120, 420))),
            P(c.say("gesundheit.para_14")),
            P(c.say("gesundheit.para_15")),
        ]
        fields.append("bildung")
    return art(title, blocks, category="Soziales", topic="soziales", fields=fields,
               sender=c.pick(["Stadtverwaltung", "Caritasverband Leverkusen"]) if v == "psycho" else "Stadtverwaltung")


def t_sport_integration(c: Ctx):
    v = c.pick(["turnier", "schwimmen", "verein", "stuetzpunkt"])
    dn = c.district()
    fields = ["engagement"]
    sender = c.pick(c.say("sport_integration.sender"))
    if v == "turnier":
        ev = c.next_wd(5, 7, 30)
        title = c.pick(c.say("sport_integration.title"))
        blocks = [
            P(c.say("sport_integration.para", randint_12_24=lambda: c.r.randint(12, 24), ev=ev, dn=dn)),
            P(c.say("sport_integration.para_2")),
            Q(c.say("sport_integration.quote")),
        ]
    elif v == "schwimmen":
        title = c.pick(c.say("sport_integration.title_2"))
        blocks = [
            P(c.say("sport_integration.para_3", fd_future_10=lambda: c.fd(c.future(10, 40)), dn=dn)),
            P(c.say("sport_integration.para_4")),
            Q(c.say("sport_integration.quote_2")),
        ]
    elif v == "verein":
        title = c.pick(c.say("sport_integration.title_3"))
        k = c.r.randint(14, 31)
        blocks = [
            P(c.say("sport_integration.para_5", k=k)),
            P(c.say("sport_integration.para_6")),
            Q(c.say("sport_integration.quote_3")),
        ]
    else:
        title = c.pick(c.say("sport_integration.title_4"))
        blocks = [
            P(c.say("sport_integration.para_7", dn=dn, money_choice_2500=lambda: c.money(c.r.choice([2500, 3000, 4000])))),
            P(c.say("sport_integration.para_8")),
            Q(c.say("sport_integration.quote_4")),
        ]
    if c.chance(0.5):
        blocks.append(P(c.say("sport_integration.para_9")))
    return art(title, blocks, category="Sport", topic="kultur_sport", sender=sender, fields=fields)


def t_ehrenamt(c: Ctx):
    v = c.pick(["netzwerk", "boerse", "fahrrad", "wohnpaten", "kleider"])
    fields = ["engagement"]
    if v == "netzwerk":
        title = c.pick(c.say("ehrenamt.title"))
        blocks = [
            P(c.say("ehrenamt.para", num_10_randint=lambda: num(c.r.randint(15, 28) * 10), der_oberbuergermeisterin_or=lambda: 'der Oberbürgermeisterin' if c.fem('ob') else 'des Oberbürgermeisters')),
            P(c.say("ehrenamt.para_2")),
            Q(c.say("ehrenamt.quote")),
        ]
    elif v == "boerse":
        title = c.pick(c.say("ehrenamt.title_2"))
        ev = c.next_wd(c.r.choice([1, 3]), 6, 25)
        blocks = [
            P(c.say("ehrenamt.para_3", ev=ev)),
            P(c.say("ehrenamt.para_4")),
            P(c.say("ehrenamt.para_5")),
        ]
    elif v == "fahrrad":
        dn = c.district()
        title = c.pick(c.say("ehrenamt.title_3"))
        blocks = [
            P(c.say("ehrenamt.para_6", dn=dn, randint_120_260=lambda: c.r.randint(120, 260))),
            P(c.say("ehrenamt.para_7")),
            Q(c.say("ehrenamt.quote_2")),
        ]
    elif v == "wohnpaten":
        title = c.pick(c.say("ehrenamt.title_4"))
        blocks = [
            P(c.say("ehrenamt.para_8", randint_40_95=lambda: c.r.randint(40, 95))),
            P(c.say("ehrenamt.para_9")),
            Q(c.say("ehrenamt.quote_3")),
        ]
        fields.append("wohnen")
    else:
        dn = c.district()
        title = c.pick(c.say("ehrenamt.title_5"))
        blocks = [
            P(c.say("ehrenamt.para_10", dn=dn, addr=lambda: c.addr())),
            P(c.say("ehrenamt.para_11")),
            P(c.say("ehrenamt.para_12", randint_15_40=lambda: c.r.randint(15, 40))),
        ]
        fields.append("wohnen") if c.chance(0.3) else None
    if c.chance(0.5):
        blocks.append(P(c.say("ehrenamt.para_13")))
    return art(title, blocks, category="Soziales", topic="soziales",
               sender=c.pick(["Stadtverwaltung", "Caritasverband Leverkusen", "Evangelischer Kirchenkreis"]), fields=fields)


RAMADAN_START = {2008: "2008-09-01", 2009: "2009-08-22", 2010: "2010-08-11", 2011: "2011-08-01", 2012: "2012-07-20",
                 2013: "2013-07-09", 2014: "2014-06-28", 2015: "2015-06-18", 2016: "2016-06-06", 2017: "2017-05-27",
                 2018: "2018-05-16", 2019: "2019-05-06", 2022: "2022-04-02", 2023: "2023-03-23"}


def t_fastenbrechen(c: Ctx):
    v = c.pick(["rathaus", "moschee", "kirche", "platz"])
    ev = c.future(2, 8)
    t1 = c.pick(["20.45 Uhr", "21 Uhr", "21.15 Uhr", "21.30 Uhr"]) if c.d.month in (5, 6, 7, 8) else c.pick(["18.30 Uhr", "19 Uhr", "19.45 Uhr", "20 Uhr"])
    if v == "rathaus":
        title = c.pick(c.say("fastenbrechen.title"))
        blocks = [
            P(c.say("fastenbrechen.para", ev=ev, t1=t1)),
            P(c.say("fastenbrechen.para_2")),
            Q(c.say("fastenbrechen.quote")),
        ]
    elif v == "moschee":
        dn = c.district()
        title = c.pick(c.say("fastenbrechen.title_2"))
        blocks = [
            P(c.say("fastenbrechen.para_3", dn=dn, cap_am_ev=lambda: cap(c.am(ev)), t1=t1)),
            P(c.say("fastenbrechen.para_4")),
            Q(c.say("fastenbrechen.quote_2")),
        ]
    elif v == "kirche":
        title = c.pick(c.say("fastenbrechen.title_3"))
        blocks = [
            P(c.say("fastenbrechen.para_5", ev=ev, t1=t1)),
            P(c.say("fastenbrechen.para_6")),
            Q(c.say("fastenbrechen.quote_3")),
        ]
    else:
        title = c.pick(c.say("fastenbrechen.title_4"))
        blocks = [
            P(c.say("fastenbrechen.para_7", ev=ev, t1=t1)),
            P(c.say("fastenbrechen.para_8")),
            Q(c.say("fastenbrechen.quote_4")),
        ]
        c.district("Opladen", code=c.chance(0.5))
    if c.y >= 2012 and c.chance(0.4):
        blocks.append(P(c.say("fastenbrechen.para_9")))
    elif c.chance(0.5):
        blocks.append(P(c.say("fastenbrechen.para_10")))
    return art(title, blocks, category="Soziales", topic="soziales",
               sender=c.pick(["Stadtverwaltung", "Stadtverwaltung", "Evangelischer Kirchenkreis"]), fields=["dialog"])


def t_moschee_dialog(c: Ctx):
    v = c.variant_name
    fields = ["dialog"]
    if v == "offene_moschee":
        ev = D(f"{c.y}-10-03")
        title = c.pick(c.say("moschee_dialog.title"))
        blocks = [
            P(c.say("moschee_dialog.para", am_ev_pick=lambda: c.am(ev, c.pick(['dm', 'wd_dm', 'long'])), wz_randint_3=lambda: wz(c.r.randint(3, 5)))),
            P(c.say("moschee_dialog.para_2")),
            Q(c.say("moschee_dialog.quote")),
        ]
    elif v == "gespraechskreis":
        k = c.pick([10, 15, 20])
        title = c.pick(c.say("moschee_dialog.title_2", k=k))
        blocks = [
            P(c.say("moschee_dialog.para_3", k=k, am_future_5=lambda: c.am(c.future(5, 20)))),
            P(c.say("moschee_dialog.para_4")),
            Q(c.say("moschee_dialog.quote_2")),
            P(c.say("moschee_dialog.para_5")),
        ]
    elif v == "friedensgebet":
        title = c.pick(c.say("moschee_dialog.title_3"))
        blocks = [
            P(c.say("moschee_dialog.para_6", am_future_2=lambda: c.am(c.future(2, 6)))),
            P(c.say("moschee_dialog.para_7")),
            Q(c.say("moschee_dialog.quote_3")),
        ]
    else:
        title = c.pick(c.say("moschee_dialog.title_4"))
        c.district("Wiesdorf")
        blocks = [
            P(c.say("moschee_dialog.para_8")),
            P(c.say("moschee_dialog.para_9", randint_90_180=lambda: c.r.randint(90, 180))),
            Q(c.say("moschee_dialog.quote_4")),
            P(c.say("moschee_dialog.para_10")),
        ]
    return art(title, blocks, category=c.pick(["Soziales", "Kultur"]) if v != "neubau" else "Soziales", topic="soziales",
               sender=c.pick(["Stadtverwaltung", "Evangelischer Kirchenkreis"]) if v != "neubau" else "Stadtverwaltung", fields=fields)


def t_senioren_migration(c: Ctx):
    v = c.variant_name
    fields = ["senioren"]
    if v == "fruehstueck":
        dn = c.district()
        title = c.pick(c.say("senioren_migration.title"))
        blocks = [
            P(c.say("senioren_migration.para", dn=dn, randint_2_6=lambda: c.r.randint(2, 6), randint_25_45=lambda: c.r.randint(25, 45))),
            P(c.say("senioren_migration.para_2")),
            Q(c.say("senioren_migration.quote", n0_person_true=lambda: c.person(female=True)[0])),
        ]
        fields.append("dialog")
    elif v == "pflege":
        title = c.pick(c.say("senioren_migration.title_2"))
        k = c.r.randint(14, 30)
        blocks = [
            P(c.say("senioren_migration.para_3", k=k)),
            P(c.say("senioren_migration.para_4")),
            Q(c.say("senioren_migration.quote_2")),
        ]
        fields.append("gesundheit")
    elif v == "demenz":
        title = c.pick(c.say("senioren_migration.title_3"))
        ev = c.next_wd(c.r.choice([1, 3]), 7, 28)
        blocks = [
            P(c.say("senioren_migration.para_5", ev=ev)),
            P(c.say("senioren_migration.para_6")),
            Q(c.say("senioren_migration.quote_3")),
        ]
        fields += ["gesundheit", "sprache"]
    elif v == "beirat":
        title = c.pick(c.say("senioren_migration.title_4"))
        blocks = [
            P(c.say("senioren_migration.para_7")),
            P(c.say("senioren_migration.para_8")),
            Q(c.say("senioren_migration.quote_4")),
        ]
        fields.append("engagement")
    elif v == "fachtag":
        title = c.pick(c.say("senioren_migration.title_5"))
        ev = c.future(10, 35)
        blocks = [
            P(c.say("senioren_migration.para_9", ev=ev)),
            P(c.say("senioren_migration.para_10")),
            Q(c.say("senioren_migration.quote_5")),
        ]
    else:
        title = c.pick(c.say("senioren_migration.title_6"))
        blocks = [
            P(c.say("senioren_migration.para_11", my_future_10=lambda: c.my(c.future(10, 40)))),
            P(c.say("senioren_migration.para_12")),
            Q(c.say("senioren_migration.quote_6")),
        ]
        fields.append("arbeit")
    if c.chance(0.6):
        blocks.append(P(c.pick(c.say("senioren_migration.para_13"))))
    return art(title, blocks, category="Soziales", topic="soziales",
               sender="Caritasverband Leverkusen" if v == "rente" else "Stadtverwaltung", fields=fields)


def t_migrantenrat(c: Ctx):
    v = c.variant
    fields = ["dialog"]
    if v == 0:
        title = c.say("migrantenrat.title")
        blocks = [
            P(c.say("migrantenrat.para")),
            P(c.say("migrantenrat.para_2")),
            Q(c.say("migrantenrat.quote")),
            P(c.say("migrantenrat.para_3", am_future_40=lambda: c.am(c.future(40, 70)))),
        ]
        fields.append("sprache")
    elif v == 1:
        title = "Ausländerbeirat zieht Bilanz"
        blocks = [
            P(c.say("migrantenrat.para_4")),
            P(c.say("migrantenrat.para_5")),
            Q(c.say("migrantenrat.quote_2")),
        ]
        fields.append("engagement")
    elif v == 2:
        title = c.say("migrantenrat.title_2")
        blocks = [
            P(c.say("migrantenrat.para_6")),
            P(c.say("migrantenrat.para_7")),
            Q(c.say("migrantenrat.quote_3")),
            P(c.say("migrantenrat.para_8")),
        ]
    elif v == 3:
        pct = dec(c.r.uniform(10.5, 14.5))
        title = c.say("migrantenrat.title_3")
        blocks = [
            P(c.say("migrantenrat.para_9", pct=pct, num_randint_21000=lambda: num(c.r.randint(21000, 24500)))),
            P(c.say("migrantenrat.para_10")),
            Q(c.say("migrantenrat.quote_4")),
            P(c.say("migrantenrat.para_11", fuzzy_future_20=lambda: c.fuzzy(c.future(20, 45)))),
        ]
        fields.append("engagement")
    elif v == 4:
        title = c.say("migrantenrat.title_4")
        blocks = [
            P(c.say("migrantenrat.para_12")),
            P(c.say("migrantenrat.para_13")),
            Q(c.say("migrantenrat.quote_5")),
        ]
    else:
        title = c.say("migrantenrat.title_5")
        blocks = [
            P(c.say("migrantenrat.para_14")),
            P(c.say("migrantenrat.para_15")),
            Q(c.say("migrantenrat.quote_6")),
            P(c.say("migrantenrat.para_16", fuzzy_future_20=lambda: c.fuzzy(c.future(20, 40), year=False))),
        ]
        fields.append("engagement")
    return art(title, blocks, category="Politik", topic="rat", fields=fields,
               sender="Stadtverwaltung" if v not in (0, 1) else c.pick(["Stadtverwaltung", "Internet Initiative"]))


KONZEPT_DATES = ["2016-10-11", "2017-12-12", "2019-09-17", "2021-11-23"]
HANDLUNGSFELDER = POOLS["handlungsfelder"]


def t_konzept(c: Ctx):
    v = c.variant
    if v == 0:
        title = c.say("konzept.title")
        blocks = [
            P(c.say("konzept.para", randint_110_160=lambda: c.r.randint(110, 160))),
            P(c.say("konzept.para_2")),
            L(HANDLUNGSFELDER),
            Q(c.say("konzept.quote")),
            P(c.say("konzept.para_3", my_future_120=lambda: c.my(c.future(120, 160)))),
        ]
        fields = FIELDS
    elif v == 1:
        title = "Rat beschließt Integrationskonzept"
        blocks = [
            P(c.say("konzept.para_4")),
            P(c.say("konzept.para_5")),
            Q(c.say("konzept.quote_2")),
            P(c.say("konzept.para_6")),
        ]
        fields = FIELDS
    elif v == 2:
        title = c.say("konzept.title_2")
        blocks = [
            P(c.say("konzept.para_7", am_wd_long_d=lambda: c.am(D('2019-09-16'), 'wd_long'))),
            P(c.say("konzept.para_8")),
            P(c.say("konzept.para_9")),
            Q(c.say("konzept.quote_3")),
            P(c.say("konzept.para_10")),
        ]
        fields = FIELDS
    else:
        title = "Integrationskonzept: Zweite Zwischenbilanz"
        blocks = [
            P(c.say("konzept.para_11")),
            P(c.say("konzept.para_12")),
            Q(c.say("konzept.quote_4")),
            P(c.say("konzept.para_13")),
        ]
        fields = ["sprache", "bildung", "arbeit", "gesundheit", "dialog"]
    return art(title, blocks, category="Politik" if v == 1 else "Soziales", topic="rat" if v == 1 else "soziales",
               fields=fields, report=v in (1, 2, 3))


def t_iwoche(c: Ctx):
    start = D(f"{c.y}-09-{c.r.randint(20, 25):02d}")
    while start.weekday() != 6:
        start += dt.timedelta(days=1)
    end = start + dt.timedelta(days=c.r.choice([6, 7, 13]))
    n = c.r.randint(25, 60)
    title = c.pick(c.say("iwoche.title"))
    items = c.r.sample(c.say("iwoche.items", start=start), 5)
    blocks = [
        P(c.say("iwoche.para", rng_start_end=lambda: c.rng_(start, end), n=n)),
        P(c.say("iwoche.para_2")),
        L(items),
        Q(c.say("iwoche.quote")),
        P(c.pick(c.say("iwoche.para_3"))),
    ]
    return art(title, blocks, category="Kultur", topic="kultur_sport", fields=["dialog", "engagement"])


def t_einbuergerung(c: Ctx):
    k = c.r.randint(60, 140)
    title = c.pick(c.say("einbuergerung.title"))
    blocks = [
        P(c.say("einbuergerung.para", k=k, am_past_1=lambda: c.am(c.past(1, 4), c.pick(['wd_dm', 'dm'])), randint_22_38=lambda: c.r.randint(22, 38), randint_420_690=lambda: c.r.randint(420, 690))),
        P(c.say("einbuergerung.para_2")),
        Q(c.say("einbuergerung.quote")),
    ]
    p, fem = c.person(initial=False)
    blocks.append(Q(c.pick(c.say("einbuergerung.quote_2", p=p, die_or_der=lambda: 'die' if fem else 'der'))))
    if c.chance(0.6):
        blocks.append(P(c.say("einbuergerung.para_3")))
    return art(title, blocks, category="Verwaltung", topic="verwaltung", fields=["dialog"])


UKRAINE_DATES = ["2022-03-08", "2022-05-17", "2022-11-15"]


def t_ukraine(c: Ctx):
    v = c.variant
    if v == 0:
        title = c.say("ukraine.title")
        blocks = [
            P(c.say("ukraine.para", num_10_randint=lambda: num(c.r.randint(38, 52) * 10))),
            P(c.say("ukraine.para_2")),
            Q(c.say("ukraine.quote")),
            L(c.say("ukraine.items")),
        ]
        fields = ["wohnen", "engagement"]
        c.district("Rheindorf", code=c.chance(0.5))
    elif v == 1:
        title = c.say("ukraine.title_2")
        blocks = [
            P(c.say("ukraine.para_3", num_10_randint=lambda: num(c.r.randint(26, 38) * 10), cap_ki_nom=lambda: cap(c.ki('nom')))),
            P(c.say("ukraine.para_4")),
            Q(c.say("ukraine.quote_2")),
        ]
        fields = ["bildung", "sprache"]
    else:
        title = c.say("ukraine.title_3")
        blocks = [
            P(c.say("ukraine.para_5", num_randint_1900=lambda: num(c.r.randint(1900, 2400)))),
            P(c.say("ukraine.para_6", randint_150_320=lambda: c.r.randint(150, 320))),
            Q(c.say("ukraine.quote_3")),
        ]
        fields = ["arbeit", "sprache", "wohnen"]
    return art(title, blocks, category="Soziales", topic="soziales", fields=fields,
               pools=[["wohnen", "engagement"], ["bildung_i"], ["arbeit", "wohnen"]][v])


def t_migrationsberatung(c: Ctx):
    v = c.pick(["mbe", "jmd", "bilanz"])
    if v == "mbe":
        title = c.pick(c.say("migrationsberatung.title"))
        blocks = [
            P(c.say("migrationsberatung.para", my_future_10=lambda: c.my(c.future(10, 40)))),
            P(c.say("migrationsberatung.para_2")),
            Q(c.say("migrationsberatung.quote")),
        ]
        fields = ["sprache", "arbeit"]
    elif v == "jmd":
        title = c.pick(c.say("migrationsberatung.title_2"))
        blocks = [
            P(c.say("migrationsberatung.para_3", randint_220_420=lambda: c.r.randint(220, 420))),
            P(c.say("migrationsberatung.para_4")),
            Q(c.say("migrationsberatung.quote_2")),
        ]
        fields = ["bildung", "arbeit"]
    else:
        title = c.pick(c.say("migrationsberatung.title_3"))
        blocks = [
            P(c.say("migrationsberatung.para_5", num_randint_1100=lambda: num(c.r.randint(1100, 2100)))),
            P(c.say("migrationsberatung.para_6")),
            Q(c.say("migrationsberatung.quote_3")),
        ]
        fields = ["arbeit", "senioren"]
    if c.chance(0.6):
        blocks.append(P(c.say("migrationsberatung.para_7")))
    return art(title, blocks, category="Soziales", topic="soziales", sender="Caritasverband Leverkusen", fields=fields)


# ===========================================================================
# Ordinary municipal articles
# ===========================================================================
def t_baustelle(c: Ctx):
    kind = c.pick(["kanal", "fahrbahn", "bruecke", "leitung", "kreisel"])
    dn = c.district(code=c.chance(0.9))
    s1, s2, s3, s4 = c.streets(4)
    start = c.future(4, 21)
    weeks = c.r.randint(3, 16)
    end = start + dt.timedelta(weeks=weeks)
    cost = c.r.choice([180000, 240000, 350000, 420000, 650000, 890000, 1300000, 2400000])
    blocks = []
    if kind == "kanal":
        title = c.pick(c.say("baustelle.title", s1=s1, dn=dn))
        blocks.append(P(c.pick(c.say("baustelle.para", start=start, s1=s1, dn=dn, end=end, num_10_randint=lambda: num(c.r.randint(18, 65) * 10), weeks=weeks))))
        blocks.append(P(c.say("baustelle.para_2", s1=s1, s2=s2, s3=s3, cost=cost)))
    elif kind == "fahrbahn":
        title = c.pick(c.say("baustelle.title_2", s1=s1, dn=dn))
        blocks.append(P(c.pick(c.say("baustelle.para_3", s1=s1, dn=dn, start=start))))
        blocks.append(P(c.say("baustelle.para_4", rng_end_end=lambda: c.rng_(end - dt.timedelta(days=4), end - dt.timedelta(days=1)), s2=s2, s3=s3)))
    elif kind == "bruecke":
        title = c.pick(c.say("baustelle.title_3", s1=s1))
        blocks.append(P(c.pick(c.say("baustelle.para_5", s1=s1, start=start, dn=dn, cost=cost))))
        blocks.append(P(c.say("baustelle.para_6", choice_7_12=lambda: c.r.choice([7, 12, 16]))))
    elif kind == "leitung":
        title = c.pick(c.say("baustelle.title_4", s1=s1, dn=dn))
        blocks.append(P(c.pick(c.say("baustelle.para_7", start=start, s1=s1, dn=dn, num_10_randint=lambda: num(c.r.randint(30, 90) * 10), s2=s2))))
        blocks.append(P(c.say("baustelle.para_8", s3=s3, end=end)))
    else:
        title = c.pick(c.say("baustelle.title_5", s1=s1))
        blocks.append(P(c.pick(c.say("baustelle.para_9", s1=s1, s2=s2, dn=dn, start=start, randint_26_40=lambda: c.r.randint(26, 40), cost=cost))))
        blocks.append(P(c.say("baustelle.para_10", s3=s3)))
    if c.chance(0.4):
        blocks.append(P(c.say("baustelle.para_11")))
        blocks.append(L(c.say("baustelle.items", s1=s1, s2=s2, s3=s3, s4=s4, randint_1_30=lambda: c.r.randint(1, 30), randint_31_80=lambda: c.r.randint(31, 80))))
    if c.chance(0.45):
        p, fem = c.person()
        blocks.append(Q(c.pick(c.say("baustelle.quote", einzelhaendlerin_or=lambda: 'Einzelhändlerin' if fem else 'Einzelhändler', p=p, anwohnerin_or_anwohner=lambda: 'Anwohnerin' if fem else 'Anwohner'))))
    blocks.append(P(c.pick(c.say("baustelle.para_12"))))
    return art(title, blocks, category="Verkehr", topic="verkehr")


def t_baustellen_uebersicht(c: Ctx):
    sts = c.streets(6)
    rows = [c.pick([["Straße", "Stadtteil", "Maßnahme", "Dauer"], ["Ort", "Stadtteil", "Arbeiten", "voraussichtlich bis"]])]
    works = ["Kanalerneuerung", "Fahrbahnsanierung", "Gasleitung", "Gehwegerneuerung", "Brückenprüfung", "Ampelumbau", "Fernwärme"]
    for s in sts:
        rows.append([s, c.r.choice(DISTRICTS)[0], c.r.choice(works), c.fd(c.future(20, 120), c.pick(["num", "dm", "short"]))])
    title = c.pick(c.say("baustellen_uebersicht.title"))
    blocks = [
        P(c.say("baustellen_uebersicht.para", randint_9_19=lambda: c.r.randint(9, 19), money_choice_2400000=lambda: c.money(c.r.choice([2400000, 3500000, 4200000, 5100000])))),
        P(c.say("baustellen_uebersicht.para_2")),
        T(rows),
        P(c.pick(c.say("baustellen_uebersicht.para_3"))),
    ]
    c.d = c.d  # no district for city-wide overview
    return art(title, blocks, category="Verkehr", topic="verkehr")


def t_oepnv(c: Ctx):
    kind = c.pick(["fahrplan", "radweg", "parken", "tempo30", "bahnhof"])
    if kind == "fahrplan" and not (c.d.month == 11 or (c.d.month == 12 and c.d.day <= 5)):
        kind = "radweg"
    if kind == "fahrplan":
        d = D(f"{c.y}-12-{c.r.randint(9, 15):02d}")
        while d.weekday() != 6:
            d += dt.timedelta(days=1)
        line = c.r.choice(["201", "203", "208", "211", "222", "227", "232", "250"])
        title = c.pick(c.say("oepnv.title", line=line))
        blocks = [
            P(c.say("oepnv.para", d=d, line=line)),
            P(c.say("oepnv.para_2")),
            Q(c.say("oepnv.quote")),
        ]
    elif kind == "radweg":
        s1 = c.street()
        title = c.pick([c.say("oepnv.title_2") + s1, "Lückenschluss im Radwegenetz"])
        blocks = [
            P(c.say("oepnv.para_3", s1=s1, dec_uniform=lambda: dec(c.r.uniform(0.8, 2.6)))),
            P(c.say("oepnv.para_4", money_choice_420000=lambda: c.money(c.r.choice([420000, 650000, 980000])), fuzzy_future_20=lambda: c.fuzzy(c.future(20, 60)))),
        ]
    elif kind == "parken":
        title = c.pick(c.say("oepnv.title_3"))
        blocks = [
            P(c.say("oepnv.para_5", fd_future_20=lambda: c.fd(c.future(20, 60)), dec_2_choice=lambda: dec(c.r.choice([1.0, 1.5, 2.0]), 2))),
            P(c.say("oepnv.para_6")),
        ]
    elif kind == "tempo30":
        dn = c.district()
        title = c.pick(c.say("oepnv.title_4", dn=dn))
        blocks = [
            P(c.say("oepnv.para_7", dn=dn)),
            P(c.say("oepnv.para_8")),
        ]
    else:
        title = c.pick(c.say("oepnv.title_5"))
        c.district("Opladen", code=c.chance(0.5))
        blocks = [
            P(c.say("oepnv.para_9", randint_14_26=lambda: c.r.randint(14, 26))),
            P(c.say("oepnv.para_10", money_choice_3400000=lambda: c.money(c.r.choice([3400000, 4800000, 6200000])))),
        ]
    if c.chance(0.6):
        blocks.append(P(c.pick(c.say("oepnv.para_11", am_future_20=lambda: c.am(c.future(20, 50))))))
    return art(title, blocks, category="Verkehr", topic="verkehr")


def t_kultur(c: Ctx):
    kind = c.pick(["konzert", "jazz", "theater", "kabarett", "chor", "open_air"])
    if kind == "open_air" and not 5 <= c.d.month <= 7:
        kind = "konzert"
    ev = c.future(7, 40)
    t1 = c.time("evening")
    price = c.r.choice([8, 12, 15, 18, 22, 25])
    if c.y < 2002:
        price_s = f"{price * 2} Mark"
    else:
        price_s = f"{price} Euro"
    if kind == "konzert":
        title = c.pick(["Sinfoniekonzert im Forum", "Klassik zum Jahresauftakt", c.say("kultur.title") if c.y >= 2008 else c.say("kultur.title_2")])
        blocks = [
            P(c.say("kultur.para", ev=ev, t1=t1)),
            P(c.say("kultur.para_2", price_s=price_s)),
        ]
    elif kind == "jazz":
        title = c.pick(c.say("kultur.title_3"))
        blocks = [
            P(c.say("kultur.para_3", rng_ev_ev=lambda: c.rng_(ev, ev + dt.timedelta(days=c.r.randint(5, 9))), randint_14_26=lambda: c.r.randint(14, 26))),
            P(c.say("kultur.para_4", am_future_1=lambda: c.am(c.future(1, 5)), price_s=price_s)),
        ]
    elif kind == "theater":
        title = c.pick(c.say("kultur.title_4"))
        blocks = [
            P(c.say("kultur.para_5", ev=ev, randint_18_30=lambda: c.r.randint(18, 30))),
            P(c.say("kultur.para_6", fd_dm_ev=lambda: c.fd(ev - dt.timedelta(days=3), 'dm'))),
        ]
    elif kind == "kabarett":
        title = c.pick(c.say("kultur.title_5"))
        blocks = [
            P(c.say("kultur.para_7", ev=ev, t1=t1)),
            P(c.say("kultur.para_8", price_s=price_s)),
        ]
    elif kind == "chor":
        title = c.pick(c.say("kultur.title_6"))
        blocks = [
            P(c.say("kultur.para_9", randint_8_16=lambda: c.r.randint(8, 16), ev=ev)),
            P(c.say("kultur.para_10")),
        ]
    else:
        dn = c.district()
        title = c.pick(c.say("kultur.title_7", dn=dn))
        blocks = [
            P(c.say("kultur.para_11", dn=dn, rng_ev_ev=lambda: c.rng_(ev, ev + dt.timedelta(days=4), year=False))),
            P(c.say("kultur.para_12", price_s=price_s)),
        ]
    if c.chance(0.5):
        blocks.append(Q(c.pick(c.say("kultur.quote"))))
    if c.chance(0.5):
        blocks.append(P(c.say("kultur.para_13")))
    return art(title, blocks, category="Kultur", topic="kultur_sport", sender=c.pick(["Stadtverwaltung", "Stadtverwaltung", "Internet Initiative"]) if c.y < 2007 else "Stadtverwaltung")


def t_ausstellung(c: Ctx):
    kind = c.pick(["museum", "lesung", "galerie", "foto", "stadtgeschichte"])
    ev = c.future(3, 30)
    end = ev + dt.timedelta(weeks=c.r.randint(5, 12))
    if kind == "museum":
        title = c.pick(c.say("ausstellung.title"))
        blocks = [
            P(c.say("ausstellung.para", rng_ev_end=lambda: c.rng_(ev, end), n10_randint_8=lambda: c.r.randint(8, 16) * 10)),
            P(c.say("ausstellung.para_2", ev=ev)),
        ]
    elif kind == "lesung":
        title = c.pick(c.say("ausstellung.title_2"))
        blocks = [
            P(c.say("ausstellung.para_3", ev=ev)),
            P(c.say("ausstellung.para_4", money_6_5=lambda: c.money(6 if c.y >= 2002 else 5))),
        ]
    elif kind == "galerie":
        dn = c.district()
        title = c.pick(c.say("ausstellung.title_3", dn=dn))
        blocks = [
            P(c.say("ausstellung.para_5", dn=dn, end=end, ev=ev)),
            P(c.say("ausstellung.para_6")),
        ]
    elif kind == "foto":
        title = c.pick(c.say("ausstellung.title_4"))
        blocks = [
            P(c.say("ausstellung.para_7", randint_250_600=lambda: c.r.randint(250, 600), rng_ev_end=lambda: c.rng_(ev, end))),
            P(c.say("ausstellung.para_8")),
        ]
    else:
        title = c.pick(c.say("ausstellung.title_5"))
        blocks = [
            P(c.say("ausstellung.para_9", rng_ev_end=lambda: c.rng_(ev, end))),
            P(c.say("ausstellung.para_10")),
        ]
    if c.chance(0.5):
        if kind == "lesung":
            blocks.append(Q(c.say("ausstellung.quote")))
        else:
            blocks.append(Q(c.say("ausstellung.quote_2")))
    if c.chance(0.4):
        blocks.append(P(f"Weitere Auskünfte {c.tel()}."))
    return art(title, blocks, category="Kultur", topic="kultur_sport",
               sender="Stadtbibliothek" if kind == "lesung" else "Stadtverwaltung")


def t_sport(c: Ctx):
    kind = c.pick(["stadtlauf", "tsv", "bad", "halle", "radtour"])
    if kind == "radtour" and not 4 <= c.d.month <= 8:
        kind = "halle"
    ev = c.future(7, 40)
    if kind == "stadtlauf":
        n = c.r.randint(1800, 4200)
        n = n // 100 * 100
        title = c.pick(c.say("sport.title", n=n))
        blocks = [
            P(c.say("sport.para", ev=ev, n=n)),
            P(c.say("sport.para_2")),
        ]
    elif kind == "tsv":
        title = c.pick(c.say("sport.title_2"))
        blocks = [
            P(c.say("sport.para_3", rng_ev_ev=lambda: c.rng_(ev, ev + dt.timedelta(days=2)), num_10_randint=lambda: num(c.r.randint(60, 110) * 10))),
            P(c.say("sport.para_4", randint_140_260=lambda: c.r.randint(140, 260))),
            Q(c.say("sport.quote")),
        ]
    elif kind == "bad":
        dn = c.district()
        title = c.pick(c.say("sport.title_3", dn=dn))
        blocks = [
            P(c.say("sport.para_5", randint_9_20=lambda: c.r.randint(9, 20), dn=dn, ev=ev, money_choice_2800000=lambda: c.money(c.r.choice([2800000, 3600000, 4500000])))),
            P(c.say("sport.para_6")),
        ]
    elif kind == "halle":
        dn = c.district()
        title = c.pick(c.say("sport.title_4", dn=dn))
        blocks = [
            P(c.say("sport.para_7", dn=dn, wz_randint_4=lambda: wz(c.r.randint(4, 9)), randint_300_600=lambda: c.r.randint(300, 600))),
            P(c.say("sport.para_8", money_choice_5400000=lambda: c.money(c.r.choice([5400000, 6800000, 7900000])))),
        ]
    else:
        title = c.pick(c.say("sport.title_5"))
        blocks = [
            P(c.say("sport.para_9", ev=ev)),
            P(c.say("sport.para_10")),
        ]
    if c.chance(0.55):
        blocks.append(P(c.pick(c.say("sport.para_11"))))
    return art(title, blocks, category="Sport", topic="kultur_sport",
               sender="TSV Bayer 04" if kind == "tsv" else c.pick(["Stadtverwaltung", "Stadtverwaltung", "Internet Initiative"]) if c.y < 2007 else "Stadtverwaltung")


def t_sportlerehrung(c: Ctx):
    ev = c.future(5, 20)
    sports = ["Leichtathletik", "Schwimmen", "Judo", "Handball", "Kanu", "Rudern", "Fechten", "Turnen", "Basketball", "Badminton"]
    rows = [c.pick([["Sportart", "Name", "Erfolg"], ["Disziplin", "Sportlerin/Sportler", "Platzierung"]])]
    for s in c.r.sample(sports, 6):
        nm, fem = c.person()
        rows.append([s, nm, c.r.choice(c.say("sportlerehrung.text"))])
    title = c.pick(c.say("sportlerehrung.title", y_1=lambda: c.y - 1))
    blocks = [
        P(c.say("sportlerehrung.para", ev=ev, randint_90_180=lambda: c.r.randint(90, 180))),
        P(c.say("sportlerehrung.para_2")),
        T(rows),
        P(c.say("sportlerehrung.para_3")),
    ]
    return art(title, blocks, category="Sport", topic="kultur_sport")


def t_polizei(c: Ctx):
    kind = c.pick(["einbruch", "raub", "betrug", "unfall", "kontrolle", "fahrrad", "sachbeschaedigung"])
    dn = c.district(code=c.chance(0.95))
    s1, s2 = c.streets(2)
    when = c.past(1, 3)
    hh = {"einbruch": c.r.randint(16, 19), "sachbeschaedigung": c.r.choice([23, 0, 1, 2, 3])}.get(kind, c.r.randint(6, 21))
    mm = c.r.choice([0, 10, 15, 20, 30, 40, 45, 50])
    tt = f"{hh}.{mm:02d} Uhr" if mm else f"{hh} Uhr"
    h = c.r.randint(165, 195)
    desc = c.say("polizei.desc", dec_2_h=lambda: dec(h / 100, 2), choice_schlank_kraeftig=lambda: c.r.choice(c.say("polizei.choice_schlank_kraeftig")), choice_einer_dunklen=lambda: c.r.choice(c.say("polizei.choice_einer_dunklen")))
    if kind == "einbruch":
        title = c.pick(c.say("polizei.title", dn=dn, s1=s1))
        blocks = [
            P(c.say("polizei.para", am_when_pick=lambda: c.am(when, c.pick(['wd_dm', 'long', 'num'])), s1=s1, dn=dn)),
            P(c.say("polizei.para_2", tt=tt, desc=desc)),
        ]
    elif kind == "raub":
        title = c.pick(c.say("polizei.title_2", s1=s1))
        blocks = [
            P(c.say("polizei.para_3", am_when_pick=lambda: c.am(when, c.pick(['wd_dm', 'long'])), tt=tt, s1=s1, dn=dn, s2=s2)),
            P(c.say("polizei.para_4", desc=desc)),
        ]
    elif kind == "betrug":
        title = c.pick(c.say("polizei.title_3"))
        age = c.r.randint(74, 91)
        blocks = [
            P(c.say("polizei.para_5", cap_am_when=lambda: cap(c.am(when, 'wd_dm')), age=age, dn=dn)),
            P(c.say("polizei.para_6")),
        ]
    elif kind == "unfall":
        age = c.r.randint(18, 84)
        title = c.pick(c.say("polizei.title_4", dn=dn, s1=s1))
        blocks = [
            P(c.say("polizei.para_7", s1=s1, s2=s2, dn=dn, am_when_pick=lambda: c.am(when, c.pick(['wd_dm', 'long'])), tt=tt, age=age)),
            P(c.say("polizei.para_8")),
        ]
    elif kind == "kontrolle":
        n = c.r.randint(80, 420)
        title = c.pick(c.say("polizei.title_5"))
        blocks = [
            P(c.say("polizei.para_9", when=when, n=n, s1=s1, dn=dn)),
            P(c.say("polizei.para_10", randint_61_78=lambda: c.r.randint(61, 78))),
        ]
    elif kind == "fahrrad":
        title = c.pick(c.say("polizei.title_6"))
        blocks = [
            P(c.say("polizei.para_11", dn=dn, am_future_5=lambda: c.am(c.future(5, 20)))),
            P(c.say("polizei.para_12")),
        ]
    else:
        title = c.pick(c.say("polizei.title_7", s1=s1))
        blocks = [
            P(c.say("polizei.para_13", when=when, s1=s1, dn=dn, randint_8_19=lambda: c.r.randint(8, 19), tt=tt)),
            P(c.say("polizei.para_14")),
        ]
    if c.chance(0.4) and kind in ("einbruch", "raub", "unfall", "sachbeschaedigung"):
        blocks.append(Q(c.pick(c.say("polizei.quote"))))
    blocks.append(P(c.pick(c.say("polizei.para_15"))))
    return art(title, blocks, category="Polizei", topic="sicherheit", sender="Polizeipräsidium Köln",
               pools=["polizei_verkehr"] if kind in ("unfall", "kontrolle") else ["polizei"])


def t_feuerwehr(c: Ctx):
    kind = c.pick(["brand", "unwetter", "rauchmelder", "bilanz", "uebung"])
    dn = c.district(code=c.chance(0.85))
    s1 = c.street()
    when = c.past(1, 3)
    if kind == "brand":
        title = c.pick(c.say("feuerwehr.title", dn=dn, s1=s1))
        blocks = [
            P(c.say("feuerwehr.para", s1=s1, dn=dn, when=when, randint_1_5=lambda: c.r.randint(1, 5), choice_05_20=lambda: c.r.choice(['05', '20', '35', '50']))),
            P(c.say("feuerwehr.para_2", randint_35_70=lambda: c.r.randint(35, 70))),
        ]
    elif kind == "unwetter":
        title = c.pick(c.say("feuerwehr.title_2"))
        blocks = [
            P(c.say("feuerwehr.para_3", when=when, randint_60_190=lambda: c.r.randint(60, 190), dn=dn)),
            P(c.say("feuerwehr.para_4")),
        ]
    elif kind == "rauchmelder":
        title = c.pick(c.say("feuerwehr.title_3"))
        blocks = [
            P(c.say("feuerwehr.para_5", am_future_5=lambda: c.am(c.future(5, 25)))),
            P(c.say("feuerwehr.para_6", dn=dn)),
        ]
    elif kind == "bilanz":
        n = c.r.randint(24000, 31000)
        title = c.pick(c.say("feuerwehr.title_4"))
        blocks = [
            P(c.say("feuerwehr.para_7", n=n, randint_3_8=lambda: c.r.randint(3, 8), num_int_n=lambda: num(int(n * 0.82)), randint_280_420=lambda: c.r.randint(280, 420))),
            P(c.say("feuerwehr.para_8", randint_280_360=lambda: c.r.randint(280, 360))),
            Q(c.say("feuerwehr.quote")),
        ]
    else:
        title = c.pick(c.say("feuerwehr.title_5"))
        blocks = [
            P(c.say("feuerwehr.para_9", am_future_3=lambda: c.am(c.future(3, 15)), dn=dn)),
            P(c.say("feuerwehr.para_10")),
        ]
    if c.chance(0.4) and kind != "bilanz":
        blocks.append(Q(c.say("feuerwehr.quote_2")))
    return art(title, blocks, category=c.pick(["Polizei", "Verwaltung"]), topic="sicherheit", sender="Feuerwehr Leverkusen")


def t_haushalt(c: Ctx):
    y1 = c.y + 1 if c.d.month >= 9 else c.y
    vol = c.r.uniform(520, 890) * 1e6 * (1 + (c.y - 2000) * 0.015)
    deficit = c.r.uniform(8, 65) * 1e6
    kind = c.pick(["entwurf", "beschluss", "sicherung", "jahresabschluss"])
    blocks = []
    if kind == "entwurf":
        title = c.pick([f"Haushaltsentwurf {y1} eingebracht", c.say("haushalt.title", y1=y1).replace("Kämmerer", "Kämmerin" if c.fem('kaemmerer') else "Kämmerer"),
                        c.say("haushalt.title_2", y1=y1)])
        blocks.append(P(c.say("haushalt.para", y1=y1, vol=vol, deficit=deficit)))
        blocks.append(P(c.say("haushalt.para_2")))
    elif kind == "beschluss":
        title = c.pick(c.say("haushalt.title_3", y1=y1))
        blocks.append(P(c.say("haushalt.para_3", y1=y1, vol=vol, deficit=deficit)))
        blocks.append(P(c.say("haushalt.para_4")))
    elif kind == "sicherung":
        title = c.pick(c.say("haushalt.title_4"))
        blocks.append(P(c.say("haushalt.para_5", y1_4=lambda: y1 + 4, money_deficit_2=lambda: c.money(deficit / 2))))
        blocks.append(P(c.say("haushalt.para_6")))
    else:
        title = c.pick(c.say("haushalt.title_5", y_1=lambda: c.y - 1))
        blocks.append(P(c.say("haushalt.para_7", y_1=lambda: c.y - 1, deficit=deficit, money_deficit=lambda: c.money(deficit * 0.3))))
        blocks.append(P(c.say("haushalt.para_8")))
    if c.chance(0.45):
        base = vol / 1e6
        rows = [c.say("haushalt.rows", y1=y1, dm_y_2002=lambda: c.cur() if c.y >= 2002 else 'DM')]
        factor = 1.95583 if c.y < 2002 else 1.0
        for label, share in [("Soziale Leistungen", 0.31), (c.say("haushalt.text"), 0.17), ("Personal", 0.22),
                             ("Schulen", 0.08), ("Straßen und Verkehr", 0.06), ("Kultur und Sport", 0.04)]:
            rows.append([label, dec(base * share * factor * c.r.uniform(0.92, 1.08))])
        blocks.append(T(rows))
    blocks.append(Q(c.pick(c.say("haushalt.quote"))))
    return art(title, blocks, category="Politik", topic="rat", report=True)


def t_rat(c: Ctx):
    kind = c.pick(["rat", "bv", "bv", "rat_kurz"])
    blocks = []
    if kind in ("rat", "rat_kurz"):
        nd = c.next_wd(0, 5, 20)
        title = c.pick(c.say("rat.title", day_nd=lambda: nd.day, months_month_1=lambda: MONTHS[nd.month - 1]))
        items = c.r.sample(c.say("rat.items"), 4)
        blocks.append(P(c.pick(c.say("rat.para", am_nd_pick=lambda: c.am(nd, c.pick(['wd_long', 'wd_num', 'long'])), am_wd_dm_past=lambda: c.am(c.past(1, 3), 'wd_dm')))))
        blocks.append(P(c.say("rat.para_2") if "kommt" in blocks[0]["text"] else c.say("rat.para_3")))
        blocks.append(L(items))
        if kind == "rat":
            blocks.append(P(c.say("rat.para_4", money_choice_12=lambda: c.money(c.r.choice([12, 18, 24])))))
    else:
        bez = c.r.choice(["I", "II", "III"])
        dn = c.district(bezirk=bez, code=c.chance(0.9))
        s1 = c.street()
        title = c.pick(c.say("rat.title_2", bez=bez, dn=dn))
        blocks.append(P(c.pick(c.say("rat.para_5", bez=bez, s1=s1, dn=dn, money_choice_60000=lambda: c.money(c.r.choice([60000, 85000, 120000]))))))
        blocks.append(P(c.pick(c.say("rat.para_6"))))
        blocks.append(Q(c.pick(c.say("rat.quote", n0_person_true=lambda: c.person(female=True)[0], n0_person_false=lambda: c.person(female=False)[0]))))
    if c.chance(0.4):
        blocks.append(P(c.say("rat.para_7")))
    preview = kind != "bv" and "kommt" in blocks[0]["text"]
    return art(title, blocks, category="Politik", topic="rat", report=True,
               pools=["rat"] if preview else ["rat_sitzung", "rat"])


def t_fraktion(c: Ctx):
    party = c.pick(["spd", "cdu", "gruene", "fdp"])
    sender = {"spd": "SPD-Fraktion", "cdu": "CDU-Fraktion", "gruene": "Bündnis 90/Die Grünen", "fdp": "FDP-Fraktion"}[party]
    topic_ = c.pick(["schule", "verkehr", "gewerbe", "klima", "sicherheit", "wohnen"])
    s1 = c.street()
    what = {
        "schule": ("Schulsanierung beschleunigen", c.say("fraktion.what_schule"),
                   c.say("fraktion.what_schule_2")),
        "verkehr": (c.say("fraktion.what_verkehr", s1=s1), c.say("fraktion.what_verkehr_2", s1=s1),
                    c.say("fraktion.what_verkehr_3")),
        "gewerbe": (c.say("fraktion.what_gewerbe"), c.say("fraktion.what_gewerbe_2"),
                    c.say("fraktion.what_gewerbe_3")),
        "klima": ("Klimaschutz ernst nehmen", c.say("fraktion.what_klima"),
                  c.say("fraktion.what_klima_2")),
        "sicherheit": (c.say("fraktion.what_sicherheit"), c.say("fraktion.what_sicherheit_2"),
                       c.say("fraktion.what_sicherheit_3")),
        "wohnen": ("Bezahlbaren Wohnraum schaffen", c.say("fraktion.what_wohnen"),
                   c.say("fraktion.what_wohnen_2")),
    }[topic_]
    title = c.pick([what[0], f"{sender}: {what[0]}", c.say("fraktion.title", sender=sender, what_0=lambda: what[0]) if party != "gruene" else f"Grüne: {what[0]}"])
    nd = c.future(10, 35)
    blocks = [
        P(c.say("fraktion.para", sender_ratsfraktion_von=lambda: sender if party != 'gruene' else c.say("fraktion.sender_ratsfraktion_von"), what_1=lambda: what[1], nd=nd, what_2=lambda: what[2])),
        Q(c.pick(c.say("fraktion.quote", party=party))),
        P(c.pick(c.say("fraktion.para_2"))),
    ]
    if c.chance(0.3):
        blocks.append(P(c.say("fraktion.para_3")))
    return art(title, blocks, category="Politik", topic="rat", sender=sender)


WAHL_DATES = {"2004-09-16": ("Kommunalwahl", "2004-09-26"), "2009-08-18": ("Kommunalwahl", "2009-08-30"),
              "2017-09-12": ("Bundestagswahl", "2017-09-24"), "2020-09-01": ("Kommunalwahl", "2020-09-13")}


def t_wahl(c: Ctx):
    kind, wd = WAHL_DATES[c.d.isoformat()]
    wd = D(wd)
    rows = [["Stimmbezirk", "Wahllokal", "Anschrift"]]
    places = [("Grundschule", "Schulstraße"), ("Gemeindehaus St. Antonius", "Kirchstraße"), ("Seniorenzentrum", "Lindenstraße"),
              ("Turnhalle der Realschule", "Uhlandstraße"), ("Jugendhaus", "Gartenstraße"), ("Kita Sonnenschein", "Birkenweg"),
              ("Bürgerhaus", "Hauptstraße"), ("Feuerwache", "Burgstraße")]
    base = c.r.randint(1, 40) * 10
    for i, (pl, st) in enumerate(c.r.sample(places, 6)):
        rows.append([str(base + i + 1), pl, c.addr(st)])
    title = c.pick(c.say("wahl.title", kind=kind, year_wd=lambda: wd.year))
    blocks = [
        P(c.say("wahl.para", kind=kind, wd=wd)),
        P(c.say("wahl.para_2")),
        T(rows),
        P(c.say("wahl.para_3")),
    ]
    return art(title, blocks, category="Verwaltung", topic="verwaltung")


def t_ausschuss_umwelt(c: Ctx):
    comm = c.say("ausschuss_umwelt.comm")
    kind = c.pick(["baumschutz", "laerm", "hunde", "gruen"])
    nd = c.future(5, 25)
    if kind == "baumschutz":
        title = c.pick(c.say("ausschuss_umwelt.title"))
        blocks = [
            P(c.say("ausschuss_umwelt.para", comm=comm, nd=nd)),
            P(c.say("ausschuss_umwelt.para_2")),
        ]
        top = "umwelt"
    elif kind == "laerm":
        title = c.pick(c.say("ausschuss_umwelt.title_2"))
        blocks = [
            P(c.say("ausschuss_umwelt.para_3", comm=comm, nd=nd)),
            P(c.say("ausschuss_umwelt.para_4", fd_long_nd=lambda: c.fd(nd + dt.timedelta(days=40), 'long'))),
        ]
        top = "umwelt"
    elif kind == "hunde":
        title = c.pick(c.say("ausschuss_umwelt.title_3"))
        blocks = [
            P(c.say("ausschuss_umwelt.para_5", comm=comm)),
            P(c.say("ausschuss_umwelt.para_6")),
        ]
        top = "rat"
    else:
        title = c.pick(c.say("ausschuss_umwelt.title_4"))
        blocks = [
            P(c.say("ausschuss_umwelt.para_7", comm=comm)),
            P(c.say("ausschuss_umwelt.para_8", randint_12_30=lambda: c.r.randint(12, 30), money_choice_40000=lambda: c.money(c.r.choice([40000, 60000, 80000])))),
        ]
        top = "umwelt"
    blocks.append(Q(c.pick([
        c.say("ausschuss_umwelt.quote").replace("in dessen", "in deren" if c.fem('sozdez') else "in dessen"),
        c.say("ausschuss_umwelt.quote_2"),
    ])))
    return art(title, blocks, category=c.pick(["Umwelt", "Politik"]), topic=top, report=True)


def t_umwelt(c: Ctx):
    kind = c.pick(["baeume", "umwelttag", "klima", "hochwasser", "luft", "energie"])
    if kind == "baeume" and 3 <= c.d.month <= 9:
        kind = "klima"
    if kind == "umwelttag" and not 2 <= c.d.month <= 4:
        kind = "luft"
    if kind == "baeume":
        dn = c.district(code=c.chance(0.6))
        k = c.r.randint(12, 60)
        title = c.pick(c.say("umwelt.title", dn=dn, k=k))
        blocks = [
            P(c.say("umwelt.para", k=k, dn=dn)),
            P(c.say("umwelt.para_2")),
        ]
    elif kind == "umwelttag":
        ev = c.next_wd(5, 7, 25)
        title = c.pick(c.say("umwelt.title_2"))
        blocks = [
            P(c.say("umwelt.para_3", ev=ev, num_randint_2500=lambda: num(c.r.randint(2500, 5200)), randint_14_30=lambda: c.r.randint(14, 30))),
            P(c.say("umwelt.para_4", fd_dm_ev=lambda: c.fd(ev - dt.timedelta(days=7), 'dm'))),
        ]
    elif kind == "klima":
        title = c.pick(["Klimaschutzkonzept vorgestellt", c.say("umwelt.title_3") if c.y >= 2019 else c.say("umwelt.title_4")])
        blocks = [
            P(c.say("umwelt.para_5", randint_40_90=lambda: c.r.randint(40, 90))),
            P(c.say("umwelt.para_6")),
        ]
    elif kind == "hochwasser":
        title = c.pick(c.say("umwelt.title_5"))
        blocks = [
            P(c.say("umwelt.para_7", money_choice_4800000=lambda: c.money(c.r.choice([4800000, 7200000, 9500000])))),
            P(c.say("umwelt.para_8")),
        ]
    elif kind == "luft":
        title = c.pick(c.say("umwelt.title_6"))
        blocks = [
            P(c.say("umwelt.para_9", randint_31_39=lambda: c.r.randint(31, 39))),
            P(c.say("umwelt.para_10")),
        ]
    else:
        title = c.pick(c.say("umwelt.title_7"))
        blocks = [
            P(c.say("umwelt.para_11", wz_randint_5=lambda: wz(c.r.randint(5, 12)), num_1000_randint=lambda: num(c.r.randint(400, 1200) * 1000))),
            P(c.say("umwelt.para_12")),
        ]
    if c.chance(0.5):
        blocks.append(Q(c.pick(c.say("umwelt.quote"))))
    if c.chance(0.5):
        blocks.append(P(c.say("umwelt.para_13")))
    return art(title, blocks, category="Umwelt", topic="umwelt")


def t_abfall(c: Ctx):
    kind = c.pick(["feiertag", "biotonne", "sperrmuell"])
    if kind == "feiertag" and 7 <= c.d.month <= 10:
        kind = "biotonne"
    if kind == "feiertag":
        hol = {3: ("Ostern", "Karfreitag und Ostermontag"), 4: ("Ostern", "Karfreitag und Ostermontag"),
               5: ("Pfingsten", "Pfingstmontag"), 6: ("Pfingsten", "Pfingstmontag")}.get(
            c.d.month, ("Weihnachten", "der Weihnachtsfeiertage"))
        title = c.say("abfall.title", hol_0=lambda: hol[0])
        blocks = [
            P(c.say("abfall.para", hol_1=lambda: hol[1])),
            P(c.say("abfall.para_2")),
        ]
    elif kind == "biotonne":
        title = c.pick(c.say("abfall.title_2"))
        blocks = [
            P(c.say("abfall.para_3", my_future_40=lambda: c.my(c.future(40, 120)))),
            P(c.say("abfall.para_4")),
        ]
    else:
        title = c.pick(c.say("abfall.title_3"))
        blocks = [
            P(c.say("abfall.para_5")),
            P(c.say("abfall.para_6")),
        ]
    return art(title, blocks, category="Umwelt", topic="umwelt")


def t_wirtschaft(c: Ctx):
    kind = c.pick(["gewerbegebiet", "ansiedlung", "innenstadt", "markt", "gruender", "konjunktur"])
    if kind == "gewerbegebiet":
        dn = c.district(code=c.chance(0.6))
        ha = dec(c.r.uniform(4, 22))
        title = c.pick(c.say("wirtschaft.title", dn=dn))
        blocks = [
            P(c.say("wirtschaft.para", dn=dn, ha=ha, fuzzy_future_30=lambda: c.fuzzy(c.future(30, 90)))),
            P(c.say("wirtschaft.para_2", randint_250_700=lambda: c.r.randint(250, 700))),
        ]
    elif kind == "ansiedlung":
        title = c.pick(c.say("wirtschaft.title_2"))
        blocks = [
            P(c.say("wirtschaft.para_3", y_2=lambda: c.y + 2, randint_120_260=lambda: c.r.randint(120, 260))),
            P(c.say("wirtschaft.para_4", money_choice_18000000=lambda: c.money(c.r.choice([18000000, 25000000, 32000000])))),
        ]
    elif kind == "innenstadt":
        title = c.pick(c.say("wirtschaft.title_3"))
        blocks = [
            P(c.say("wirtschaft.para_5", randint_14_32=lambda: c.r.randint(14, 32))),
            P(c.say("wirtschaft.para_6")),
        ]
    elif kind == "markt":
        dn = c.district()
        title = c.pick(c.say("wirtschaft.title_4", dn=dn))
        blocks = [
            P(c.say("wirtschaft.para_7", dn=dn, fd_future_10=lambda: c.fd(c.future(10, 30)))),
            P(c.say("wirtschaft.para_8")),
        ]
    elif kind == "gruender":
        title = c.pick(c.say("wirtschaft.title_5"))
        blocks = [
            P(c.say("wirtschaft.para_9", money_choice_5000=lambda: c.money(c.r.choice([5000, 7500, 10000])))),
            P(c.say("wirtschaft.para_10")),
        ]
    else:
        title = c.pick(c.say("wirtschaft.title_6"))
        blocks = [
            P(c.say("wirtschaft.para_11", randint_150_320=lambda: c.r.randint(150, 320))),
            P(c.say("wirtschaft.para_12")),
        ]
    blocks.append(Q(c.pick(c.say("wirtschaft.quote"))))
    if c.chance(0.4):
        blocks.append(P(c.say("wirtschaft.para_13")))
    return art(title, blocks, category="Wirtschaft", topic="wirtschaft", sender=c.pick(["Stadtverwaltung", "Stadtverwaltung", "Internet Initiative"]) if c.y < 2007 else "Stadtverwaltung")


def t_handwerk(c: Ctx):
    kind = c.pick(["freisprechung", "lehrstellen", "meister"])
    if kind == "freisprechung":
        k = c.r.randint(180, 320)
        title = c.pick(c.say("handwerk.title", k=k))
        blocks = [
            P(c.say("handwerk.para", k=k)),
            P(c.say("handwerk.para_2")),
        ]
    elif kind == "lehrstellen":
        title = c.pick(c.say("handwerk.title_2"))
        blocks = [
            P(c.say("handwerk.para_3", randint_80_190=lambda: c.r.randint(80, 190), am_future_5=lambda: c.am(c.future(5, 20)))),
            P(c.say("handwerk.para_4")),
        ]
    else:
        title = c.pick(c.say("handwerk.title_3"))
        blocks = [
            P(c.say("handwerk.para_5", randint_30_60=lambda: c.r.randint(30, 60))),
            P(c.say("handwerk.para_6")),
        ]
    blocks.append(Q(c.say("handwerk.quote")))
    return art(title, blocks, category="Wirtschaft", topic="wirtschaft", sender="Kreishandwerkerschaft")


def t_schule(c: Ctx):
    kind = c.pick(["sanierung", "anmeldung", "ogs", "digital", "neubau"])
    if kind == "sanierung":
        dn = c.district(code=c.chance(0.6))
        title = c.pick(c.say("schule.title", dn=dn))
        blocks = [
            P(c.say("schule.para", dn=dn, money_choice_850000=lambda: c.money(c.r.choice([850000, 1200000, 1900000])))),
            P(c.say("schule.para_2")),
        ]
    elif kind == "anmeldung":
        d1 = c.future(10, 30)
        d2 = d1 + dt.timedelta(days=c.r.randint(4, 11))
        title = c.pick(c.say("schule.title_2"))
        blocks = [
            P(c.say("schule.para_3", rng_d1_d2=lambda: c.rng_(d1, d2))),
            P(c.say("schule.para_4")),
        ]
    elif kind == "ogs":
        title = c.pick(c.say("schule.title_3"))
        n = c.r.randint(150, 420)
        blocks = [
            P(c.say("schule.para_5", n=n, num_randint_3200=lambda: num(c.r.randint(3200, 4800)))),
            P(c.say("schule.para_6")),
        ]
    elif kind == "digital":
        title = c.pick(c.say("schule.title_4"))
        blocks = [
            P(c.say("schule.para_7", num_randint_2500=lambda: num(c.r.randint(2500, 6500)))),
            P(c.say("schule.para_8")),
        ]
    else:
        dn = c.district(code=c.chance(0.6))
        title = c.pick(c.say("schule.title_5", dn=dn))
        blocks = [
            P(c.say("schule.para_9", dn=dn, y_2=lambda: c.y + 2, n100_y_3=lambda: (c.y + 3) % 100, money_choice_14000000=lambda: c.money(c.r.choice([14000000, 18000000, 22000000])))),
            P(c.say("schule.para_10")),
        ]
    blocks.append(Q(c.pick(c.say("schule.quote"))))
    if c.chance(0.4):
        blocks.append(P(c.say("schule.para_11")))
    return art(title, blocks, category="Bildung", topic="bildung")


def t_verwaltung(c: Ctx):
    kind = c.pick(["buergerbuero", "ausweis", "standesamt", "personal", "termine"])
    if kind == "buergerbuero":
        title = c.pick(c.say("verwaltung.title"))
        blocks = [
            P(c.say("verwaltung.para", fd_future_7=lambda: c.fd(c.future(7, 25)))),
            P(c.say("verwaltung.para_2")),
        ]
    elif kind == "ausweis":
        title = c.pick(c.say("verwaltung.title_2"))
        blocks = [
            P(c.say("verwaltung.para_3")),
            P(c.say("verwaltung.para_4")),
        ]
    elif kind == "standesamt":
        title = c.pick(c.say("verwaltung.title_3"))
        blocks = [
            P(c.say("verwaltung.para_5")),
            P(c.say("verwaltung.para_6", randint_580_820=lambda: c.r.randint(580, 820))),
        ]
    elif kind == "personal":
        title = c.pick(c.say("verwaltung.title_4"))
        blocks = [
            P(c.say("verwaltung.para_7", randint_40_75=lambda: c.r.randint(40, 75))),
            P(c.say("verwaltung.para_8", fd_long_future=lambda: c.fd(c.future(30, 60), 'long'))),
        ]
    else:
        title = c.pick(c.say("verwaltung.title_5"))
        blocks = [
            P(c.say("verwaltung.para_9")),
            P(c.say("verwaltung.para_10")),
        ]
    if c.chance(0.5):
        blocks.append(Q(c.say("verwaltung.quote")))
    return art(title, blocks, category="Verwaltung", topic="verwaltung")


def t_internet(c: Ctx):
    kind = c.pick(["portal", "cafe", "stadtplan"])
    if kind == "portal":
        title = c.pick(c.say("internet.title"))
        blocks = [
            P(c.say("internet.para", num_1000_randint=lambda: num(c.r.randint(40, 95) * 1000))),
            P(c.say("internet.para_2")),
        ]
    elif kind == "cafe":
        title = c.pick(c.say("internet.title_2"))
        blocks = [
            P(c.say("internet.para_3", fd_future_7=lambda: c.fd(c.future(7, 25)))),
            P(c.say("internet.para_4")),
        ]
    else:
        title = c.pick(c.say("internet.title_3"))
        blocks = [
            P(c.say("internet.para_5")),
            P(c.say("internet.para_6")),
        ]
    blocks.append(P(c.say("internet.para_7")))
    return art(title, blocks, category="Verwaltung", topic="verwaltung", sender="Internet Initiative")


def t_soziales(c: Ctx):
    kind = c.pick(["senioren", "kaelte", "kita", "jugend", "tafel", "pflege", "barriere"])
    if kind == "kaelte" and 3 <= c.d.month <= 9:
        kind = "tafel"
    if kind == "senioren" and not 4 <= c.d.month <= 8:
        kind = "pflege"
    if kind == "senioren":
        title = c.pick(c.say("soziales.title"))
        blocks = [
            P(c.say("soziales.para", am_future_7=lambda: c.am(c.future(7, 30)))),
            P(c.say("soziales.para_2")),
            Q(c.say("soziales.quote")),
        ]
    elif kind == "kaelte":
        title = c.pick(c.say("soziales.title_2"))
        blocks = [
            P(c.say("soziales.para_3")),
            P(c.say("soziales.para_4")),
        ]
    elif kind == "kita":
        n = c.r.randint(180, 450)
        title = c.pick(c.say("soziales.title_3"))
        blocks = [
            P(c.say("soziales.para_5", n=n)),
            P(c.say("soziales.para_6")),
        ]
    elif kind == "jugend":
        dn = c.district(code=c.chance(0.6))
        title = c.pick(c.say("soziales.title_4", dn=dn))
        blocks = [
            P(c.say("soziales.para_7", dn=dn)),
            P(c.say("soziales.para_8")),
        ]
    elif kind == "tafel":
        title = c.pick(c.say("soziales.title_5"))
        blocks = [
            P(c.say("soziales.para_9", num_randint_1400=lambda: num(c.r.randint(1400, 2600)))),
            P(c.say("soziales.para_10")),
        ]
    elif kind == "pflege":
        title = c.pick(c.say("soziales.title_6"))
        blocks = [
            P(c.say("soziales.para_11")),
            P(c.say("soziales.para_12", num_randint_1200=lambda: num(c.r.randint(1200, 2400)))),
        ]
    else:
        title = c.pick(c.say("soziales.title_7"))
        blocks = [
            P(c.say("soziales.para_13", randint_40_70=lambda: c.r.randint(40, 70))),
            P(c.say("soziales.para_14")),
        ]
    if c.chance(0.4):
        blocks.append(P(c.say("soziales.para_15")))
    return art(title, blocks, category="Soziales", topic="soziales",
               sender=c.pick(["Stadtverwaltung", "Caritasverband Leverkusen"]) if kind in ("kaelte", "tafel", "pflege") else "Stadtverwaltung")


# ===========================================================================
# Hard negatives: migrants mentioned in passing, article not about integration
# ===========================================================================
def t_hardneg(c: Ctx):
    v = c.variant_name
    if v == "bevoelkerung":
        pop = c.r.randint(161000, 166500)
        title = c.pick(c.say("hardneg.title", pop=pop))
        blocks = [
            P(c.say("hardneg.para", fd_long_date=lambda: c.fd(dt.date(c.y - 1, 12, 31), 'long'), pop=pop, randint_300_1200=lambda: c.r.randint(300, 1200))),
            P(c.say("hardneg.para_2", num_randint_1750=lambda: num(c.r.randint(1750, 1950)), num_randint_1450=lambda: num(c.r.randint(1450, 1650)), dec_uniform=lambda: dec(c.r.uniform(12.5, 16.5)))),
            P(c.say("hardneg.para_3", dec_uniform=lambda: dec(c.r.uniform(44.0, 45.5)))),
            P(c.say("hardneg.para_4")),
        ]
        return art(title, blocks, category="Verwaltung", topic="verwaltung", pools=["verwaltung"])
    if v == "haushalt_fluechtlinge":
        title = c.say("hardneg.title_2")
        blocks = [
            P(c.say("hardneg.para_5", money_choice_38000000=lambda: c.money(c.r.choice([38000000, 44000000])))),
            P(c.say("hardneg.para_6")),
            Q(c.say("hardneg.quote")),
            P(c.say("hardneg.para_7")),
        ]
        return art(title, blocks, category="Politik", topic="rat", report=True, pools=["haushalt"])
    if v == "stadtfest":
        ev = c.next_wd(5, 10, 30)
        title = c.pick(c.say("hardneg.title_3"))
        blocks = [
            P(c.say("hardneg.para_8", ev=ev)),
            P(c.say("hardneg.para_9")),
            P(c.say("hardneg.para_10")),
            Q(c.say("hardneg.quote_2")),
        ]
        return art(title, blocks, category="Kultur", topic="kultur_sport", pools=["kultur"])
    if v == "sportplatz":
        dn = c.district("Küppersteg")
        title = c.say("hardneg.title_4")
        blocks = [
            P(c.say("hardneg.para_11", dn=dn, money_choice_620000=lambda: c.money(c.r.choice([620000, 740000])))),
            P(c.say("hardneg.para_12")),
            Q(c.say("hardneg.quote_3")),
            P(c.say("hardneg.para_13")),
        ]
        return art(title, blocks, category="Sport", topic="kultur_sport", pools=["sport"])
    if v == "brand_leerstand":
        c.district("Opladen")
        title = c.say("hardneg.title_5")
        blocks = [
            P(c.say("hardneg.para_14", am_wd_dm_past=lambda: c.am(c.past(1, 2), 'wd_dm'))),
            P(c.say("hardneg.para_15")),
            P(c.say("hardneg.para_16")),
        ]
        return art(title, blocks, category="Polizei", topic="sicherheit", sender="Polizeipräsidium Köln", pools=["polizei"])
    if v == "kita_neubau":
        c.district("Opladen")
        title = c.say("hardneg.title_6")
        blocks = [
            P(c.say("hardneg.para_17")),
            P(c.say("hardneg.para_18", money_4100000=lambda: c.money(4100000))),
            Q(c.say("hardneg.quote_4")),
            P(c.say("hardneg.para_19")),
        ]
        return art(title, blocks, category="Soziales", topic="soziales", pools=["soziales"])
    if v == "briefwahl":
        title = c.say("hardneg.title_7")
        blocks = [
            P(c.say("hardneg.para_20")),
            P(c.say("hardneg.para_21")),
            P(c.say("hardneg.para_22")),
        ]
        return art(title, blocks, category="Verwaltung", topic="verwaltung", pools=["verwaltung"])
    if v == "vhs_programm":
        n = c.r.randint(900, 1400)
        title = c.pick(c.say("hardneg.title_8"))
        blocks = [
            P(c.say("hardneg.para_23", n=n, am_future_14=lambda: c.am(c.future(14, 30)))),
            P(c.say("hardneg.para_24")),
            Q(c.say("hardneg.quote_5")),
            P(c.say("hardneg.para_25")),
        ]
        return art(title, blocks, category="Bildung", topic="bildung", sender="VHS Leverkusen", pools=["bildung"])
    if v == "arbeitsmarkt":
        q = dec(c.r.uniform(6.5, 8.9))
        title = c.pick(c.say("hardneg.title_9", q=q))
        blocks = [
            P(c.say("hardneg.para_26", months_12_month=lambda: MONTHS[(c.d.month - 2) % 12], num_randint_6400=lambda: num(c.r.randint(6400, 8200)), randint_80_260=lambda: c.r.randint(80, 260), q=q)),
            P(c.say("hardneg.para_27")),
            P(c.say("hardneg.para_28", randint_380_720=lambda: c.r.randint(380, 720))),
        ]
        return art(title, blocks, category="Wirtschaft", topic="wirtschaft", pools=["wirtschaft"])
    # schulentwicklung
    title = c.say("hardneg.title_10")
    blocks = [
        P(c.say("hardneg.para_29", am_future_5=lambda: c.am(c.future(5, 20)), num_randint_700=lambda: num(c.r.randint(700, 1100)))),
        P(c.say("hardneg.para_30")),
        Q(c.say("hardneg.quote_6")),
        P(c.say("hardneg.para_31", money_choice_180000000=lambda: c.money(c.r.choice([180000000, 210000000])))),
    ]
    return art(title, blocks, category="Bildung", topic="bildung", report=True, pools=["bildung"])


# ===========================================================================
# Extension paragraphs: topic pools used to bring short articles to length
# ===========================================================================
def x_verkehr(c: Ctx):
    s1, s2 = c.streets(2)
    dn = c.dname or c.r.choice(DISTRICTS)[0]
    online = c.y >= 2006
    return c.say("extensions.verkehr.text", aktuelle_hinweise_zu=lambda: c.say("extensions.verkehr.aktuelle_hinweise_zu") if online else c.say("extensions.verkehr.aktuelle_hinweise_zu_2"), num_randint_480=lambda: num(c.r.randint(480, 560)), dn=dn, fuzzy_past_40=lambda: c.fuzzy(c.past(40, 120)), s1=s1, s2=s2)


def x_kultur(c: Ctx):
    return c.say("extensions.kultur.text", num_1000_randint=lambda: num(c.r.randint(180, 260) * 1000), den_monatlichen_newsletter=lambda: c.say("extensions.kultur.den_monatlichen_newsletter") if c.y >= 2008 else c.say("extensions.kultur.den_monatlichen_newsletter_2"), fuzzy_future_60=lambda: c.fuzzy(c.future(60, 120), year=False))


def x_sport(c: Ctx):
    return c.say("extensions.sport.text", num_10_randint=lambda: num(c.r.randint(15, 19) * 10), num_1000_randint=lambda: num(c.r.randint(48, 56) * 1000))


def x_polizei(c: Ctx):
    return [
        c.say("extensions.polizei.text"),
        c.say("extensions.polizei.text_2"),
        c.say("extensions.polizei.text_3", am_dm_past=lambda: c.am(c.past(8, 30), 'dm')),
        c.say("extensions.polizei.text_4", randint_46_55=lambda: c.r.randint(46, 55)),
        c.say("extensions.polizei.text_5"),
        c.say("extensions.polizei.text_6"),
        c.say("extensions.polizei.text_7", dname_allen_stadtteilen=lambda: c.dname or 'allen Stadtteilen'),
        c.say("extensions.polizei.text_8") if c.y >= 2014 else c.say("extensions.polizei.text_9"),
        c.say("extensions.polizei.text_10"),
        c.say("extensions.polizei.text_11"),
    ]


def x_feuerwehr(c: Ctx):
    return c.say("extensions.feuerwehr.text", wz_randint_2=lambda: wz(c.r.randint(2, 3)), money_choice_9000000=lambda: c.money(c.r.choice([9000000, 12000000, 16000000])))


def x_rat(c: Ctx):
    return [
        c.say("extensions.rat.text"),
        c.say("extensions.rat.text_2", der_oberbuergermeisterin_or=lambda: 'der Oberbürgermeisterin' if c.fem('ob') else 'dem Oberbürgermeister', choice_52_56=lambda: c.r.choice([52, 56, 58, 60])),
        c.say("extensions.rat.text_3"),
        c.say("extensions.rat.text_4"),
        c.say("extensions.rat.text_5", am_future_25=lambda: c.am(c.future(25, 50))),
        c.say("extensions.rat.text_6"),
        c.say("extensions.rat.text_7", my_future_60=lambda: c.my(c.future(60, 150))),
        c.say("extensions.rat.text_8"),
        c.say("extensions.rat.text_9"),
        c.say("extensions.rat.text_10") if c.y >= 2006 else c.say("extensions.rat.text_11"),
        c.say("extensions.rat.text_12", fuzzy_future_40=lambda: c.fuzzy(c.future(40, 90))),
    ]


def x_rat_sitzung(c: Ctx):
    return c.say("extensions.rat_sitzung.text", randint_40_75=lambda: c.r.randint(40, 75))


def x_umwelt(c: Ctx):
    app = c.y >= 2013
    return c.say("extensions.umwelt.text", num_100_randint=lambda: num(c.r.randint(20, 45) * 100), die_abfall_app_erinnert=lambda: c.say("extensions.umwelt.die_abfall_app_erinnert") if app else '', num_1000_randint=lambda: num(c.r.randint(30, 38) * 1000), num_1000_randint_2=lambda: num(c.r.randint(12, 19) * 1000), wz_randint_6=lambda: wz(c.r.randint(6, 9)))


def x_wirtschaft(c: Ctx):
    return c.say("extensions.wirtschaft.text", randint_120_260=lambda: c.r.randint(120, 260), num_randint_1100=lambda: num(c.r.randint(1100, 1400)))


def x_bildung(c: Ctx):
    return c.say("extensions.bildung.text", randint_50_56=lambda: c.r.randint(50, 56), num_1000_randint=lambda: num(c.r.randint(21, 24) * 1000), am_past_20=lambda: c.am(c.past(20, 60)))


def x_verwaltung(c: Ctx):
    online = c.y >= 2008
    return c.say("extensions.verwaltung.text", viele_formulare_stehen=lambda: c.say("extensions.verwaltung.viele_formulare_stehen") if online else c.say("extensions.verwaltung.viele_formulare_stehen_2"), num_100_randint=lambda: num(c.r.randint(28, 34) * 100))


def x_soziales(c: Ctx):
    return c.say("extensions.soziales.text", am_past_20=lambda: c.am(c.past(20, 60)), money_choice_45000=lambda: c.money(c.r.choice([45000, 80000, 120000, 160000])))


# --- integration pools -------------------------------------------------------
def x_int_sprache(c: Ctx):
    return [
        c.say("extensions.int_sprache.text") if c.y >= 2005 else
        c.say("extensions.int_sprache.text_2"),
        c.say("extensions.int_sprache.text_3"),
        c.say("extensions.int_sprache.text_4", num_100_randint=lambda: num(c.r.randint(6, 14) * 100)),
        c.say("extensions.int_sprache.text_5"),
        c.say("extensions.int_sprache.text_6"),
        c.say("extensions.int_sprache.text_7"),
        c.say("extensions.int_sprache.text_8"),
        c.say("extensions.int_sprache.text_9"),
    ]


def x_int_bildung(c: Ctx):
    return c.say("extensions.int_bildung.text", randint_35_48=lambda: c.r.randint(35, 48))


def x_int_arbeit(c: Ctx):
    return c.say("extensions.int_arbeit.text")


def x_int_wohnen(c: Ctx):
    return c.say("extensions.int_wohnen.text")


def x_int_gesundheit(c: Ctx):
    return c.say("extensions.int_gesundheit.text")


def x_int_engagement(c: Ctx):
    return c.say("extensions.int_engagement.text", randint_30_60=lambda: c.r.randint(30, 60), randint_60_140=lambda: c.r.randint(60, 140))


def x_int_dialog(c: Ctx):
    return c.say("extensions.int_dialog.text", wz_randint_7=lambda: wz(c.r.randint(7, 11)), choice_viermal_dreimal=lambda: c.r.choice(['viermal', 'dreimal', 'sechsmal']))


def x_int_senioren(c: Ctx):
    return c.say("extensions.int_senioren.text")


def x_haushalt(c: Ctx):
    return c.say("extensions.haushalt.text", money_choice_180000000=lambda: c.money(c.r.choice([180000000, 240000000, 310000000])))


def x_internet(c: Ctx):
    return c.say("extensions.internet.text")


def x_polizei_verkehr(c: Ctx):
    return c.say("extensions.polizei_verkehr.text")


def x_mrat(c: Ctx):
    return c.say("extensions.mrat.text", im_internet_or_durch=lambda: 'im Internet' if c.y >= 2006 else c.say("extensions.mrat.im_internet_or_durch"))


def x_einb(c: Ctx):
    return c.say("extensions.einb.text")


EXTRA_POOLS = {
    "verkehr": x_verkehr, "kultur": x_kultur, "sport": x_sport, "polizei": x_polizei, "feuerwehr": x_feuerwehr,
    "rat": x_rat, "rat_sitzung": x_rat_sitzung, "umwelt": x_umwelt, "haushalt": x_haushalt, "internet": x_internet,
    "polizei_verkehr": x_polizei_verkehr, "mrat": x_mrat, "einb": x_einb, "wirtschaft": x_wirtschaft, "bildung": x_bildung, "verwaltung": x_verwaltung,
    "soziales": x_soziales, "sprache": x_int_sprache, "bildung_i": x_int_bildung, "arbeit": x_int_arbeit,
    "wohnen": x_int_wohnen, "gesundheit": x_int_gesundheit, "engagement": x_int_engagement, "dialog": x_int_dialog,
    "senioren": x_int_senioren,
}
TEMPLATE_POOLS = {
    "t_baustelle": ["verkehr"], "t_baustellen_uebersicht": ["verkehr"], "t_oepnv": ["verkehr"],
    "t_kultur": ["kultur"], "t_ausstellung": ["kultur"], "t_sport": ["sport"], "t_sportlerehrung": ["sport"],
    "t_polizei": ["polizei"], "t_feuerwehr": ["feuerwehr"], "t_haushalt": ["haushalt"], "t_rat": ["rat_sitzung", "rat"],
    "t_fraktion": ["rat"], "t_wahl": ["verwaltung"], "t_ausschuss_umwelt": ["umwelt", "rat"], "t_umwelt": ["umwelt"],
    "t_abfall": ["umwelt"], "t_wirtschaft": ["wirtschaft"], "t_handwerk": ["wirtschaft"], "t_schule": ["bildung"],
    "t_verwaltung": ["verwaltung"], "t_internet": ["internet"], "t_soziales": ["soziales"],
}
HARDNEG_POOLS = {"rat": "haushalt", "verwaltung": "verwaltung", "kultur_sport": "kultur", "sicherheit": "polizei",
                 "soziales": "soziales", "bildung": "bildung", "wirtschaft": "wirtschaft"}


INTEGRATION_POOLS = {
    "t_sprachkurs": ["sprache"], "t_sprachcafe": ["sprache", "engagement"], "t_seiteneinsteiger": ["bildung_i"],
    "t_kita_eltern": ["bildung_i"], "t_anerkennung": ["arbeit"], "t_ausbildungspaten": ["arbeit", "engagement"],
    "t_fluechtlingsbericht": ["wohnen"], "t_unterkunft": ["wohnen"], "t_gesundheit": ["gesundheit"],
    "t_sport_integration": ["engagement", "sport"], "t_ehrenamt": ["engagement"], "t_fastenbrechen": ["dialog"],
    "t_moschee_dialog": ["dialog"], "t_senioren_migration": ["senioren"], "t_migrantenrat": ["mrat"],
    "t_iwoche": ["dialog", "engagement"], "t_einbuergerung": ["einb"], "t_konzept": [],
}


def extension_pools(fn_name, a):
    if a.get("pools") is not None:
        return a["pools"]
    if fn_name in INTEGRATION_POOLS:
        return INTEGRATION_POOLS[fn_name]
    if fn_name in TEMPLATE_POOLS:
        return TEMPLATE_POOLS[fn_name]
    if a["fields"]:
        pools = [("bildung_i" if f == "bildung" else f) for f in a["fields"]]
        return pools
    return [HARDNEG_POOLS.get(a["topic"], "soziales")]


# ===========================================================================
# Plan: which template, how often, when
# ===========================================================================
YEAR_WEIGHT = {2000: 4, 2001: 4, 2002: 5, 2003: 5, 2004: 6, 2005: 6, 2006: 7, 2007: 7, 2008: 8, 2009: 8, 2010: 9,
               2011: 9, 2012: 10, 2013: 10, 2014: 11, 2015: 15, 2016: 15, 2017: 13, 2018: 13, 2019: 15, 2020: 14,
               2021: 14, 2022: 16, 2023: 6}

# (function, count, first year, last year, months or None)
RANGED = [
    # integration
    (t_sprachkurs, 5, 2000, 2023, None),
    (t_sprachcafe, 4, 2009, 2023, None),
    (t_seiteneinsteiger, 5, 2000, 2023, None),
    (t_kita_eltern, 5, 2003, 2023, None),
    (t_anerkennung, 5, 2006, 2023, None),
    (t_ausbildungspaten, 4, 2007, 2023, None),
    (t_sport_integration, 4, 2004, 2023, (3, 4, 5, 6, 7, 8, 9, 10)),
    (t_ehrenamt, 5, 2014, 2023, None),
    (t_iwoche, 3, 2002, 2022, (9,)),
    (t_einbuergerung, 2, 2009, 2023, None),
    (t_migrationsberatung, 3, 2005, 2023, None),
    # ordinary
    (t_baustelle, 12, 2000, 2023, (2, 3, 4, 5, 6, 7, 8, 9, 10, 11)),
    (t_baustellen_uebersicht, 2, 2003, 2022, (6,)),
    (t_oepnv, 5, 2000, 2022, None),
    (t_kultur, 9, 2000, 2023, None),
    (t_ausstellung, 5, 2000, 2023, None),
    (t_sport, 6, 2000, 2023, None),
    (t_sportlerehrung, 3, 2002, 2023, (1, 2, 3)),
    (t_polizei, 11, 2000, 2023, None),
    (t_feuerwehr, 5, 2000, 2023, None),
    (t_haushalt, 7, 2000, 2023, None),
    (t_rat, 9, 2000, 2023, (1, 2, 3, 4, 5, 6, 9, 10, 11, 12)),
    (t_fraktion, 7, 2000, 2023, None),
    (t_ausschuss_umwelt, 4, 2000, 2023, None),
    (t_umwelt, 7, 2000, 2023, None),
    (t_abfall, 3, 2002, 2023, None),
    (t_wirtschaft, 6, 2000, 2023, None),
    (t_handwerk, 3, 2000, 2023, (6, 7, 8, 9)),
    (t_schule, 6, 2000, 2023, None),
    (t_verwaltung, 5, 2000, 2023, None),
    (t_internet, 3, 2000, 2006, None),
    (t_soziales, 7, 2000, 2023, None),
]
# (function, variant, first day, last day) - one article each
WINDOWED = [
    (t_gesundheit, 0, "2008-01-01", "2014-12-31"),
    (t_gesundheit, 1, "2010-01-01", "2019-12-31"),
    (t_gesundheit, 2, "2016-01-01", "2020-02-28"),
    (t_gesundheit, 3, "2021-05-03", "2021-07-30"),
    (t_gesundheit, 4, "2003-01-01", "2023-03-20"),
    (t_moschee_dialog, "offene_moschee", None, None),
    (t_moschee_dialog, "gespraechskreis", "2005-01-01", "2023-02-28"),
    (t_moschee_dialog, "friedensgebet", "2015-11-16", "2016-03-31"),
    (t_moschee_dialog, "neubau", "2010-01-01", "2022-12-31"),
    (t_senioren_migration, "fruehstueck", "2005-01-01", "2023-03-20"),
    (t_senioren_migration, "pflege", "2006-01-01", "2023-03-20"),
    (t_senioren_migration, "demenz", "2010-01-01", "2023-03-20"),
    (t_senioren_migration, "beirat", "2008-01-01", "2023-03-20"),
    (t_senioren_migration, "fachtag", "2012-01-01", "2023-03-20"),
    (t_senioren_migration, "rente", "2005-01-01", "2023-03-20"),
    (t_hardneg, "bevoelkerung", "2012-02-01", "2019-04-30"),
    (t_hardneg, "haushalt_fluechtlinge", "2016-06-01", "2016-06-30"),
    (t_hardneg, "stadtfest", "2008-06-01", "2022-08-15"),
    (t_hardneg, "sportplatz", "2011-03-01", "2021-05-31"),
    (t_hardneg, "brand_leerstand", "2012-02-01", "2012-03-31"),
    (t_hardneg, "kita_neubau", "2014-04-01", "2014-06-30"),
    (t_hardneg, "briefwahl", "2014-04-22", "2014-04-29"),
    (t_hardneg, "vhs_programm", "2005-01-01", "2023-01-31"),
    (t_hardneg, "arbeitsmarkt", "2010-01-01", "2022-12-31"),
    (t_hardneg, "schulentwicklung", "2022-09-01", "2023-02-28"),
]
FIXED = (
    [(t_fluechtlingsbericht, i, v[0]) for i, v in enumerate(FB_YEARS.values())]
    + [(t_unterkunft, i, d) for i, d in enumerate(UNTERKUNFT_EVENTS)]
    + [(t_konzept, i, d) for i, d in enumerate(KONZEPT_DATES)]
    + [(t_ukraine, i, d) for i, d in enumerate(UKRAINE_DATES)]
    + [(t_migrantenrat, i, d) for i, d in enumerate(["2001-03-20", "2003-11-18", "2004-12-14", "2010-02-09",
                                                       "2014-07-08", "2020-11-24"])]
    + [(t_wahl, i, d) for i, d in enumerate(WAHL_DATES)]
)
FASTEN_YEARS = 4


def random_day(r: random.Random, a: dt.date, b: dt.date) -> dt.date:
    return a + dt.timedelta(days=r.randint(0, (b - a).days))


def weighted_year(r: random.Random, y1: int, y2: int) -> int:
    years = list(range(y1, y2 + 1))
    return r.choices(years, [YEAR_WEIGHT[y] for y in years])[0]


INTEGRATION_TEMPLATES = {t_sprachkurs, t_sprachcafe, t_seiteneinsteiger, t_kita_eltern, t_anerkennung,
                         t_ausbildungspaten, t_sport_integration, t_ehrenamt, t_iwoche, t_einbuergerung,
                         t_migrationsberatung, t_gesundheit, t_moschee_dialog, t_senioren_migration,
                         t_fluechtlingsbericht, t_unterkunft, t_konzept, t_ukraine, t_migrantenrat, t_fastenbrechen}


def build_plan(r: random.Random):
    """Fixed and windowed articles first, then ranged templates fill per-year quotas."""
    plan = []  # (date, fn, variant)
    for fn, variant, a, b in WINDOWED:
        if a is None:  # Tag der offenen Moschee: shortly before 3 October
            y = weighted_year(r, 2000, 2022)
            d = dt.date(y, 9, r.randint(22, 30))
        else:
            d = random_day(r, D(a), D(b))
        plan.append((d, fn, variant))
    for fn, variant, d in FIXED:
        plan.append((D(d), fn, variant))
    for y in sorted(r.sample(sorted(RAMADAN_START), FASTEN_YEARS)):
        plan.append((D(RAMADAN_START[y]) + dt.timedelta(days=r.randint(3, 16)), t_fastenbrechen, 0))

    total_w = sum(YEAR_WEIGHT.values())
    n_int = sum(n for fn, n, *_ in RANGED if fn in INTEGRATION_TEMPLATES) + sum(
        1 for d, fn, v in plan if fn in INTEGRATION_TEMPLATES)
    target_all = {y: N_ARTICLES * w / total_w for y, w in YEAR_WEIGHT.items()}
    target_int = {y: n_int * w / total_w for y, w in YEAR_WEIGHT.items()}
    have_all = Counter(d.year for d, fn, v in plan)
    have_int = Counter(d.year for d, fn, v in plan if fn in INTEGRATION_TEMPLATES)

    def choose_year(y1, y2, integ, months):
        years = [y for y in range(y1, y2 + 1)
                 if not (y == END.year and months is not None and not any(m <= END.month for m in months))]
        if integ:
            score = {y: (target_int[y] - have_int[y]) + 0.3 * (target_all[y] - have_all[y]) for y in years}
        else:
            score = {y: target_all[y] - have_all[y] for y in years}
        best = sorted(years, key=lambda y: -score[y])[:3]
        return r.choice(best)

    ranged = sorted(RANGED, key=lambda t: (t[0] not in INTEGRATION_TEMPLATES, t[3] - t[2], t[0].__name__))
    for fn, n, y1, y2, months in ranged:
        integ = fn in INTEGRATION_TEMPLATES
        for _ in range(n):
            y = choose_year(y1, y2, integ, months)
            last = min(dt.date(y, 12, 31), END - dt.timedelta(days=7))
            for _attempt in range(400):
                d = random_day(r, dt.date(y, 1, 1), last)
                if months is None or d.month in months:
                    break
            plan.append((d, fn, 0))
            have_all[y] += 1
            if integ:
                have_int[y] += 1
    plan.sort(key=lambda x: (x[0], x[1].__name__, str(x[2])))
    return plan


# ===========================================================================
# Post-processing
# ===========================================================================
FILLERS = POOLS["fillers"]
NACHLESEN = POOLS["nachlesen"]


def n_words(blocks):
    return sum(words_of(b) for b in blocks)


CONTACT_HINTS = tuple(POOLS["contact_hints"])


def fit(blocks, pools, c: Ctx, filler_key, gen: Gen, r: random.Random):
    """Trim to <= 6 blocks / 400 words; extend short articles from topic pools."""
    blocks = [b for b in blocks if b]
    while len(blocks) > 6 or n_words(blocks) > 400:
        cands = [i for i in range(1, len(blocks)) if blocks[i]["type"] in ("p", "quote")
                 and not blocks[i]["text"].endswith(":") and not blocks[i]["text"].startswith("Lesen Sie")]
        if not cands:
            break
        del blocks[cands[-1]]
    target = r.randint(240, 360) if r.random() < 0.15 else r.randint(130, 240)
    options = []
    for name in pools:
        for i, text in enumerate(EXTRA_POOLS[name](c)):
            options.append(((name, i), text))
    used_here = set()
    while n_words(blocks) < target:
        free = [(k, t) for k, t in options if k not in used_here
                and n_words(blocks) + len(t.split()) <= 400]
        if not free:
            break
        low = min(gen.usage["extra"][k] for k, _ in free)
        k, text = r.choice([(k, t) for k, t in free if gen.usage["extra"][k] == low])
        last = blocks[-1]
        keep_last = last["type"] == "p" and (last["text"].startswith("Lesen Sie") or (
            len(last["text"].split()) < 35 and any(h in last["text"] for h in CONTACT_HINTS)))
        if len(blocks) < 6:
            new_block = dict(P(text), _pool=k[0])
            if keep_last:
                blocks.insert(len(blocks) - 1, new_block)
            else:
                blocks.append(new_block)
        else:
            break
        gen.usage["extra"][k] += 1
        used_here.add(k)
    # six blocks but still short: fold a short closing line into the paragraph before it
    if n_words(blocks) < 120 and len(blocks) == 6 and blocks[-1]["type"] == "p" and blocks[-2]["type"] == "p" \
            and not blocks[-2]["text"].endswith(":"):
        last = blocks.pop()
        blocks[-1] = P(blocks[-1]["text"] + " " + last["text"])
    blocks = [{k: v for k, v in b.items() if not k.startswith("_")} for b in blocks]
    pool = FILLERS[filler_key]
    while n_words(blocks) < 120 and len(blocks) < 6:
        cnt = gen.usage[("filler", filler_key)]
        low = min(cnt[i] for i in range(len(pool)))
        i = r.choice([i for i in range(len(pool)) if cnt[i] == low])
        cnt[i] += 1
        blocks.append(P(pool[i]))
    return blocks


def apply_typo(a, date):
    out = []
    for b in a["blocks"]:
        b = dict(b)
        if "text" in b:
            b["text"] = typo(b["text"], date)
        if "items" in b:
            b["items"] = [typo(x, date) for x in b["items"]]
        if "rows" in b:
            b["rows"] = [[typo(x, date) for x in row] for row in b["rows"]]
        out.append(b)
    a["blocks"] = out
    if a["title"] is not None:
        a["title"] = typo(a["title"], date)
    return a


def assign_ids(dates, r: random.Random):
    n = len(dates)
    d0, d1 = dates[0].toordinal(), dates[-1].toordinal()
    ids, used = [], set()
    for i, d in enumerate(dates):
        frac = 0.5 * (d.toordinal() - d0) / (d1 - d0) + 0.5 * i / (n - 1)
        v = 300 + int(round(frac * 46000)) + r.randint(-70, 70)
        v = max(300, min(46500, v))
        while v in used:
            v += 1
        used.add(v)
        ids.append(v)
    return ids


def generate():
    gen = Gen()
    master = random.Random(SEED)
    plan = build_plan(master)
    if len(plan) != N_ARTICLES:
        raise ValueError(f"plan has {len(plan)} articles, expected {N_ARTICLES}")
    arts = []
    for i, (d, fn, variant) in enumerate(plan):
        r = random.Random(f"{SEED}:{i}:{fn.__name__}:{variant}")
        c = Ctx(gen, d, r, fn.__name__, variant if isinstance(variant, int) else 0)
        c.variant_name = variant if isinstance(variant, str) else None
        a = fn(c)
        integ = bool(a["fields"])
        key = "int" if integ else ("verkehr" if a["topic"] == "verkehr" else ("sicherheit" if a["topic"] == "sicherheit" else "other"))
        a["blocks"] = fit(a["blocks"], extension_pools(fn.__name__, a), c, key, gen, r)
        a["stadtteil"] = c.stadtteil
        a["date"] = d
        a["template"] = fn.__name__ + (f":{variant}" if variant not in (0, None) else "")
        arts.append(a)

    post = random.Random(SEED + 1)
    # teaser-like endings "... nachlesen." in six report articles
    reports = [i for i, a in enumerate(arts) if a["report"] and a["date"].year >= 2003
               and not any(b.get("text", "").startswith("Lesen Sie") for b in a["blocks"])]
    for k, i in enumerate(sorted(post.sample(reports, 6))):
        a = arts[i]
        sent = NACHLESEN[k]
        if a["blocks"][-1]["type"] == "p" and n_words(a["blocks"]) + len(sent.split()) <= 400:
            a["blocks"][-1] = P(a["blocks"][-1]["text"] + " " + sent)
        elif len(a["blocks"]) < 6:
            a["blocks"].append(P(sent))
        else:
            a["blocks"][-1] = P(sent)
    # four pages without headline, about ten without category
    for i in post.sample(range(len(arts)), 4):
        arts[i]["title"] = None
    old_first = [i for i, a in enumerate(arts) if a["date"].year < 2012]
    for i in post.sample(old_first, 7) + post.sample([i for i in range(len(arts)) if i not in old_first], 3):
        arts[i]["category"] = None

    ids = assign_ids([a["date"] for a in arts], post)
    records = []
    for a, id_ in zip(arts, ids, strict=False):
        a = apply_typo(a, a["date"])
        integ = bool(a["fields"])
        records.append({
            "id": id_,
            "published": a["date"].isoformat(),
            "sender": a["sender"],
            "title": a["title"],
            "category": a["category"],
            "blocks": a["blocks"],
            "topic": a["topic"],
            "integration": integ,
            "action_fields": list(a["fields"]),
            "stadtteil": a["stadtteil"],
        })
    return records, arts


# ===========================================================================
# Validation
# ===========================================================================
def all_texts(rec):
    yield rec["sender"]
    if rec["title"] is not None:
        yield rec["title"]
    for b in rec["blocks"]:
        if "text" in b:
            yield b["text"]
        yield from b.get("items", [])
        for row in b.get("rows", []):
            yield from row


def validate(records):
    errs = []
    ids = [r["id"] for r in records]
    if len(records) != N_ARTICLES:
        errs.append(f"expected {N_ARTICLES} articles, got {len(records)}")
    if len(set(ids)) != len(ids):
        errs.append("duplicate ids")
    lesen = 0
    for r in records:
        rid = r["id"]
        if list(r.keys()) != KEYS:
            errs.append(f"{rid}: keys {list(r.keys())}")
        if not isinstance(rid, int) or not 300 <= rid <= 46500:
            errs.append(f"{rid}: id out of range")
        d = D(r["published"])
        if not START <= d <= END:
            errs.append(f"{rid}: date {d} out of range")
        if not r["sender"]:
            errs.append(f"{rid}: empty sender")
        if r["category"] is not None and r["category"] not in CATEGORIES:
            errs.append(f"{rid}: bad category {r['category']}")
        if r["topic"] not in TOPICS:
            errs.append(f"{rid}: bad topic {r['topic']}")
        if not isinstance(r["integration"], bool):
            errs.append(f"{rid}: integration not bool")
        af = r["action_fields"]
        if any(f not in FIELDS for f in af) or len(set(af)) != len(af):
            errs.append(f"{rid}: bad action_fields {af}")
        if r["integration"] != bool(af):
            errs.append(f"{rid}: integration/action_fields mismatch")
        st = r["stadtteil"]
        if st is not None and not (isinstance(st, int) and 1 <= st <= 60):
            errs.append(f"{rid}: bad stadtteil {st}")
        if not 2 <= len(r["blocks"]) <= 6:
            errs.append(f"{rid}: {len(r['blocks'])} blocks")
        w = sum(words_of(b) for b in r["blocks"])
        if not 120 <= w <= 400:
            errs.append(f"{rid}: {w} words")
        for b in r["blocks"]:
            t = b["type"]
            if t in ("p", "quote"):
                if set(b) != {"type", "text"} or not b["text"].strip():
                    errs.append(f"{rid}: bad {t} block")
                if b["text"].startswith(FORBIDDEN_PREFIXES):
                    errs.append(f"{rid}: forbidden prefix: {b['text'][:40]}")
                if t == "p" and b["text"].startswith("Lesen Sie"):
                    lesen += 1
            elif t == "list":
                if set(b) != {"type", "items"} or not b["items"] or not all(isinstance(x, str) and x for x in b["items"]):
                    errs.append(f"{rid}: bad list block")
            elif t == "table":
                if set(b) != {"type", "rows"} or len(b["rows"]) < 2 or not all(isinstance(x, str) for row in b["rows"] for x in row):
                    errs.append(f"{rid}: bad table block")
            else:
                errs.append(f"{rid}: unknown block type {t}")
        for text in all_texts(r):
            if "\n" in text or "\r" in text or "<" in text or ">" in text:
                errs.append(f"{rid}: newline or markup in {text[:40]!r}")
            if text != text.strip() or "  " in text:
                errs.append(f"{rid}: whitespace issue in {text[:40]!r}")
            if "{" in text or "}" in text:
                errs.append(f"{rid}: unfilled slot in {text[:40]!r}")
            if d.year < 2008 and not latin1_ok(text):
                errs.append(f"{rid}: not ISO-8859-1 encodable ({d}): {text[:60]!r}")
            if d < D("2004-12-01") and "Integrationsrat" in text:
                errs.append(f"{rid}: Integrationsrat before 2004-12")
            if d.year >= 2006 and "Ausschuß" in text:
                errs.append(f"{rid}: old spelling Ausschuß after 2005")
            if d.year < 2006 and "Ausschuss" in text:
                errs.append(f"{rid}: new spelling Ausschuss before 2006")
            if d.year >= 2002 and re.search(r"\d( Millionen| Milliarden| Mio\.)? (Mark|DM)\b", text):
                errs.append(f"{rid}: DM amount after 2001")
            if d.year < 2002 and re.search(r"\d( Millionen| Milliarden| Mio\.)? Euro\b", text):
                errs.append(f"{rid}: Euro amount before 2002")
    if sum(r["title"] is None for r in records) != 4:
        errs.append("exactly 4 titles must be null")
    n_nullcat = sum(r["category"] is None for r in records)
    if not 8 <= n_nullcat <= 12:
        errs.append(f"{n_nullcat} null categories")
    fc = Counter(f for r in records for f in r["action_fields"])
    for f in FIELDS:
        if fc[f] < 8:
            errs.append(f"action field {f}: only {fc[f]} articles")
    n_tab = sum(any(b["type"] == "table" for b in r["blocks"]) for r in records)
    if n_tab < 8:
        errs.append(f"only {n_tab} articles with tables")
    if lesen != 1:
        errs.append(f"{lesen} paragraphs start with 'Lesen Sie' (expected 1)")
    n_nach = sum(1 for r in records for b in r["blocks"] if b["type"] == "p" and re.search(r"nach(zu)?lesen\.$", b["text"]))
    if n_nach < 6:
        errs.append(f"only {n_nach} paragraphs end with nachlesen")
    n_int = sum(r["integration"] for r in records)
    if not 80 <= n_int <= 100:
        errs.append(f"{n_int} integration articles")
    n_st = sum(r["stadtteil"] is not None for r in records)
    if not 0.22 * len(records) <= n_st <= 0.4 * len(records):
        errs.append(f"stadtteil set for {n_st} articles")
    paras = Counter(b["text"] for r in records for b in r["blocks"] if b["type"] in ("p", "quote"))
    dups = [t for t, n in paras.items() if n > 5 and len(t) > 90]
    if dups:
        errs.append(f"{len(dups)} long paragraphs repeated more than five times, e.g. {dups[0][:60]!r}")
    if errs:
        raise ValueError("sample archive validation failed:\n  " + "\n  ".join(errs[:60]))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--stats", action="store_true", help="print per-year / per-field counts")
    args = ap.parse_args(argv)
    records, arts = generate()
    validate(records)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="\n") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"wrote {len(records)} articles to {args.out}")
    if args.stats:
        years = Counter(r["published"][:4] for r in records)
        iyears = Counter(r["published"][:4] for r in records if r["integration"])
        print("year  all  integration")
        for y in sorted(years):
            print(f"{y}  {years[y]:3d}  {iyears[y]:3d}")
        fc = Counter(f for r in records for f in r["action_fields"])
        print("fields:", ", ".join(f"{f}={fc[f]}" for f in FIELDS))
        print("topics:", dict(Counter(r["topic"] for r in records)))
        print("categories:", dict(Counter(r["category"] for r in records)))
        print("senders:", dict(Counter(r["sender"] for r in records)))
        print("integration:", sum(r["integration"] for r in records),
              "stadtteil set:", sum(r["stadtteil"] is not None for r in records),
              "tables:", sum(any(b["type"] == "table" for b in r["blocks"]) for r in records),
              "lists:", sum(any(b["type"] == "list" for b in r["blocks"]) for r in records),
              "quotes:", sum(any(b["type"] == "quote" for b in r["blocks"]) for r in records))
        wc = [sum(words_of(b) for b in r["blocks"]) for r in records]
        print("words min/median/max:", min(wc), sorted(wc)[len(wc) // 2], max(wc))


if __name__ == "__main__":
    main()
