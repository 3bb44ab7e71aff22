"""Spanish."""

from __future__ import annotations

from contacts.spoken.lexicons.base import Lexicon, phrases
from contacts.spoken.lexicons.en import EMAIL_SYMBOLS

UNITS = "cero uno dos tres cuatro cinco seis siete ocho nueve".split()
TEENS = "diez once doce trece catorce quince dieciséis diecisiete dieciocho diecinueve".split()
TENS = "veinte treinta cuarenta cincuenta sesenta setenta ochenta noventa".split()
HUNDREDS = (
    "ciento doscientos trescientos cuatrocientos quinientos seiscientos setecientos "
    "ochocientos novecientos"
).split()
TWENTIES = "veintiuno veintidós veintitrés veinticuatro veinticinco veintiséis veintisiete "
TWENTIES += "veintiocho veintinueve"

LEXICON = Lexicon(
    code="es",
    numbers={
        **{w: i for i, w in enumerate(UNITS)},
        "un": 1,
        "una": 1,
        **{w: 10 + i for i, w in enumerate(TEENS)},
        "dieciseis": 16,
        **{w: 20 + 10 * i for i, w in enumerate(TENS)},
        **{w: 21 + i for i, w in enumerate(TWENTIES.split())},
        "veintidos": 22,
        "veintitres": 23,
        "veintiseis": 26,
        "cien": 100,
        **{w: 100 * (i + 1) for i, w in enumerate(HUNDREDS)},
        "mil": 1000,
    },
    connectors=frozenset({"y"}),
    repeats={"doble": 2, "triple": 3},
    email_symbols={
        **EMAIL_SYMBOLS,
        "@": (*EMAIL_SYMBOLS["@"], "arroba"),
        ".": (*EMAIL_SYMBOLS["."], "punto"),
        "_": (*EMAIL_SYMBOLS["_"], "guion bajo", "guión bajo", "barra baja"),
        "-": (*EMAIL_SYMBOLS["-"], "guion", "guión", "guion medio", "menos"),
        "+": (*EMAIL_SYMBOLS["+"], "más", "mas"),
    },
    plus_words=("más", "mas", "plus"),
    lead_ins=phrases(
        "vale, bueno, pues, sí, si, claro, entonces, a ver, mira, es, sería, eh, este, "
        "o sea, ok, okay"
    ),
    intro_nouns=phrases(
        "correo electrónico, correo, email, e-mail, mail, dirección, número de teléfono, "
        "número, teléfono, móvil, celular, nombre"
    ),
    intro_verbs=("es", "sería", "será"),
    fillers=("eh", "ehm", "em", "este", "o sea", "pues", "bueno"),
    trailing=(
        "gracias",
        "muchas gracias",
        "por favor",
        "eso es todo",
        "eso es",
        "nada más",
        "vale",
    ),
    corrections=phrases(
        "perdón, perdon, perdona, disculpa, quise decir, quiero decir, no perdón, "
        "no, perdón, mejor dicho, digo, espera, no espera, corrijo"
    ),
    restarts=("empiezo de nuevo", "vuelvo a empezar", "otra vez desde el principio", "olvida eso"),
    spell_connectors=("de", "como", "como en", "de la"),
    capital_words=("mayúscula", "mayuscula", "letra mayúscula"),
    lower_phrases=("todo en minúsculas", "todo en minúscula", "en minúsculas", "minúsculas"),
    extension_words=("extensión", "extension", "ext", "anexo", "interno"),
    phonetic={},
    name_lead_ins=("me llamo", "mi nombre es", "soy", "mi apellido es", "mi nombre"),
)
