"""The city article templates of the sample archive that are not about integration, and the
hard negatives (t_*); the sentences are data/sample-archive/templates/<name>.toml."""

from __future__ import annotations

import datetime as dt

from kommunalmonitor.core.german import MONTHS

from .context import DISTRICTS, Ctx, D, L, P, Q, T, art, cap, dec, num, wz


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
        blocks += c.blocks("baustelle", "para", "para_2", start=start, s1=s1, dn=dn, end=end,
                           num_10_randint=lambda: num(c.r.randint(18, 65) * 10), weeks=weeks, s2=s2, s3=s3, cost=cost)
    elif kind == "fahrbahn":
        title = c.pick(c.say("baustelle.title_2", s1=s1, dn=dn))
        blocks += c.blocks("baustelle", "para_3", "para_4", s1=s1, dn=dn, start=start,
                           rng_end_end=lambda: c.rng_(end - dt.timedelta(days=4), end - dt.timedelta(days=1)), s2=s2,
                           s3=s3)
    elif kind == "bruecke":
        title = c.pick(c.say("baustelle.title_3", s1=s1))
        blocks += c.blocks("baustelle", "para_5", "para_6", s1=s1, start=start, dn=dn, cost=cost,
                           choice_7_12=lambda: c.r.choice([7, 12, 16]))
    elif kind == "leitung":
        title = c.pick(c.say("baustelle.title_4", s1=s1, dn=dn))
        blocks += c.blocks("baustelle", "para_7", "para_8", start=start, s1=s1, dn=dn,
                           num_10_randint=lambda: num(c.r.randint(30, 90) * 10), s2=s2, s3=s3, end=end)
    else:
        title = c.pick(c.say("baustelle.title_5", s1=s1))
        blocks += c.blocks("baustelle", "para_9", "para_10", s1=s1, s2=s2, dn=dn, start=start,
                           randint_26_40=lambda: c.r.randint(26, 40), cost=cost, s3=s3)
    if c.chance(0.4):
        blocks.append(P(c.say("baustelle.para_11")))
        blocks.append(L(c.say("baustelle.items", s1=s1, s2=s2, s3=s3, s4=s4, randint_1_30=lambda: c.r.randint(1, 30),
                              randint_31_80=lambda: c.r.randint(31, 80))))
    if c.chance(0.45):
        p, fem = c.person()
        blocks.append(Q(c.pick(c.say("baustelle.quote",
                                     einzelhaendlerin_or=lambda: 'Einzelhändlerin' if fem else 'Einzelhändler', p=p,
                                     anwohnerin_or_anwohner=lambda: 'Anwohnerin' if fem else 'Anwohner'))))
    blocks.append(P(c.pick(c.say("baustelle.para_12"))))
    return art(title, blocks, category="Verkehr", topic="verkehr")


