#!/usr/bin/env python3
"""Generate the Kommunalmonitor sample press archive.

Writes data/sample-archive/articles.jsonl: 230 invented German municipal
press releases modelled on the structure of a city press archive.  Every
text, person and organisation name is written for this project; nothing is
copied from real articles.  Fixed seed, deterministic output.

What is written is data under data/sample-archive/, read through benchmarks/pools.py (the loader
every corpus generator shares): the cast and places (pools/cast.toml), the sentences of every
article template (templates/<template>.toml, filled by benchmarks.pools.fill) and the plan of
which template is written how often and when (pools/plan.toml). The logic is here (plan, length fitting,
validation) and in scripts/sample_archive/ (the article templates and their context):

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
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # benchmarks/ is no package of the install: found from the checkout
from sample_archive import city, integration  # noqa: E402
from sample_archive.context import FIELDS, POOLS, Ctx, D, Gen, P, latin1_ok, typo, words_of  # noqa: E402
from sample_archive.extensions import EXTRA_POOLS, extension_pools  # noqa: E402

from benchmarks.pools import load_file  # noqa: E402

SEED = 20230331
DEFAULT_OUT = ROOT / "data" / "sample-archive" / "articles.jsonl"
START = dt.date(2000, 1, 1)
END = dt.date(2023, 3, 31)
N_ARTICLES = 230
TOPICS = ["rat", "verkehr", "kultur_sport", "soziales", "bildung", "wirtschaft", "sicherheit", "umwelt", "verwaltung"]
CATEGORIES = ["Politik", "Soziales", "Verkehr", "Kultur", "Sport", "Polizei", "Wirtschaft", "Umwelt", "Bildung",
              "Verwaltung"]
KEYS = ["id", "published", "sender", "title", "category", "blocks", "topic", "integration", "action_fields",
        "stadtteil"]
FORBIDDEN_PREFIXES = (
    "Veröffentlicht:", "Archivmeldung aus dem Jahr", "Anschriften aus dem Artikel:", "Kategorie:",
    "Dieser Artikel wurde als Nachricht einsortiert in:", "Bisherige Besucher", "Meldungen Blättern",
    "Weitere Nachrichten der Quelle", "Weitere Meldungen",
)


# ===========================================================================
# Plan: which template, how often, when
# ===========================================================================
# the article templates by name: plan.toml says "sprachkurs" for t_sprachkurs
TEMPLATE_FUNCTIONS = {name[2:]: fn for module in (integration, city) for name, fn in vars(module).items()
                      if name.startswith("t_")}
INTEGRATION_TEMPLATES = {fn for name, fn in vars(integration).items() if name.startswith("t_")}
PLAN = load_file(ROOT / "data" / "sample-archive" / "pools" / "plan.toml")
YEAR_WEIGHT = {int(y): w for y, w in PLAN["year_weight"].items()}
# (function, count, first year, last year, months or None)
RANGED = [(TEMPLATE_FUNCTIONS[name], n, y1, y2, tuple(months) or None) for name, n, y1, y2, months in PLAN["ranged"]]
# (function, variant, first day, last day) - one article each
WINDOWED = [(TEMPLATE_FUNCTIONS[name], variant, a or None, b or None) for name, variant, a, b in PLAN["windowed"]]
RAMADAN_START = {int(y): d for y, d in PLAN["ramadan_start"].items()}
FIXED = ([(integration.t_fluechtlingsbericht, i, v[0]) for i, v in enumerate(integration.FB_YEARS.values())]
         + [(TEMPLATE_FUNCTIONS[name], i, d) for name, dates in PLAN["fixed"].items() for i, d in enumerate(dates)]
         + [(city.t_wahl, i, d) for i, d in enumerate(city.WAHL_DATES)])
FASTEN_YEARS = PLAN["fasten_years"]


def random_day(r: random.Random, a: dt.date, b: dt.date) -> dt.date:
    return a + dt.timedelta(days=r.randint(0, (b - a).days))


def weighted_year(r: random.Random, y1: int, y2: int) -> int:
    years = list(range(y1, y2 + 1))
    return r.choices(years, [YEAR_WEIGHT[y] for y in years])[0]


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
        plan.append((D(RAMADAN_START[y]) + dt.timedelta(days=r.randint(3, 16)), integration.t_fastenbrechen, 0))

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
        key = "int" if integ else (a["topic"] if a["topic"] in ("verkehr", "sicherheit") else "other")
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
                if set(b) != {"type", "items"} or not b["items"] or not all(
                        isinstance(x, str) and x for x in b["items"]):
                    errs.append(f"{rid}: bad list block")
            elif t == "table":
                if set(b) != {"type", "rows"} or len(b["rows"]) < 2 \
                        or not all(isinstance(x, str) for row in b["rows"] for x in row):
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
    n_nach = sum(1 for r in records for b in r["blocks"]
                 if b["type"] == "p" and re.search(r"nach(zu)?lesen\.$", b["text"]))
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
