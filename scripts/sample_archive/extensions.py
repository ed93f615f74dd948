"""The extension paragraphs (x_*) that bring short sample articles to length, and which pools
an article draws from; the sentences are data/sample-archive/templates/extensions.toml."""

from __future__ import annotations

from .context import DISTRICTS, Ctx, num, wz


# ===========================================================================
# Extension paragraphs: topic pools used to bring short articles to length
# ===========================================================================
def x_verkehr(c: Ctx):
    s1, s2 = c.streets(2)
    dn = c.dname or c.r.choice(DISTRICTS)[0]
    online = c.y >= 2006
    return c.say("extensions.verkehr.text",
                 hint=lambda: c.say("extensions.verkehr.hint_online" if online else "extensions.verkehr.hint_press"),
                 num_randint_480=lambda: num(c.r.randint(480, 560)), dn=dn,
                 fuzzy_past_40=lambda: c.fuzzy(c.past(40, 120)), s1=s1, s2=s2)


def x_kultur(c: Ctx):
    return c.say("extensions.kultur.text", num_1000_randint=lambda: num(c.r.randint(180, 260) * 1000),
                 subscribe=lambda: c.say("extensions.kultur.subscribe_newsletter" if c.y >= 2008
                                         else "extensions.kultur.subscribe_list"),
                 fuzzy_future_60=lambda: c.fuzzy(c.future(60, 120), year=False))


def x_sport(c: Ctx):
    return c.say("extensions.sport.text", num_10_randint=lambda: num(c.r.randint(15, 19) * 10),
                 num_1000_randint=lambda: num(c.r.randint(48, 56) * 1000))


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
    return c.say("extensions.feuerwehr.text", wz_randint_2=lambda: wz(c.r.randint(2, 3)),
                 money_choice_9000000=lambda: c.money(c.r.choice([9000000, 12000000, 16000000])))


def x_rat(c: Ctx):
    return [
        c.say("extensions.rat.text"),
        c.say("extensions.rat.text_2",
              mayor_dat=lambda: 'der Oberbürgermeisterin' if c.fem('ob') else 'dem Oberbürgermeister',
              choice_52_56=lambda: c.r.choice([52, 56, 58, 60])),
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
    return c.say("extensions.umwelt.text", num_100_randint=lambda: num(c.r.randint(20, 45) * 100),
                 die_abfall_app_erinnert=lambda: c.say("extensions.umwelt.die_abfall_app_erinnert") if app else '',
                 num_1000_randint=lambda: num(c.r.randint(30, 38) * 1000),
                 num_1000_randint_2=lambda: num(c.r.randint(12, 19) * 1000), wz_randint_6=lambda: wz(c.r.randint(6, 9)))


def x_wirtschaft(c: Ctx):
    return c.say("extensions.wirtschaft.text", randint_120_260=lambda: c.r.randint(120, 260),
                 num_randint_1100=lambda: num(c.r.randint(1100, 1400)))


def x_bildung(c: Ctx):
    return c.say("extensions.bildung.text", randint_50_56=lambda: c.r.randint(50, 56),
                 num_1000_randint=lambda: num(c.r.randint(21, 24) * 1000), am_past_20=lambda: c.am(c.past(20, 60)))


def x_verwaltung(c: Ctx):
    online = c.y >= 2008
    return c.say("extensions.verwaltung.text",
                 forms=lambda: c.say("extensions.verwaltung.forms_online" if online
                                     else "extensions.verwaltung.forms_office"),
                 num_100_randint=lambda: num(c.r.randint(28, 34) * 100))


def x_soziales(c: Ctx):
    return c.say("extensions.soziales.text", am_past_20=lambda: c.am(c.past(20, 60)),
                 money_choice_45000=lambda: c.money(c.r.choice([45000, 80000, 120000, 160000])))


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
    return c.say("extensions.int_engagement.text", randint_30_60=lambda: c.r.randint(30, 60),
                 randint_60_140=lambda: c.r.randint(60, 140))


def x_int_dialog(c: Ctx):
    return c.say("extensions.int_dialog.text", wz_randint_7=lambda: wz(c.r.randint(7, 11)),
                 choice_viermal_dreimal=lambda: c.r.choice(['viermal', 'dreimal', 'sechsmal']))


def x_int_senioren(c: Ctx):
    return c.say("extensions.int_senioren.text")


def x_haushalt(c: Ctx):
    return c.say("extensions.haushalt.text",
                 money_choice_180000000=lambda: c.money(c.r.choice([180000000, 240000000, 310000000])))


def x_internet(c: Ctx):
    return c.say("extensions.internet.text")


def x_polizei_verkehr(c: Ctx):
    return c.say("extensions.polizei_verkehr.text")


def x_mrat(c: Ctx):
    return c.say("extensions.mrat.text",
                 published_where=lambda: 'im Internet' if c.y >= 2006 else c.say("extensions.mrat.notice_board"))


def x_einb(c: Ctx):
    return c.say("extensions.einb.text")


EXTRA_POOLS = {
    "verkehr": x_verkehr, "kultur": x_kultur, "sport": x_sport, "polizei": x_polizei, "feuerwehr": x_feuerwehr,
    "rat": x_rat, "rat_sitzung": x_rat_sitzung, "umwelt": x_umwelt, "haushalt": x_haushalt, "internet": x_internet,
    "polizei_verkehr": x_polizei_verkehr, "mrat": x_mrat, "einb": x_einb, "wirtschaft": x_wirtschaft,
    "bildung": x_bildung, "verwaltung": x_verwaltung,
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
