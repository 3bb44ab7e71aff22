"""French."""

from __future__ import annotations

from contacts.spoken.lexicons.base import Lexicon, phrases
from contacts.spoken.lexicons.en import EMAIL_SYMBOLS

UNITS = "zéro un deux trois quatre cinq six sept huit neuf".split()
TEENS = "dix onze douze treize quatorze quinze seize dix-sept dix-huit dix-neuf".split()
TENS = {"vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60}

LEXICON = Lexicon(
    code="fr",
    numbers={
        **{w: i for i, w in enumerate(UNITS)},
        "zero": 0,
        "une": 1,
        **{w: 10 + i for i, w in enumerate(TEENS)},
        **TENS,
        "vingts": 20,
        "septante": 70,
        "huitante": 80,
        "octante": 80,
        "nonante": 90,
        "cent": 100,
        "cents": 100,
        "mille": 1000,
    },
    connectors=frozenset({"et"}),
    repeats={"double": 2, "triple": 3},
    email_symbols={
        **EMAIL_SYMBOLS,
        "@": (*EMAIL_SYMBOLS["@"], "arobase", "arrobase", "arobas", "a commercial"),
        ".": (*EMAIL_SYMBOLS["."], "point"),
        "_": (*EMAIL_SYMBOLS["_"], "tiret bas", "tiret du bas", "underscore", "souligné"),
        "-": (*EMAIL_SYMBOLS["-"], "tiret", "trait d'union", "tiret du six"),
    },
    plus_words=("plus",),
    lead_ins=phrases(
        "alors, donc, bon, ben, oui, d'accord, ok, okay, euh, c'est, voilà, ça serait, "
        "ce serait, bah"
    ),
    intro_nouns=phrases(
        "adresse e-mail, adresse mail, adresse email, adresse électronique, adresse, "
        "e-mail, email, mail, courriel, numéro de téléphone, numéro, portable, nom"
    ),
    intro_verbs=("c'est", "est", "ce serait", "serait"),
    fillers=("euh", "heu", "bah", "ben", "genre", "en fait", "tu vois", "vous voyez"),
    trailing=("merci", "merci beaucoup", "s'il vous plaît", "s'il te plaît", "c'est tout", "voilà"),
    corrections=phrases(
        "non pardon, non, pardon, pardon, désolé, désolée, je veux dire, "
        "je voulais dire, plutôt, attendez, attends, non attendez, excusez-moi, en fait"
    ),
    restarts=("je recommence", "on recommence", "oubliez ça", "reprenons"),
    spell_connectors=("comme", "de"),
    capital_words=("majuscule", "grand", "lettre majuscule"),
    lower_phrases=("tout en minuscules", "tout en minuscule", "en minuscules", "minuscules"),
    extension_words=("poste", "extension", "ext"),
    phonetic={},
    name_lead_ins=("je m'appelle", "mon nom est", "mon nom c'est", "je suis", "moi c'est"),
)
