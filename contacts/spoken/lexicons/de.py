"""German, with the DIN 5009 spelling alphabet (old and 2022 forms)."""

from __future__ import annotations

from contacts.spoken.lexicons.base import Lexicon, phrases
from contacts.spoken.lexicons.en import EMAIL_SYMBOLS

UNITS = "null eins zwei drei vier fünf sechs sieben acht neun".split()
TEENS = "zehn elf zwölf dreizehn vierzehn fünfzehn sechzehn siebzehn achtzehn neunzehn".split()
TENS = "zwanzig dreißig vierzig fünfzig sechzig siebzig achtzig neunzig".split()

DIN_5009 = {
    # The traditional names ("A wie Anton") and the 2022 city names ("A wie Aachen").
    "anton": "a", "aachen": "a", "berta": "b", "berlin": "b", "cäsar": "c", "caesar": "c",
    "chemnitz": "c", "dora": "d", "düsseldorf": "d", "emil": "e", "essen": "e",
    "friedrich": "f", "frankfurt": "f", "gustav": "g", "goslar": "g", "heinrich": "h",
    "hamburg": "h", "ida": "i", "ingelheim": "i", "julius": "j", "jena": "j", "kaufmann": "k",
    "köln": "k", "ludwig": "l", "leipzig": "l", "martha": "m", "marta": "m", "münchen": "m",
    "nordpol": "n", "nürnberg": "n", "otto": "o", "offenbach": "o", "paula": "p",
    "potsdam": "p", "quelle": "q", "richard": "r", "rostock": "r", "samuel": "s",
    "salzwedel": "s", "siegfried": "s", "theodor": "t", "tübingen": "t", "ulrich": "u",
    "unna": "u", "viktor": "v", "völklingen": "v", "wilhelm": "w", "wuppertal": "w",
    "xanthippe": "x", "xanten": "x", "ypsilon": "y", "zacharias": "z", "zeppelin": "z",
    "zwickau": "z", "ärger": "ä", "umlaut a": "ä", "ökonom": "ö", "übermut": "ü",
}  # fmt: skip

LEXICON = Lexicon(
    code="de",
    numbers={
        **{w: i for i, w in enumerate(UNITS)},
        "ein": 1,
        "eine": 1,
        "zwo": 2,
        **{w: 10 + i for i, w in enumerate(TEENS)},
        **{w: 20 + 10 * i for i, w in enumerate(TENS)},
        "dreissig": 30,
        "hundert": 100,
        "tausend": 1000,
    },
    connectors=frozenset({"und"}),
    repeats={"doppel": 2, "doppelt": 2, "zweimal": 2, "dreimal": 3},
    email_symbols={
        **EMAIL_SYMBOLS,
        "@": (*EMAIL_SYMBOLS["@"], "ät", "et", "klammeraffe", "affenschwanz", "at-zeichen"),
        ".": (*EMAIL_SYMBOLS["."], "punkt"),
        "_": (*EMAIL_SYMBOLS["_"], "unterstrich", "tiefstrich"),
        "-": (*EMAIL_SYMBOLS["-"], "bindestrich", "strich", "minus"),
    },
    plus_words=("plus",),
    lead_ins=phrases(
        "also, ja, okay, ok, gut, na ja, äh, ähm, das ist, das wäre, es ist, sie ist, "
        "sie lautet, lautet"
    ),
    intro_nouns=phrases(
        "e-mail-adresse, e-mail adresse, email-adresse, emailadresse, e-mail, email, "
        "mail, adresse, telefonnummer, handynummer, nummer, name"
    ),
    intro_verbs=("ist", "lautet", "wäre"),
    fillers=("äh", "ähm", "öh", "hm", "halt", "sozusagen"),
    trailing=(
        "danke",
        "danke schön",
        "dankeschön",
        "vielen dank",
        "bitte",
        "das war's",
        "das wars",
    ),
    corrections=phrases(
        "nein entschuldigung, nein, entschuldigung, entschuldigung, sorry, ich meine, "
        "ich meinte, moment, halt nein, nein warte, warte, korrektur, pardon"
    ),
    restarts=("noch mal von vorne", "nochmal von vorne", "von vorne", "vergessen sie das"),
    spell_connectors=("wie",),
    capital_words=("groß", "gross", "großes", "großbuchstabe"),
    lower_phrases=("alles klein", "alles kleingeschrieben", "klein geschrieben", "kleinbuchstaben"),
    extension_words=("durchwahl", "apparat", "extension", "ext"),
    phonetic=DIN_5009,
    name_lead_ins=("ich heiße", "ich bin", "mein name ist", "mein nachname ist", "hier ist"),
)
