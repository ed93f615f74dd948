"""The integration article templates of the sample archive (t_*): which variant, which draws,
which template keys; the sentences themselves are data/sample-archive/templates/<name>.toml."""

from __future__ import annotations

import datetime as dt

from kommunalmonitor.core.german import MONTHS, WEEKDAYS

from .context import FIELDS, POOLS, Ctx, D, L, P, Q, T, art, cap, dec, num, wz


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
        blocks += c.blocks("sprachkurs", "para", "para_2", start=start, n=n,
                           money_choice_40=lambda: c.money(c.r.choice([40, 50, 60])), vhs_addr=vhs_addr)
        p, fem = c.person(initial=True)
        age = c.r.randint(24, 52)
        blocks += c.blocks("sprachkurs", "quote", "para_3", die_or_der=lambda: 'die' if fem else 'der', age=age, p=p)
        return art(title, blocks, category="Bildung" if c.chance(0.5) else "Soziales",
                   topic="bildung" if c.chance(0.5) else "soziales",
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
    blocks.append(P(c.pick(c.say("sprachkurs.para_4", start=start, n=n, vhs_addr=vhs_addr,
                                 wz_max_2=lambda: wz(max(2, n // 3))))))
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
    blocks = c.blocks("sprachcafe", "para", first=first, where=where, weekdays_wd=lambda: WEEKDAYS[wd], t1=t1,
                      lower_weekdays_wd=lambda: WEEKDAYS[wd].lower())
    blocks.append(P(c.pick(c.say("sprachcafe.para_2"))))
    p, fem = c.person()
    blocks += c.blocks("sprachcafe", "quote", "para_3",
                       die_ehrenamtliche_or_der=lambda: 'die Ehrenamtliche' if fem else 'der Ehrenamtliche', p=p,
                       die_or_der=lambda: 'die' if fem else 'der', eine_or_einer=lambda: 'eine' if fem else 'einer')
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
        blocks.append(P(c.pick(c.say("seiteneinsteiger.para_2", n_kids=n_kids, cap_ki_nom=lambda: cap(c.ki('nom')),
                                     n_cl=n_cl))))
    blocks += c.blocks("seiteneinsteiger", "para_3", "quote")
    if c.chance(0.5):
        blocks.append(P(c.pick(c.say("seiteneinsteiger.para_4", am_future_7=lambda: c.am(c.future(7, 40)),
                                     wz_randint_2=lambda: wz(c.r.randint(2, 5))))))
    return art(title, blocks, category="Bildung", topic="bildung", fields=["bildung", "sprache"])


def t_kita_eltern(c: Ctx):
    kind = c.pick(["elterncafe", "stadtteilmuetter", "kita"])
    dn = c.district()
    fields = ["bildung", "sprache"]
    if kind == "elterncafe":
        title = c.pick(c.say("kita_eltern.title"))
        blocks = c.blocks("kita_eltern", "para", dn=dn)
        blocks.append(P(c.say("kita_eltern.para_2")))
    elif kind == "stadtteilmuetter":
        title = c.pick(c.say("kita_eltern.title_2"))
        k = c.r.randint(9, 16)
        blocks = c.blocks("kita_eltern", "para_3", k=k, dn=dn)
        blocks.append(P(c.say("kita_eltern.para_4")))
        fields.append("engagement")
    else:
        title = c.pick(c.say("kita_eltern.title_3"))
        k = c.r.randint(12, 38)
        blocks = c.blocks("kita_eltern", "para_5", k=k, dn=dn)
        blocks.append(P(c.say("kita_eltern.para_6")))
    p, fem = c.person(female=True)
    blocks.append(Q(c.pick(c.say("kita_eltern.quote", p=p))))
    if c.chance(0.6):
        blocks.append(P(c.pick(c.say("kita_eltern.para_7",
                                     money_choice_18000=lambda: c.money(c.r.choice([18000, 25000, 32000, 45000]))))))
    return art(title, blocks, category=c.pick(["Bildung", "Soziales"]), topic=c.pick(["bildung", "soziales"]),
               fields=fields)


def t_anerkennung(c: Ctx):
    ev = c.next_wd(c.r.choice([1, 2, 3]), 7, 28)
    t1 = c.time("evening")
    fields = ["arbeit"]
    if c.y < 2012:
        title = c.pick(c.say("anerkennung.title"))
        blocks = c.blocks("anerkennung", "para", cap_job_nom=lambda: cap(c.job('nom')), ev=ev, t1=t1)
        blocks.append(P(c.say("anerkennung.para_2")))
    else:
        title = c.pick(c.say("anerkennung.title_2"))
        blocks = c.blocks("anerkennung", "para_3", ev=ev, t1=t1, cap_job_nom=lambda: cap(c.job('nom')),
                          weekdays_weekday_ev=lambda: WEEKDAYS[ev.weekday()])
        blocks.append(P(c.pick(c.say("anerkennung.para_4", randint_140_480=lambda: c.r.randint(140, 480),
                                     randint_40_70=lambda: c.r.randint(40, 70)))))
    blocks.append(Q(c.pick(c.say("anerkennung.quote"))))
    if c.chance(0.5):
        blocks.append(P(c.say("anerkennung.para_5")))
    if c.chance(0.3):
        fields.append("sprache")
        blocks.append(P(c.say("anerkennung.para_6")))
    return art(title, blocks, category=c.pick(["Wirtschaft", "Soziales"]), topic=c.pick(["wirtschaft", "soziales"]),
               sender=c.pick(["Stadtverwaltung", "Stadtverwaltung", "Jobcenter Leverkusen"])
               if c.y >= 2011 else "Stadtverwaltung",
               fields=fields)


def t_ausbildungspaten(c: Ctx):
    k = c.r.randint(14, 45)
    title = c.pick(c.say("ausbildungspaten.title"))
    who_ = "junge Geflüchtete" if c.y >= 2015 else "Jugendliche aus Zuwandererfamilien"
    blocks = c.blocks("ausbildungspaten", "para", who_=who_, k=k)
    blocks += c.blocks("ausbildungspaten", "para_2", "quote", "para_3", am_future_14=lambda: c.am(c.future(14, 50)),
                       money_choice_15000=lambda: c.money(c.r.choice([15000, 20000, 30000])))
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
    for adr, dn, places, a, b in SHELTERS:
        if not (a <= stich.year <= b):
            continue
        occ = min(places, int(round(places * ratio * c.r.uniform(0.85, 1.12))))
        if c.y == 2015:
            occ = places + c.r.randint(0, 12) if c.chance(0.5) else places
        rows.append((adr, dn, places, occ))
        tot_p += places
        tot_b += occ
    header = c.pick([["Unterkunft", "Stadtteil", "Plätze", "belegt"],
                     ["Standort", "Stadtteil", "Kapazität", "Bewohner"],
                     c.say("fluechtlingsbericht.header")])
    table = [header] + [[a, dn, num(p), num(o)] for a, dn, p, o in rows] + [["Gesamt", "", num(tot_p), num(tot_b)]]
    total = tot_b + flats
    stich_s = c.fd(stich, c.pick(["short", "num", "long"]))
    title = c.pick([c.say("fluechtlingsbericht.title", total=total),
                    f"Flüchtlingsbericht {c.y} vorgelegt", c.say("fluechtlingsbericht.title_2", y_1=lambda: c.y - 1)
                    if c.d.month < 7 else c.say("fluechtlingsbericht.title_3")])
    comm = c.say("fluechtlingsbericht.comm")
    blocks = c.blocks("fluechtlingsbericht", "para", comm=comm, stich_s=stich_s, total=total, tot_b=tot_b, tot_p=tot_p,
                      flats=flats)
    if c.y == 2015:
        blocks.append(P(c.say("fluechtlingsbericht.para_2", randint_60_110=lambda: c.r.randint(60, 110))))
    else:
        blocks.append(P(c.pick(c.say("fluechtlingsbericht.para_3", countries_0=lambda: countries[0],
                                     countries_1=lambda: countries[1], countries_2=lambda: countries[2],
                                     countries_3=lambda: countries[3],
                                     dec_uniform=lambda: dec(c.r.uniform(1.4, 3.8))))))
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
        blocks = c.blocks("unterkunft", "para", "para_2", "quote", "para_3", randint_28_41=lambda: c.r.randint(28, 41))
    elif v == 1:
        c.district("Opladen")
        title = "Unterkunft Hermann-Löns-Straße schließt"
        blocks = c.blocks("unterkunft", "para_4", "para_5", "para_6", fd_long_d=lambda: c.fd(D('2011-09-30'), 'long'),
                          randint_9_16=lambda: c.r.randint(9, 16))
    elif v == 2:
        c.district("Küppersteg")
        n = c.r.randint(90, 120)
        title = c.say("unterkunft.title_2")
        blocks = c.blocks("unterkunft", "para_7", "para_8", "quote_2", "para_9",
                          fd_wd_dm_future=lambda: c.fd(c.future(3, 8), 'wd_dm'), n=n,
                          randint_80_150=lambda: c.r.randint(80, 150))
        fields.append("engagement")
    elif v == 3:
        c.district("Steinbüchel")
        ev = c.future(2, 9)
        title = c.say("unterkunft.title_3")
        p, fem = c.person()
        blocks = c.blocks("unterkunft", "para_10", "para_11", "para_12", "quote_3",
                          num_10_randint=lambda: num(c.r.randint(18, 32) * 10), ev=ev,
                          anwohnerin_or_anwohner=lambda: 'Anwohnerin' if fem else 'Anwohner', p=p)
        fields += ["dialog", "engagement"]
    elif v == 4:
        c.district("Hitdorf")
        title = c.say("unterkunft.title_4")
        blocks = c.blocks("unterkunft", "para_13", "para_14", "quote_4", "para_15",
                          money_4300000=lambda: c.money(4300000))
    else:
        c.district("Opladen")
        title = c.say("unterkunft.title_5")
        blocks = c.blocks("unterkunft", "para_16", "para_17", "quote_5", randint_20_35=lambda: c.r.randint(20, 35))
    return art(c.pick([title]), blocks, category="Soziales", topic="soziales", fields=fields)


GESUNDHEIT_VARIANTS = POOLS["gesundheit_variants"]


def t_gesundheit(c: Ctx):
    v = GESUNDHEIT_VARIANTS[c.variant]
    fields = ["gesundheit"]
    if v == "dolmetscher":
        title = c.pick(c.say("gesundheit.title"))
        blocks = c.blocks("gesundheit", "para", "para_2", "quote", "para_3",
                          office=lambda: cap(c.ki('nom')) if c.y >= 2013 else 'Die Integrationsbeauftragte',
                          randint_18_34=lambda: c.r.randint(18, 34), randint_12_21=lambda: c.r.randint(12, 21))
        fields.append("sprache")
    elif v == "lotsen":
        title = c.pick(c.say("gesundheit.title_2"))
        k = c.r.randint(12, 24)
        blocks = c.blocks("gesundheit", "para_4", "para_5", "quote_2", "para_6", k=k,
                          num_randint_900=lambda: num(c.r.randint(900, 2400)))
        fields.append("engagement")
    elif v == "psycho":
        title = c.pick(c.say("gesundheit.title_3"))
        blocks = c.blocks("gesundheit", "para_7", "para_8", "quote_3", "para_9",
                          my_future_20=lambda: c.my(c.future(20, 60)))
    elif v == "impfen":
        dn = c.district()
        title = c.pick(c.say("gesundheit.title_4"))
        blocks = c.blocks("gesundheit", "para_10", "para_11", "quote_4", "para_12",
                          randint_180_310=lambda: c.r.randint(180, 310),
                          fuzzy_future_25=lambda: c.fuzzy(c.future(25, 40), year=False), dn=dn)
        fields.append("wohnen")
    else:
        title = c.pick(c.say("gesundheit.title_5"))
        blocks = c.blocks("gesundheit", "para_13", "para_14", "para_15", randint_120_420=lambda: c.r.randint(120, 420))
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
        blocks = c.blocks("sport_integration", "para", "para_2", "quote", randint_12_24=lambda: c.r.randint(12, 24),
                          ev=ev, dn=dn)
    elif v == "schwimmen":
        title = c.pick(c.say("sport_integration.title_2"))
        blocks = c.blocks("sport_integration", "para_3", "para_4", "quote_2",
                          fd_future_10=lambda: c.fd(c.future(10, 40)), dn=dn)
    elif v == "verein":
        title = c.pick(c.say("sport_integration.title_3"))
        k = c.r.randint(14, 31)
        blocks = c.blocks("sport_integration", "para_5", "para_6", "quote_3", k=k)
    else:
        title = c.pick(c.say("sport_integration.title_4"))
        blocks = c.blocks("sport_integration", "para_7", "para_8", "quote_4", dn=dn,
                          money_choice_2500=lambda: c.money(c.r.choice([2500, 3000, 4000])))
    if c.chance(0.5):
        blocks.append(P(c.say("sport_integration.para_9")))
    return art(title, blocks, category="Sport", topic="kultur_sport", sender=sender, fields=fields)


def t_ehrenamt(c: Ctx):
    v = c.pick(["netzwerk", "boerse", "fahrrad", "wohnpaten", "kleider"])
    fields = ["engagement"]
    if v == "netzwerk":
        title = c.pick(c.say("ehrenamt.title"))
        blocks = c.blocks("ehrenamt", "para", "para_2", "quote", num_10_randint=lambda: num(c.r.randint(15, 28) * 10),
                          mayor_gen=lambda: 'der Oberbürgermeisterin' if c.fem('ob') else 'des Oberbürgermeisters')
    elif v == "boerse":
        title = c.pick(c.say("ehrenamt.title_2"))
        ev = c.next_wd(c.r.choice([1, 3]), 6, 25)
        blocks = c.blocks("ehrenamt", "para_3", "para_4", "para_5", ev=ev)
    elif v == "fahrrad":
        dn = c.district()
        title = c.pick(c.say("ehrenamt.title_3"))
        blocks = c.blocks("ehrenamt", "para_6", "para_7", "quote_2", dn=dn,
                          randint_120_260=lambda: c.r.randint(120, 260))
    elif v == "wohnpaten":
        title = c.pick(c.say("ehrenamt.title_4"))
        blocks = c.blocks("ehrenamt", "para_8", "para_9", "quote_3", randint_40_95=lambda: c.r.randint(40, 95))
        fields.append("wohnen")
    else:
        dn = c.district()
        title = c.pick(c.say("ehrenamt.title_5"))
        blocks = c.blocks("ehrenamt", "para_10", "para_11", "para_12", dn=dn, addr=lambda: c.addr(),
                          randint_15_40=lambda: c.r.randint(15, 40))
        fields.append("wohnen") if c.chance(0.3) else None
    if c.chance(0.5):
        blocks.append(P(c.say("ehrenamt.para_13")))
    return art(title, blocks, category="Soziales", topic="soziales",
               sender=c.pick(["Stadtverwaltung", "Caritasverband Leverkusen", "Evangelischer Kirchenkreis"]),
               fields=fields)


RAMADAN_START = {2008: "2008-09-01", 2009: "2009-08-22", 2010: "2010-08-11", 2011: "2011-08-01", 2012: "2012-07-20",
                 2013: "2013-07-09", 2014: "2014-06-28", 2015: "2015-06-18", 2016: "2016-06-06", 2017: "2017-05-27",
                 2018: "2018-05-16", 2019: "2019-05-06", 2022: "2022-04-02", 2023: "2023-03-23"}


def t_fastenbrechen(c: Ctx):
    v = c.pick(["rathaus", "moschee", "kirche", "platz"])
    ev = c.future(2, 8)
    t1 = (c.pick(["20.45 Uhr", "21 Uhr", "21.15 Uhr", "21.30 Uhr"]) if c.d.month in (5, 6, 7, 8)
          else c.pick(["18.30 Uhr", "19 Uhr", "19.45 Uhr", "20 Uhr"]))
    if v == "rathaus":
        title = c.pick(c.say("fastenbrechen.title"))
        blocks = c.blocks("fastenbrechen", "para", "para_2", "quote", ev=ev, t1=t1)
    elif v == "moschee":
        dn = c.district()
        title = c.pick(c.say("fastenbrechen.title_2"))
        blocks = c.blocks("fastenbrechen", "para_3", "para_4", "quote_2", dn=dn, cap_am_ev=lambda: cap(c.am(ev)), t1=t1)
    elif v == "kirche":
        title = c.pick(c.say("fastenbrechen.title_3"))
        blocks = c.blocks("fastenbrechen", "para_5", "para_6", "quote_3", ev=ev, t1=t1)
    else:
        title = c.pick(c.say("fastenbrechen.title_4"))
        blocks = c.blocks("fastenbrechen", "para_7", "para_8", "quote_4", ev=ev, t1=t1)
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
        blocks = c.blocks("moschee_dialog", "para", "para_2", "quote",
                          am_ev_pick=lambda: c.am(ev, c.pick(['dm', 'wd_dm', 'long'])),
                          wz_randint_3=lambda: wz(c.r.randint(3, 5)))
    elif v == "gespraechskreis":
        k = c.pick([10, 15, 20])
        title = c.pick(c.say("moschee_dialog.title_2", k=k))
        blocks = c.blocks("moschee_dialog", "para_3", "para_4", "quote_2", "para_5", k=k,
                          am_future_5=lambda: c.am(c.future(5, 20)))
    elif v == "friedensgebet":
        title = c.pick(c.say("moschee_dialog.title_3"))
        blocks = c.blocks("moschee_dialog", "para_6", "para_7", "quote_3", am_future_2=lambda: c.am(c.future(2, 6)))
    else:
        title = c.pick(c.say("moschee_dialog.title_4"))
        c.district("Wiesdorf")
        blocks = c.blocks("moschee_dialog", "para_8", "para_9", "quote_4", "para_10",
                          randint_90_180=lambda: c.r.randint(90, 180))
    return art(title, blocks, category=c.pick(["Soziales", "Kultur"]) if v != "neubau" else "Soziales",
               topic="soziales",
               sender=c.pick(["Stadtverwaltung", "Evangelischer Kirchenkreis"]) if v != "neubau" else "Stadtverwaltung",
               fields=fields)


def t_senioren_migration(c: Ctx):
    v = c.variant_name
    fields = ["senioren"]
    if v == "fruehstueck":
        dn = c.district()
        title = c.pick(c.say("senioren_migration.title"))
        blocks = c.blocks("senioren_migration", "para", "para_2", "quote", dn=dn, randint_2_6=lambda: c.r.randint(2, 6),
                          randint_25_45=lambda: c.r.randint(25, 45), n0_person_true=lambda: c.person(female=True)[0])
        fields.append("dialog")
    elif v == "pflege":
        title = c.pick(c.say("senioren_migration.title_2"))
        k = c.r.randint(14, 30)
        blocks = c.blocks("senioren_migration", "para_3", "para_4", "quote_2", k=k)
        fields.append("gesundheit")
    elif v == "demenz":
        title = c.pick(c.say("senioren_migration.title_3"))
        ev = c.next_wd(c.r.choice([1, 3]), 7, 28)
        blocks = c.blocks("senioren_migration", "para_5", "para_6", "quote_3", ev=ev)
        fields += ["gesundheit", "sprache"]
    elif v == "beirat":
        title = c.pick(c.say("senioren_migration.title_4"))
        blocks = c.blocks("senioren_migration", "para_7", "para_8", "quote_4")
        fields.append("engagement")
    elif v == "fachtag":
        title = c.pick(c.say("senioren_migration.title_5"))
        ev = c.future(10, 35)
        blocks = c.blocks("senioren_migration", "para_9", "para_10", "quote_5", ev=ev)
    else:
        title = c.pick(c.say("senioren_migration.title_6"))
        blocks = c.blocks("senioren_migration", "para_11", "para_12", "quote_6",
                          my_future_10=lambda: c.my(c.future(10, 40)))
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
        blocks = c.blocks("migrantenrat", "para", "para_2", "quote", "para_3",
                          am_future_40=lambda: c.am(c.future(40, 70)))
        fields.append("sprache")
    elif v == 1:
        title = "Ausländerbeirat zieht Bilanz"
        blocks = c.blocks("migrantenrat", "para_4", "para_5", "quote_2")
        fields.append("engagement")
    elif v == 2:
        title = c.say("migrantenrat.title_2")
        blocks = c.blocks("migrantenrat", "para_6", "para_7", "quote_3", "para_8")
    elif v == 3:
        pct = dec(c.r.uniform(10.5, 14.5))
        title = c.say("migrantenrat.title_3")
        blocks = c.blocks("migrantenrat", "para_9", "para_10", "quote_4", "para_11", pct=pct,
                          num_randint_21000=lambda: num(c.r.randint(21000, 24500)),
                          fuzzy_future_20=lambda: c.fuzzy(c.future(20, 45)))
        fields.append("engagement")
    elif v == 4:
        title = c.say("migrantenrat.title_4")
        blocks = c.blocks("migrantenrat", "para_12", "para_13", "quote_5")
    else:
        title = c.say("migrantenrat.title_5")
        blocks = c.blocks("migrantenrat", "para_14", "para_15", "quote_6", "para_16",
                          fuzzy_future_20=lambda: c.fuzzy(c.future(20, 40), year=False))
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
        blocks = c.blocks("konzept", "para_4", "para_5", "quote_2", "para_6")
        fields = FIELDS
    elif v == 2:
        title = c.say("konzept.title_2")
        blocks = c.blocks("konzept", "para_7", "para_8", "para_9", "quote_3", "para_10",
                          am_wd_long_d=lambda: c.am(D('2019-09-16'), 'wd_long'))
        fields = FIELDS
    else:
        title = "Integrationskonzept: Zweite Zwischenbilanz"
        blocks = c.blocks("konzept", "para_11", "para_12", "quote_4", "para_13")
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
    blocks = c.blocks("einbuergerung", "para", "para_2", "quote", k=k,
                      am_past_1=lambda: c.am(c.past(1, 4), c.pick(['wd_dm', 'dm'])),
                      randint_22_38=lambda: c.r.randint(22, 38), randint_420_690=lambda: c.r.randint(420, 690))
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
        blocks = c.blocks("ukraine", "para_3", "para_4", "quote_2",
                          num_10_randint=lambda: num(c.r.randint(26, 38) * 10), cap_ki_nom=lambda: cap(c.ki('nom')))
        fields = ["bildung", "sprache"]
    else:
        title = c.say("ukraine.title_3")
        blocks = c.blocks("ukraine", "para_5", "para_6", "quote_3",
                          num_randint_1900=lambda: num(c.r.randint(1900, 2400)),
                          randint_150_320=lambda: c.r.randint(150, 320))
        fields = ["arbeit", "sprache", "wohnen"]
    return art(title, blocks, category="Soziales", topic="soziales", fields=fields,
               pools=[["wohnen", "engagement"], ["bildung_i"], ["arbeit", "wohnen"]][v])


def t_migrationsberatung(c: Ctx):
    v = c.pick(["mbe", "jmd", "bilanz"])
    if v == "mbe":
        title = c.pick(c.say("migrationsberatung.title"))
        blocks = c.blocks("migrationsberatung", "para", "para_2", "quote", my_future_10=lambda: c.my(c.future(10, 40)))
        fields = ["sprache", "arbeit"]
    elif v == "jmd":
        title = c.pick(c.say("migrationsberatung.title_2"))
        blocks = c.blocks("migrationsberatung", "para_3", "para_4", "quote_2",
                          randint_220_420=lambda: c.r.randint(220, 420))
        fields = ["bildung", "arbeit"]
    else:
        title = c.pick(c.say("migrationsberatung.title_3"))
        blocks = c.blocks("migrationsberatung", "para_5", "para_6", "quote_3",
                          num_randint_1100=lambda: num(c.r.randint(1100, 2100)))
        fields = ["arbeit", "senioren"]
    if c.chance(0.6):
        blocks.append(P(c.say("migrationsberatung.para_7")))
    return art(title, blocks, category="Soziales", topic="soziales", sender="Caritasverband Leverkusen", fields=fields)