def t_baustellen_uebersicht(c: Ctx):
    sts = c.streets(6)
    rows = [c.pick([["Straße", "Stadtteil", "Maßnahme", "Dauer"],
                    ["Ort", "Stadtteil", "Arbeiten", "voraussichtlich bis"]])]
    works = ["Kanalerneuerung", "Fahrbahnsanierung", "Gasleitung", "Gehwegerneuerung", "Brückenprüfung", "Ampelumbau",
             "Fernwärme"]
    for s in sts:
        rows.append([s, c.r.choice(DISTRICTS)[0], c.r.choice(works),
                     c.fd(c.future(20, 120), c.pick(["num", "dm", "short"]))])
    title = c.pick(c.say("baustellen_uebersicht.title"))
    blocks = [
        P(c.say("baustellen_uebersicht.para", randint_9_19=lambda: c.r.randint(9, 19),
                money_choice_2400000=lambda: c.money(c.r.choice([2400000, 3500000, 4200000, 5100000])))),
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
        blocks = c.blocks("oepnv", "para", "para_2", "quote", d=d, line=line)
    elif kind == "radweg":
        s1 = c.street()
        title = c.pick([c.say("oepnv.title_2") + s1, "Lückenschluss im Radwegenetz"])
        blocks = c.blocks("oepnv", "para_3", "para_4", s1=s1, dec_uniform=lambda: dec(c.r.uniform(0.8, 2.6)),
                          money_choice_420000=lambda: c.money(c.r.choice([420000, 650000, 980000])),
                          fuzzy_future_20=lambda: c.fuzzy(c.future(20, 60)))
    elif kind == "parken":
        title = c.pick(c.say("oepnv.title_3"))
        blocks = c.blocks("oepnv", "para_5", "para_6", fd_future_20=lambda: c.fd(c.future(20, 60)),
                          dec_2_choice=lambda: dec(c.r.choice([1.0, 1.5, 2.0]), 2))
    elif kind == "tempo30":
        dn = c.district()
        title = c.pick(c.say("oepnv.title_4", dn=dn))
        blocks = c.blocks("oepnv", "para_7", "para_8", dn=dn)
    else:
        title = c.pick(c.say("oepnv.title_5"))
        c.district("Opladen", code=c.chance(0.5))
        blocks = c.blocks("oepnv", "para_9", "para_10", randint_14_26=lambda: c.r.randint(14, 26),
                          money_choice_3400000=lambda: c.money(c.r.choice([3400000, 4800000, 6200000])))
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
        title = c.pick(["Sinfoniekonzert im Forum", "Klassik zum Jahresauftakt",
                        c.say("kultur.title") if c.y >= 2008 else c.say("kultur.title_2")])
        blocks = c.blocks("kultur", "para", "para_2", ev=ev, t1=t1, price_s=price_s)
    elif kind == "jazz":
        title = c.pick(c.say("kultur.title_3"))
        blocks = c.blocks("kultur", "para_3", "para_4",
                          rng_ev_ev=lambda: c.rng_(ev, ev + dt.timedelta(days=c.r.randint(5, 9))),
                          randint_14_26=lambda: c.r.randint(14, 26), am_future_1=lambda: c.am(c.future(1, 5)),
                          price_s=price_s)
    elif kind == "theater":
        title = c.pick(c.say("kultur.title_4"))
        blocks = c.blocks("kultur", "para_5", "para_6", ev=ev, randint_18_30=lambda: c.r.randint(18, 30),
                          fd_dm_ev=lambda: c.fd(ev - dt.timedelta(days=3), 'dm'))
    elif kind == "kabarett":
        title = c.pick(c.say("kultur.title_5"))
        blocks = c.blocks("kultur", "para_7", "para_8", ev=ev, t1=t1, price_s=price_s)
    elif kind == "chor":
        title = c.pick(c.say("kultur.title_6"))
        blocks = c.blocks("kultur", "para_9", "para_10", randint_8_16=lambda: c.r.randint(8, 16), ev=ev)
    else:
        dn = c.district()
        title = c.pick(c.say("kultur.title_7", dn=dn))
        blocks = c.blocks("kultur", "para_11", "para_12", dn=dn,
                          rng_ev_ev=lambda: c.rng_(ev, ev + dt.timedelta(days=4), year=False), price_s=price_s)
    if c.chance(0.5):
        blocks.append(Q(c.pick(c.say("kultur.quote"))))
    if c.chance(0.5):
        blocks.append(P(c.say("kultur.para_13")))
    return art(title, blocks, category="Kultur", topic="kultur_sport",
               sender=c.city_sender())


def t_ausstellung(c: Ctx):
    kind = c.pick(["museum", "lesung", "galerie", "foto", "stadtgeschichte"])
    ev = c.future(3, 30)
    end = ev + dt.timedelta(weeks=c.r.randint(5, 12))
    if kind == "museum":
        title = c.pick(c.say("ausstellung.title"))
        blocks = c.blocks("ausstellung", "para", "para_2", rng_ev_end=lambda: c.rng_(ev, end),
                          n10_randint_8=lambda: c.r.randint(8, 16) * 10, ev=ev)
    elif kind == "lesung":
        title = c.pick(c.say("ausstellung.title_2"))
        blocks = c.blocks("ausstellung", "para_3", "para_4", ev=ev, money_6_5=lambda: c.money(6 if c.y >= 2002 else 5))
    elif kind == "galerie":
        dn = c.district()
        title = c.pick(c.say("ausstellung.title_3", dn=dn))
        blocks = c.blocks("ausstellung", "para_5", "para_6", dn=dn, end=end, ev=ev)
    elif kind == "foto":
        title = c.pick(c.say("ausstellung.title_4"))
        blocks = c.blocks("ausstellung", "para_7", "para_8", randint_250_600=lambda: c.r.randint(250, 600),
                          rng_ev_end=lambda: c.rng_(ev, end))
    else:
        title = c.pick(c.say("ausstellung.title_5"))
        blocks = c.blocks("ausstellung", "para_9", "para_10", rng_ev_end=lambda: c.rng_(ev, end))
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
        blocks = c.blocks("sport", "para", "para_2", ev=ev, n=n)
    elif kind == "tsv":
        title = c.pick(c.say("sport.title_2"))
        blocks = c.blocks("sport", "para_3", "para_4", "quote", rng_ev_ev=lambda: c.rng_(ev, ev + dt.timedelta(days=2)),
                          num_10_randint=lambda: num(c.r.randint(60, 110) * 10),
                          randint_140_260=lambda: c.r.randint(140, 260))
    elif kind == "bad":
        dn = c.district()
        title = c.pick(c.say("sport.title_3", dn=dn))
        blocks = c.blocks("sport", "para_5", "para_6", randint_9_20=lambda: c.r.randint(9, 20), dn=dn, ev=ev,
                          money_choice_2800000=lambda: c.money(c.r.choice([2800000, 3600000, 4500000])))
    elif kind == "halle":
        dn = c.district()
        title = c.pick(c.say("sport.title_4", dn=dn))
        blocks = c.blocks("sport", "para_7", "para_8", dn=dn, wz_randint_4=lambda: wz(c.r.randint(4, 9)),
                          randint_300_600=lambda: c.r.randint(300, 600),
                          money_choice_5400000=lambda: c.money(c.r.choice([5400000, 6800000, 7900000])))
    else:
        title = c.pick(c.say("sport.title_5"))
        blocks = c.blocks("sport", "para_9", "para_10", ev=ev)
    if c.chance(0.55):
        blocks.append(P(c.pick(c.say("sport.para_11"))))
    return art(title, blocks, category="Sport", topic="kultur_sport",
               sender="TSV Bayer 04" if kind == "tsv" else c.city_sender())


def t_sportlerehrung(c: Ctx):
    ev = c.future(5, 20)
    sports = ["Leichtathletik", "Schwimmen", "Judo", "Handball", "Kanu", "Rudern", "Fechten", "Turnen", "Basketball",
              "Badminton"]
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
    hh = {"einbruch": c.r.randint(16, 19),
          "sachbeschaedigung": c.r.choice([23, 0, 1, 2, 3])}.get(kind, c.r.randint(6, 21))
    mm = c.r.choice([0, 10, 15, 20, 30, 40, 45, 50])
    tt = f"{hh}.{mm:02d} Uhr" if mm else f"{hh} Uhr"
    h = c.r.randint(165, 195)
    desc = c.say("polizei.desc", dec_2_h=lambda: dec(h / 100, 2),
                 choice_schlank_kraeftig=lambda: c.r.choice(c.say("polizei.choice_schlank_kraeftig")),
                 choice_einer_dunklen=lambda: c.r.choice(c.say("polizei.choice_einer_dunklen")))
    if kind == "einbruch":
        title = c.pick(c.say("polizei.title", dn=dn, s1=s1))
        blocks = c.blocks("polizei", "para", "para_2",
                          am_when_pick=lambda: c.am(when, c.pick(['wd_dm', 'long', 'num'])), s1=s1, dn=dn, tt=tt,
                          desc=desc)
    elif kind == "raub":
        title = c.pick(c.say("polizei.title_2", s1=s1))
        blocks = c.blocks("polizei", "para_3", "para_4", am_when_pick=lambda: c.am(when, c.pick(['wd_dm', 'long'])),
                          tt=tt, s1=s1, dn=dn, s2=s2, desc=desc)
    elif kind == "betrug":
        title = c.pick(c.say("polizei.title_3"))
        age = c.r.randint(74, 91)
        blocks = c.blocks("polizei", "para_5", "para_6", cap_am_when=lambda: cap(c.am(when, 'wd_dm')), age=age, dn=dn)
    elif kind == "unfall":
        age = c.r.randint(18, 84)
        title = c.pick(c.say("polizei.title_4", dn=dn, s1=s1))
        blocks = c.blocks("polizei", "para_7", "para_8", s1=s1, s2=s2, dn=dn,
                          am_when_pick=lambda: c.am(when, c.pick(['wd_dm', 'long'])), tt=tt, age=age)
    elif kind == "kontrolle":
        n = c.r.randint(80, 420)
        title = c.pick(c.say("polizei.title_5"))
        blocks = c.blocks("polizei", "para_9", "para_10", when=when, n=n, s1=s1, dn=dn,
                          randint_61_78=lambda: c.r.randint(61, 78))
    elif kind == "fahrrad":
        title = c.pick(c.say("polizei.title_6"))
        blocks = c.blocks("polizei", "para_11", "para_12", dn=dn, am_future_5=lambda: c.am(c.future(5, 20)))
    else:
        title = c.pick(c.say("polizei.title_7", s1=s1))
        blocks = c.blocks("polizei", "para_13", "para_14", when=when, s1=s1, dn=dn,
                          randint_8_19=lambda: c.r.randint(8, 19), tt=tt)
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
        blocks = c.blocks("feuerwehr", "para", "para_2", s1=s1, dn=dn, when=when, randint_1_5=lambda: c.r.randint(1, 5),
                          choice_05_20=lambda: c.r.choice(['05', '20', '35', '50']),
                          randint_35_70=lambda: c.r.randint(35, 70))
    elif kind == "unwetter":
        title = c.pick(c.say("feuerwehr.title_2"))
        blocks = c.blocks("feuerwehr", "para_3", "para_4", when=when, randint_60_190=lambda: c.r.randint(60, 190),
                          dn=dn)
    elif kind == "rauchmelder":
        title = c.pick(c.say("feuerwehr.title_3"))
        blocks = c.blocks("feuerwehr", "para_5", "para_6", am_future_5=lambda: c.am(c.future(5, 25)), dn=dn)
    elif kind == "bilanz":
        n = c.r.randint(24000, 31000)
        title = c.pick(c.say("feuerwehr.title_4"))
        blocks = c.blocks("feuerwehr", "para_7", "para_8", "quote", n=n, randint_3_8=lambda: c.r.randint(3, 8),
                          num_int_n=lambda: num(int(n * 0.82)), randint_280_420=lambda: c.r.randint(280, 420),
                          randint_280_360=lambda: c.r.randint(280, 360))
    else:
        title = c.pick(c.say("feuerwehr.title_5"))
        blocks = c.blocks("feuerwehr", "para_9", "para_10", am_future_3=lambda: c.am(c.future(3, 15)), dn=dn)
    if c.chance(0.4) and kind != "bilanz":
        blocks.append(Q(c.say("feuerwehr.quote_2")))
    return art(title, blocks, category=c.pick(["Polizei", "Verwaltung"]), topic="sicherheit",
               sender="Feuerwehr Leverkusen")


def t_haushalt(c: Ctx):
    y1 = c.y + 1 if c.d.month >= 9 else c.y
    vol = c.r.uniform(520, 890) * 1e6 * (1 + (c.y - 2000) * 0.015)
    deficit = c.r.uniform(8, 65) * 1e6
    kind = c.pick(["entwurf", "beschluss", "sicherung", "jahresabschluss"])
    blocks = []
    if kind == "entwurf":
        title = c.pick([f"Haushaltsentwurf {y1} eingebracht",
                        c.say("haushalt.title",
                              y1=y1).replace("Kämmerer", "Kämmerin" if c.fem('kaemmerer') else "Kämmerer"),

                        c.say("haushalt.title_2", y1=y1)])
        blocks += c.blocks("haushalt", "para", "para_2", y1=y1, vol=vol, deficit=deficit)
    elif kind == "beschluss":
        title = c.pick(c.say("haushalt.title_3", y1=y1))
        blocks += c.blocks("haushalt", "para_3", "para_4", y1=y1, vol=vol, deficit=deficit)
    elif kind == "sicherung":
        title = c.pick(c.say("haushalt.title_4"))
        blocks += c.blocks("haushalt", "para_5", "para_6", y1_4=lambda: y1 + 4,
                           money_deficit_2=lambda: c.money(deficit / 2))
    else:
        title = c.pick(c.say("haushalt.title_5", y_1=lambda: c.y - 1))
        blocks += c.blocks("haushalt", "para_7", "para_8", y_1=lambda: c.y - 1, deficit=deficit,
                           money_deficit=lambda: c.money(deficit * 0.3))
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
        blocks.append(P(c.pick(c.say("rat.para", am_nd_pick=lambda: c.am(nd, c.pick(['wd_long', 'wd_num', 'long'])),
                                     am_wd_dm_past=lambda: c.am(c.past(1, 3), 'wd_dm')))))
        blocks.append(P(c.say("rat.para_2") if "kommt" in blocks[0]["text"] else c.say("rat.para_3")))
        blocks.append(L(items))
        if kind == "rat":
            blocks.append(P(c.say("rat.para_4", money_choice_12=lambda: c.money(c.r.choice([12, 18, 24])))))
    else:
        bez = c.r.choice(["I", "II", "III"])
        dn = c.district(bezirk=bez, code=c.chance(0.9))
        s1 = c.street()
        title = c.pick(c.say("rat.title_2", bez=bez, dn=dn))
        blocks += c.blocks("rat", "para_5", "para_6", "quote", bez=bez, s1=s1, dn=dn,
                           money_choice_60000=lambda: c.money(c.r.choice([60000, 85000, 120000])),
                           n0_person_true=lambda: c.person(female=True)[0],
                           n0_person_false=lambda: c.person(female=False)[0])
    if c.chance(0.4):
        blocks.append(P(c.say("rat.para_7")))
    preview = kind != "bv" and "kommt" in blocks[0]["text"]
    return art(title, blocks, category="Politik", topic="rat", report=True,
               pools=["rat"] if preview else ["rat_sitzung", "rat"])


def t_fraktion(c: Ctx):
    party = c.pick(["spd", "cdu", "gruene", "fdp"])
    sender = {"spd": "SPD-Fraktion", "cdu": "CDU-Fraktion", "gruene": "Bündnis 90/Die Grünen",
              "fdp": "FDP-Fraktion"}[party]
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
    title = c.pick([what[0], f"{sender}: {what[0]}",
                    c.say("fraktion.title", sender=sender,
                          what_0=lambda: what[0]) if party != "gruene" else f"Grüne: {what[0]}"])
    nd = c.future(10, 35)
    blocks = c.blocks("fraktion", "para", "quote", "para_2",
                      group=lambda: sender if party != 'gruene' else c.say("fraktion.green_group"),
                      what_1=lambda: what[1], nd=nd, what_2=lambda: what[2], party=party)
    if c.chance(0.3):
        blocks.append(P(c.say("fraktion.para_3")))
    return art(title, blocks, category="Politik", topic="rat", sender=sender)


WAHL_DATES = {"2004-09-16": ("Kommunalwahl", "2004-09-26"), "2009-08-18": ("Kommunalwahl", "2009-08-30"),
              "2017-09-12": ("Bundestagswahl", "2017-09-24"), "2020-09-01": ("Kommunalwahl", "2020-09-13")}


def t_wahl(c: Ctx):
    kind, wd = WAHL_DATES[c.d.isoformat()]
    wd = D(wd)
    rows = [["Stimmbezirk", "Wahllokal", "Anschrift"]]
    places = [("Grundschule", "Schulstraße"), ("Gemeindehaus St. Antonius", "Kirchstraße"),
              ("Seniorenzentrum", "Lindenstraße"), ("Turnhalle der Realschule", "Uhlandstraße"),
              ("Jugendhaus", "Gartenstraße"), ("Kita Sonnenschein", "Birkenweg"),
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
        blocks = c.blocks("ausschuss_umwelt", "para", "para_2", comm=comm, nd=nd)
        top = "umwelt"
    elif kind == "laerm":
        title = c.pick(c.say("ausschuss_umwelt.title_2"))
        blocks = c.blocks("ausschuss_umwelt", "para_3", "para_4", comm=comm, nd=nd,
                          fd_long_nd=lambda: c.fd(nd + dt.timedelta(days=40), 'long'))
        top = "umwelt"
    elif kind == "hunde":
        title = c.pick(c.say("ausschuss_umwelt.title_3"))
        blocks = c.blocks("ausschuss_umwelt", "para_5", "para_6", comm=comm)
        top = "rat"
    else:
        title = c.pick(c.say("ausschuss_umwelt.title_4"))
        blocks = c.blocks("ausschuss_umwelt", "para_7", "para_8", comm=comm, randint_12_30=lambda: c.r.randint(12, 30),
                          money_choice_40000=lambda: c.money(c.r.choice([40000, 60000, 80000])))
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
        blocks = c.blocks("umwelt", "para", "para_2", k=k, dn=dn)
    elif kind == "umwelttag":
        ev = c.next_wd(5, 7, 25)
        title = c.pick(c.say("umwelt.title_2"))
        blocks = c.blocks("umwelt", "para_3", "para_4", ev=ev, num_randint_2500=lambda: num(c.r.randint(2500, 5200)),
                          randint_14_30=lambda: c.r.randint(14, 30),
                          fd_dm_ev=lambda: c.fd(ev - dt.timedelta(days=7), 'dm'))
    elif kind == "klima":
        title = c.pick(["Klimaschutzkonzept vorgestellt",
                        c.say("umwelt.title_3") if c.y >= 2019 else c.say("umwelt.title_4")])
        blocks = c.blocks("umwelt", "para_5", "para_6", randint_40_90=lambda: c.r.randint(40, 90))
    elif kind == "hochwasser":
        title = c.pick(c.say("umwelt.title_5"))
        blocks = c.blocks("umwelt", "para_7", "para_8",
                          money_choice_4800000=lambda: c.money(c.r.choice([4800000, 7200000, 9500000])))
    elif kind == "luft":
        title = c.pick(c.say("umwelt.title_6"))
        blocks = c.blocks("umwelt", "para_9", "para_10", randint_31_39=lambda: c.r.randint(31, 39))
    else:
        title = c.pick(c.say("umwelt.title_7"))
        blocks = c.blocks("umwelt", "para_11", "para_12", wz_randint_5=lambda: wz(c.r.randint(5, 12)),
                          num_1000_randint=lambda: num(c.r.randint(400, 1200) * 1000))
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
        blocks = c.blocks("abfall", "para", "para_2", hol_1=lambda: hol[1])
    elif kind == "biotonne":
        title = c.pick(c.say("abfall.title_2"))
        blocks = c.blocks("abfall", "para_3", "para_4", my_future_40=lambda: c.my(c.future(40, 120)))
    else:
        title = c.pick(c.say("abfall.title_3"))
        blocks = c.blocks("abfall", "para_5", "para_6")
    return art(title, blocks, category="Umwelt", topic="umwelt")


def t_wirtschaft(c: Ctx):
    kind = c.pick(["gewerbegebiet", "ansiedlung", "innenstadt", "markt", "gruender", "konjunktur"])
    if kind == "gewerbegebiet":
        dn = c.district(code=c.chance(0.6))
        ha = dec(c.r.uniform(4, 22))
        title = c.pick(c.say("wirtschaft.title", dn=dn))
        blocks = c.blocks("wirtschaft", "para", "para_2", dn=dn, ha=ha,
                          fuzzy_future_30=lambda: c.fuzzy(c.future(30, 90)),
                          randint_250_700=lambda: c.r.randint(250, 700))
    elif kind == "ansiedlung":
        title = c.pick(c.say("wirtschaft.title_2"))
        blocks = c.blocks("wirtschaft", "para_3", "para_4", y_2=lambda: c.y + 2,
                          randint_120_260=lambda: c.r.randint(120, 260),
                          money_choice_18000000=lambda: c.money(c.r.choice([18000000, 25000000, 32000000])))
    elif kind == "innenstadt":
        title = c.pick(c.say("wirtschaft.title_3"))
        blocks = c.blocks("wirtschaft", "para_5", "para_6", randint_14_32=lambda: c.r.randint(14, 32))
    elif kind == "markt":
        dn = c.district()
        title = c.pick(c.say("wirtschaft.title_4", dn=dn))
        blocks = c.blocks("wirtschaft", "para_7", "para_8", dn=dn, fd_future_10=lambda: c.fd(c.future(10, 30)))
    elif kind == "gruender":
        title = c.pick(c.say("wirtschaft.title_5"))
        blocks = c.blocks("wirtschaft", "para_9", "para_10",
                          money_choice_5000=lambda: c.money(c.r.choice([5000, 7500, 10000])))
    else:
        title = c.pick(c.say("wirtschaft.title_6"))
        blocks = c.blocks("wirtschaft", "para_11", "para_12", randint_150_320=lambda: c.r.randint(150, 320))
    blocks.append(Q(c.pick(c.say("wirtschaft.quote"))))
    if c.chance(0.4):
        blocks.append(P(c.say("wirtschaft.para_13")))
    return art(title, blocks, category="Wirtschaft", topic="wirtschaft",
               sender=c.city_sender())


def t_handwerk(c: Ctx):
    kind = c.pick(["freisprechung", "lehrstellen", "meister"])
    if kind == "freisprechung":
        k = c.r.randint(180, 320)
        title = c.pick(c.say("handwerk.title", k=k))
        blocks = c.blocks("handwerk", "para", "para_2", k=k)
    elif kind == "lehrstellen":
        title = c.pick(c.say("handwerk.title_2"))
        blocks = c.blocks("handwerk", "para_3", "para_4", randint_80_190=lambda: c.r.randint(80, 190),
                          am_future_5=lambda: c.am(c.future(5, 20)))
    else:
        title = c.pick(c.say("handwerk.title_3"))
        blocks = c.blocks("handwerk", "para_5", "para_6", randint_30_60=lambda: c.r.randint(30, 60))
    blocks.append(Q(c.say("handwerk.quote")))
    return art(title, blocks, category="Wirtschaft", topic="wirtschaft", sender="Kreishandwerkerschaft")


def t_schule(c: Ctx):
    kind = c.pick(["sanierung", "anmeldung", "ogs", "digital", "neubau"])
    if kind == "sanierung":
        dn = c.district(code=c.chance(0.6))
        title = c.pick(c.say("schule.title", dn=dn))
        blocks = c.blocks("schule", "para", "para_2", dn=dn,
                          money_choice_850000=lambda: c.money(c.r.choice([850000, 1200000, 1900000])))
    elif kind == "anmeldung":
        d1 = c.future(10, 30)
        d2 = d1 + dt.timedelta(days=c.r.randint(4, 11))
        title = c.pick(c.say("schule.title_2"))
        blocks = c.blocks("schule", "para_3", "para_4", rng_d1_d2=lambda: c.rng_(d1, d2))
    elif kind == "ogs":
        title = c.pick(c.say("schule.title_3"))
        n = c.r.randint(150, 420)
        blocks = c.blocks("schule", "para_5", "para_6", n=n, num_randint_3200=lambda: num(c.r.randint(3200, 4800)))
    elif kind == "digital":
        title = c.pick(c.say("schule.title_4"))
        blocks = c.blocks("schule", "para_7", "para_8", num_randint_2500=lambda: num(c.r.randint(2500, 6500)))
    else:
        dn = c.district(code=c.chance(0.6))
        title = c.pick(c.say("schule.title_5", dn=dn))
        blocks = c.blocks("schule", "para_9", "para_10", dn=dn, y_2=lambda: c.y + 2, n100_y_3=lambda: (c.y + 3) % 100,
                          money_choice_14000000=lambda: c.money(c.r.choice([14000000, 18000000, 22000000])))
    blocks.append(Q(c.pick(c.say("schule.quote"))))
    if c.chance(0.4):
        blocks.append(P(c.say("schule.para_11")))
    return art(title, blocks, category="Bildung", topic="bildung")


def t_verwaltung(c: Ctx):
    kind = c.pick(["buergerbuero", "ausweis", "standesamt", "personal", "termine"])
    if kind == "buergerbuero":
        title = c.pick(c.say("verwaltung.title"))
        blocks = c.blocks("verwaltung", "para", "para_2", fd_future_7=lambda: c.fd(c.future(7, 25)))
    elif kind == "ausweis":
        title = c.pick(c.say("verwaltung.title_2"))
        blocks = c.blocks("verwaltung", "para_3", "para_4")
    elif kind == "standesamt":
        title = c.pick(c.say("verwaltung.title_3"))
        blocks = c.blocks("verwaltung", "para_5", "para_6", randint_580_820=lambda: c.r.randint(580, 820))
    elif kind == "personal":
        title = c.pick(c.say("verwaltung.title_4"))
        blocks = c.blocks("verwaltung", "para_7", "para_8", randint_40_75=lambda: c.r.randint(40, 75),
                          fd_long_future=lambda: c.fd(c.future(30, 60), 'long'))
    else:
        title = c.pick(c.say("verwaltung.title_5"))
        blocks = c.blocks("verwaltung", "para_9", "para_10")
    if c.chance(0.5):
        blocks.append(Q(c.say("verwaltung.quote")))
    return art(title, blocks, category="Verwaltung", topic="verwaltung")


def t_internet(c: Ctx):
    kind = c.pick(["portal", "cafe", "stadtplan"])
    if kind == "portal":
        title = c.pick(c.say("internet.title"))
        blocks = c.blocks("internet", "para", "para_2", num_1000_randint=lambda: num(c.r.randint(40, 95) * 1000))
    elif kind == "cafe":
        title = c.pick(c.say("internet.title_2"))
        blocks = c.blocks("internet", "para_3", "para_4", fd_future_7=lambda: c.fd(c.future(7, 25)))
    else:
        title = c.pick(c.say("internet.title_3"))
        blocks = c.blocks("internet", "para_5", "para_6")
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
        blocks = c.blocks("soziales", "para", "para_2", "quote", am_future_7=lambda: c.am(c.future(7, 30)))
    elif kind == "kaelte":
        title = c.pick(c.say("soziales.title_2"))
        blocks = c.blocks("soziales", "para_3", "para_4")
    elif kind == "kita":
        n = c.r.randint(180, 450)
        title = c.pick(c.say("soziales.title_3"))
        blocks = c.blocks("soziales", "para_5", "para_6", n=n)
    elif kind == "jugend":
        dn = c.district(code=c.chance(0.6))
        title = c.pick(c.say("soziales.title_4", dn=dn))
        blocks = c.blocks("soziales", "para_7", "para_8", dn=dn)
    elif kind == "tafel":
        title = c.pick(c.say("soziales.title_5"))
        blocks = c.blocks("soziales", "para_9", "para_10", num_randint_1400=lambda: num(c.r.randint(1400, 2600)))
    elif kind == "pflege":
        title = c.pick(c.say("soziales.title_6"))
        blocks = c.blocks("soziales", "para_11", "para_12", num_randint_1200=lambda: num(c.r.randint(1200, 2400)))
    else:
        title = c.pick(c.say("soziales.title_7"))
        blocks = c.blocks("soziales", "para_13", "para_14", randint_40_70=lambda: c.r.randint(40, 70))
    if c.chance(0.4):
        blocks.append(P(c.say("soziales.para_15")))
    return art(title, blocks, category="Soziales", topic="soziales",
               sender=c.pick(["Stadtverwaltung", "Caritasverband Leverkusen"])
               if kind in ("kaelte", "tafel", "pflege") else "Stadtverwaltung")


# ===========================================================================
# Hard negatives: migrants mentioned in passing, article not about integration
# ===========================================================================
def t_hardneg(c: Ctx):
    v = c.variant_name
    if v == "bevoelkerung":
        pop = c.r.randint(161000, 166500)
        title = c.pick(c.say("hardneg.title", pop=pop))
        blocks = [
            P(c.say("hardneg.para", fd_long_date=lambda: c.fd(dt.date(c.y - 1, 12, 31), 'long'), pop=pop,
                    randint_300_1200=lambda: c.r.randint(300, 1200))),
            P(c.say("hardneg.para_2", num_randint_1750=lambda: num(c.r.randint(1750, 1950)),
                    num_randint_1450=lambda: num(c.r.randint(1450, 1650)),
                    dec_uniform=lambda: dec(c.r.uniform(12.5, 16.5)))),
            P(c.say("hardneg.para_3", dec_uniform=lambda: dec(c.r.uniform(44.0, 45.5)))),
            P(c.say("hardneg.para_4")),
        ]
        return art(title, blocks, category="Verwaltung", topic="verwaltung", pools=["verwaltung"])
    if v == "haushalt_fluechtlinge":
        title = c.say("hardneg.title_2")
        blocks = c.blocks("hardneg", "para_5", "para_6", "quote", "para_7",
                          money_choice_38000000=lambda: c.money(c.r.choice([38000000, 44000000])))
        return art(title, blocks, category="Politik", topic="rat", report=True, pools=["haushalt"])
    if v == "stadtfest":
        ev = c.next_wd(5, 10, 30)
        title = c.pick(c.say("hardneg.title_3"))
        blocks = c.blocks("hardneg", "para_8", "para_9", "para_10", "quote_2", ev=ev)
        return art(title, blocks, category="Kultur", topic="kultur_sport", pools=["kultur"])
    if v == "sportplatz":
        dn = c.district("Küppersteg")
        title = c.say("hardneg.title_4")
        blocks = c.blocks("hardneg", "para_11", "para_12", "quote_3", "para_13", dn=dn,
                          money_choice_620000=lambda: c.money(c.r.choice([620000, 740000])))
        return art(title, blocks, category="Sport", topic="kultur_sport", pools=["sport"])
    if v == "brand_leerstand":
        c.district("Opladen")
        title = c.say("hardneg.title_5")
        blocks = c.blocks("hardneg", "para_14", "para_15", "para_16", am_wd_dm_past=lambda: c.am(c.past(1, 2), 'wd_dm'))
        return art(title, blocks, category="Polizei", topic="sicherheit", sender="Polizeipräsidium Köln",
                   pools=["polizei"])
    if v == "kita_neubau":
        c.district("Opladen")
        title = c.say("hardneg.title_6")
        blocks = c.blocks("hardneg", "para_17", "para_18", "quote_4", "para_19", money_4100000=lambda: c.money(4100000))
        return art(title, blocks, category="Soziales", topic="soziales", pools=["soziales"])
    if v == "briefwahl":
        title = c.say("hardneg.title_7")
        blocks = c.blocks("hardneg", "para_20", "para_21", "para_22")
        return art(title, blocks, category="Verwaltung", topic="verwaltung", pools=["verwaltung"])
    if v == "vhs_programm":
        n = c.r.randint(900, 1400)
        title = c.pick(c.say("hardneg.title_8"))
        blocks = c.blocks("hardneg", "para_23", "para_24", "quote_5", "para_25", n=n,
                          am_future_14=lambda: c.am(c.future(14, 30)))
        return art(title, blocks, category="Bildung", topic="bildung", sender="VHS Leverkusen", pools=["bildung"])
    if v == "arbeitsmarkt":
        q = dec(c.r.uniform(6.5, 8.9))
        title = c.pick(c.say("hardneg.title_9", q=q))
        blocks = c.blocks("hardneg", "para_26", "para_27", "para_28",
                          months_12_month=lambda: MONTHS[(c.d.month - 2) % 12],
                          num_randint_6400=lambda: num(c.r.randint(6400, 8200)),
                          randint_80_260=lambda: c.r.randint(80, 260), q=q,
                          randint_380_720=lambda: c.r.randint(380, 720))
        return art(title, blocks, category="Wirtschaft", topic="wirtschaft", pools=["wirtschaft"])
    # schulentwicklung
    title = c.say("hardneg.title_10")
    blocks = c.blocks("hardneg", "para_29", "para_30", "quote_6", "para_31", am_future_5=lambda: c.am(c.future(5, 20)),
                      num_randint_700=lambda: num(c.r.randint(700, 1100)),
                      money_choice_180000000=lambda: c.money(c.r.choice([180000000, 210000000])))
    return art(title, blocks, category="Bildung", topic="bildung", report=True, pools=["bildung"])
