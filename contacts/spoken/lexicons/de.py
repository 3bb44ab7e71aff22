"""German, with the DIN 5009 spelling alphabet (old and 2022 forms)."""

from __future__ import annotations

from contacts.spoken.lexicons.base import Lexicon, pairs, phrases
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

# Letter names, as recognisers write them when heard as words.
LETTER_NAMES = {
    "be": "b", "ce": "c", "zeh": "c", "deh": "d", "ef": "f", "ge": "g", "geh": "g",
    "ha": "h", "jot": "j", "ka": "k", "el": "l", "em": "m", "pe": "p", "ku": "q", "er": "r",
    "te": "t", "teh": "t", "vau": "v", "weh": "w", "we": "w", "ix": "x", "ypsilon": "y",
    "zett": "z", "iks": "x", "eszett": "ß", "scharfes s": "ß", "scharfem s": "ß", "scharfen s": "ß",
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
    # "sex" is how recognisers write a clipped "sechs"; a digit only between digits.
    homophones={"sex": 6},
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
        "also, ja, okay, ok, gut, na ja, äh, ähm, dann, das ist, das wäre, es ist, am besten an, "
        "am besten, "
        "am liebsten an, sie ist, "
        "sie lautet, lautet, klar, natürlich, schicken sie es an, schicken sie es bitte an, "
        "die geschäftliche, die private, die dienstliche, die berufliche, meine geschäftliche, "
        "meine private, schreiben sie, notieren sie"
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
        "genau",
        "passt",
        "stimmt",
        "richtig",
    ),
    corrections=phrases(
        "nein entschuldigung, nein, entschuldigung, entschuldigung, sorry, ich meine, "
        "ich meinte, moment, halt nein, nein warte, warte, korrektur, pardon, nee, nö, falsch, "
        "ich hab mich vertan, ich habe mich vertan, verkehrt"
    ),
    restarts=phrases(
        "noch mal von vorne, nochmal von vorne, von vorne, vergessen sie das, die neue ist, "
        "die neue lautet, die neue nummer ist, meine neue nummer ist, die neue nummer lautet, "
        "die neue adresse ist, meine neue adresse ist"
    ),
    spell_connectors=("wie",),
    capital_words=("groß", "gross", "großes", "großbuchstabe"),
    lower_phrases=phrases(
        "alles klein, alles kleingeschrieben, alles klein geschrieben, klein geschrieben, "
        "kleingeschrieben, kleinbuchstaben, alles in kleinbuchstaben"
    ),
    joined_phrases=phrases(
        "zusammengeschrieben, zusammen geschrieben, alles zusammen, in einem wort, "
        "ohne leerzeichen, ohne punkt"
    ),
    tld_sound_alikes={"komm": "com", "kom": "com"},
    extension_words=("durchwahl", "apparat", "extension", "ext"),
    phonetic=DIN_5009,
    letter_names=LETTER_NAMES,
    name_lead_ins=phrases(
        "ich heiße, ich bin, mein name ist, mein nachname ist, hier ist, hallo, guten tag, "
        "guten morgen, guten abend, grüß gott, moin, servus, hier spricht, am apparat ist, "
        "der, die, für, auf den namen, auf den namen von, der termin ist für, "
        "mein vorname ist, mein familienname ist, herr, frau, schreiben sie, "
        "schreiben sie einfach, schreiben sie mal, notieren sie, einfach, wäre das, "
        "dann wäre das, auf meinen namen, auf meinen, auf mich"
    ),
    name_intros=phrases(
        "ich heiße, ich bin, mein name ist, hier ist, hier spricht, auf den namen, "
        "der termin ist für, heißt, heisst, sein name ist, ihr name ist, namens"
    ),
    name_trailing=phrases("hier, am apparat, am telefon"),
    name_joiners=phrases("und mein nachname ist, und mit nachnamen, und nachname"),
    surname_intros=phrases(
        "nachname ist, familienname ist, nachname lautet, nachname, familienname"
    ),
    first_name_intros=phrases("vorname ist, vorname lautet, vorname"),
    relations=pairs(
        "mein, meine, meinen, meinem, meiner, unser, unsere, unseren, für meinen, für meine, "
        "von meinem, von meiner",
        "mann, frau, sohn, tochter, mutter, vater, bruder, schwester, freund, freundin, "
        "partner, partnerin, chef, chefin, kind, oma, opa, mama, papa",
    ),
    declines=phrases(
        "möchte ich nicht, will ich nicht, lieber nicht, möchte ich lieber nicht, "
        "ich möchte nicht, ich will nicht, sage ich nicht, sag ich nicht, geht sie nichts an, "
        "muss das sein, ist das nötig, ist das notwendig, brauchen sie das, das ist privat, "
        "nein danke, egal, anonym, ohne namen, für mich behalte, für mich behalten, keinen namen, "
        "kein name, keine namen, überspringen, lassen wir weg, lassen sie das weg"
    ),
    asks_back=phrases(
        "wiederholen, wie bitte, können sie das wiederholen, können sie wiederholen, "
        "nochmal bitte, "
        "noch mal bitte, noch einmal bitte, wiederholen sie, habe ich nicht verstanden, "
        "hab ich nicht verstanden, nicht verstanden, weiß ich nicht, weiss ich nicht, "
        "keine ahnung, was haben sie gesagt, einen moment, moment mal, augenblick, "
        "eine sekunde, sekunde, warten sie, lassen sie mich überlegen, verstehe sie schlecht, "
        "verstehe sie ganz schlecht, sie ganz schlecht, sie sehr schlecht, sie kaum, "
        "sie schlecht, verstehe sie nicht, verstehe nichts, höre sie schlecht, "
        "höre sie nicht, höre nichts, schlecht zu verstehen, verbindung ist schlecht, "
        "schlechte verbindung"
    ),
    negations=frozenset({"nicht", "kein", "keinen", "nie", "lieber"}),
    giving_verbs=frozenset("nennen sagen geben verraten nenne sage gebe verrate".split()),
    name_nouns=frozenset({"name", "namen", "nachnamen", "vornamen"}),
    common_words=frozenset(
        "ich du er sie es wir ihr ihnen mich mir dich dir das der die den dem des ein eine "
        "einen ist bin sind war nicht kein keine ja nein doch genau also so und oder aber auf "
        "für mit zu im in an bitte danke gern gerne hallo name namen vorname nachname mein "
        "meine meinen meinem sag sage sagen schreiben schreibe später lieber egal behalte "
        "behalten anonym hier da eben einfach sozusagen äh ähm"
        " haben habe hat schon gesagt dann denn mal wäre"
        " arbeit büro privat dienstlich geschäftlich"
        " wirklich nötig notwendig"
        " wegen bezüglich betreffend termin reservierung wort zusammen zwar noch"
        " können nehmen benutzen nutzen schicken"
        " heute morgen abend geht um"
        " nichts sache tut zur zum".split()
    ),
    sentence_words=frozenset(
        "ich du er sie wir ihr das der die ist bin sind nicht kein keine möchte will "
        "sagen mein meine und oder aber ja nein bitte danke hä hm".split()
    ),
    question_openers=frozenset(
        "muss müssen brauchen braucht ist sind können kann haben hat wollen soll sollen".split()
    ),
    pronouns=frozenset("ich wir ihr sie mich mir dich dir uns euch ihnen".split()),
    verb_endings=("ierte", "ufe"),
    question_words=frozenset(
        "was warum wieso weshalb wofür wozu worum wer wen wem welche welcher welches".split()
    ),
    particles=frozenset({"von", "van", "zu", "vom", "zum", "zur", "de", "di", "da"}),
    particle_articles=frozenset({"der", "den", "dem"}),
    hint_words=phrases("mit einem, mit einer, mit ein, mit"),
    without_words=phrases("ohne ein, ohne eine, ohne"),
    accent_words=phrases(
        "mit umlaut, mit akzent, mit accent, mit zwei punkten, mit pünktchen, umlaut"
    ),
    hint_tails=phrases("am ende, am schluss, am anfang, in der mitte"),
    spelled_intros=phrases("also, das heißt, geschrieben"),
)
