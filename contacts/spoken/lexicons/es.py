"""Spanish."""

from __future__ import annotations

from contacts.spoken.lexicons.base import Lexicon, pairs, phrases
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

# Letter names; "de", "te", "a" are left out: they are words first.
LETTER_NAMES = {
    "be": "b", "ce": "c", "efe": "f", "ge": "g", "hache": "h", "jota": "j", "ka": "k",
    "ele": "l", "eme": "m", "ere": "r", "ene": "n", "eñe": "ñ", "pe": "p", "cu": "q", "erre": "r",
    "ese": "s", "uve": "v", "ve": "v", "uve doble": "w", "doble uve": "w", "doble ve": "w",
    "equis": "x", "i griega": "y", "ye": "y", "zeta": "z", "i latina": "i",
}  # fmt: skip

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
    # "seiscientos" multiplies inside the word; "ciento", "cien" never take a unit before.
    lone_hundreds=frozenset({"ciento", "cien"}),
    # Seseo: recognisers write what they hear, "sinco" for "cinco"; digits only among digits.
    homophones={
        "sinco": 5,
        # "siete", "nueve" heard as the words they sound like.
        "siente": 7,
        "nuevo": 9,
        "sero": 0,
        "sien": 100,
        "dose": 12,
        "trese": 13,
        "catorse": 14,
        "quinse": 15,
        "sinquenta": 50,
        "setesientos": 700,
    },
    connectors=frozenset({"y"}),
    repeats={"doble": 2, "triple": 3},
    email_symbols={
        **EMAIL_SYMBOLS,
        "@": (*EMAIL_SYMBOLS["@"], "arroba", "a roba", "a rroba"),
        ".": (*EMAIL_SYMBOLS["."], "punto"),
        "_": (*EMAIL_SYMBOLS["_"], "guion bajo", "guión bajo", "barra baja"),
        "-": (*EMAIL_SYMBOLS["-"], "guion", "guión", "guion medio", "menos"),
        "+": (*EMAIL_SYMBOLS["+"], "más", "mas"),
    },
    plus_words=("más", "mas", "plus"),
    lead_ins=phrases(
        "vale, bueno, pues, sí, si, claro, entonces, a ver, mira, es, sería, eh, este, "
        "o sea, ok, okay, claro que sí, por supuesto, mándalo a, envíalo a, me lo mandas a, "
        "apunta, apúntalo, apunte, anota, anote, toma nota, mejor a, mejor al, mejor"
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
        "perdón, perdon, perdona, disculpa, quise decir, quiero decir, quería decir, queria decir, "
        "no perdón, no, perdón, mejor dicho, digo, espera, no espera, corrijo, me equivoqué, "
        "me he equivocado, está mal, eso está mal"
    ),
    restarts=phrases(
        "empiezo de nuevo, vuelvo a empezar, otra vez desde el principio, olvida eso, el nuevo es, "
        "el número nuevo es, el nuevo número es, mi número nuevo es, la nueva es, "
        "el correo nuevo es, "
        "mi correo nuevo es"
    ),
    spell_connectors=("de", "como", "como en", "de la"),
    capital_words=("mayúscula", "mayuscula", "letra mayúscula"),
    lower_phrases=("todo en minúsculas", "todo en minúscula", "en minúsculas", "minúsculas"),
    joined_phrases=phrases(
        "todo junto, todo seguido, todo pegado, sin espacios, sin puntos, en una sola palabra, "
        "junto"
    ),
    tld_sound_alikes={"con": "com", "cón": "com"},
    extension_words=("extensión", "extension", "ext", "anexo", "interno"),
    phonetic={},
    letter_names=LETTER_NAMES,
    weak_letter_names={"te": "t", "de": "d"},
    name_lead_ins=phrases(
        "me llamo, mi nombre es, soy, mi apellido es, mi nombre, hola, buenas, buenos días, "
        "buenas tardes, buenas noches, sí, si, para, es para, a nombre de, de parte de, "
        "la cita es para, la reserva es para, está a nombre de, mis apellidos son, "
        "señor, señora, señorita, el señor, la señora, don, doña, pon, ponga, póngalo a nombre de, "
        "ponlo a nombre de, apunte, apunta, anote, anota, el mío, al mío, a mi nombre, "
        "a nombre mío, "
        "mejor a nombre de, mejor"
    ),
    name_intros=phrases(
        "me llamo, mi nombre es, soy, a nombre de, de parte de, es para, la cita es para, "
        "se llama, "
        "su nombre es, se apellida, llamado, llamada"
    ),
    name_trailing=phrases("al habla, aquí, por favor"),
    name_joiners=phrases("y mi apellido es, y mis apellidos son, y de apellido"),
    surname_intros=phrases(
        "el apellido es, apellido es, apellidos son, primer apellido es, el apellido, "
        "de apellido, apellidos son, los apellidos, mis apellidos, apellidos, apellido"
    ),
    first_name_intros=phrases(
        "nombre de pila es, el nombre es, nombre es, de nombre, el nombre, nombre"
    ),
    relations=pairs(
        "mi, mis, nuestra, nuestro, de mi, de mis",
        "hija, hijo, esposo, esposa, marido, mujer, madre, padre, mamá, papá, hermano, "
        "hermana, novio, novia, pareja, jefe, jefa, amigo, amiga, abuela, abuelo",
    ),
    declines=phrases(
        "prefiero no, no quiero decirlo, no quiero decir, no se lo quiero decir, "
        "no le voy a decir, no se lo voy a decir, eso no se lo digo, prefiero no decirlo, "
        "mejor no, no hace falta, no es necesario, eso es privado, es privado, no gracias, "
        "hace falta, no importa, da igual, me da igual, anónimo, anónima, sin nombre, yo paso, "
        "paso de eso, me lo salto, prefiero saltarlo, sáltelo, ningún nombre, déjelo en blanco"
    ),
    asks_back=phrases(
        "puede repetir, puedes repetir, me lo repite, me lo repites, repítame, repíteme, "
        "repetir, repite, repita, no le he entendido, no te he entendido, no te he oído, "
        "no le he oído, no le he oido, no le oigo, no te oigo, no le oí, no he oído, "
        "no le entiendo, no he entendido, no entendí, no sé, no lo sé, ni idea, cómo dice, "
        "qué dice, otra vez por favor, un momento, un segundo, un momentito, "
        "déjeme pensar, déjame pensar, le oigo mal, te oigo mal, se oye mal, se escucha mal, "
        "le oigo muy mal, te oigo muy mal, le escucho muy mal, le escucho mal, no le escucho, "
        "no te escucho, se corta, se entrecorta, no se oye"
    ),
    negations=frozenset({"no", "nunca", "prefiero"}),
    giving_verbs=frozenset("dar doy decir digo dárselo decírselo dejar dejo compartir".split()),
    name_nouns=frozenset({"nombre", "apellido", "apellidos"}),
    common_words=frozenset(
        "el la lo los las un una unos unas es son soy eres era fue ser está están estoy no sí "
        "si que qué y o pero para por con sin en a al mi mis tu tus su sus yo usted ustedes "
        "me te se le les nos eso esto esa ese aquí ahí bueno vale pues hola gracias perdón "
        "nombre apellido apellidos habla llamo importa igual da ponga pon ponlo póngalo "
        "quiera quiere quiero dice digo diga sea mejor también ya mismo luego después anónimo "
        "anónima prefiero decir gusta gustaría eh este oiga mire"
        " dije dicho dicen"
        " trabajo personal oficina privado"
        " necesario realmente verdad falta"
        " sobre respecto reserva cita palabra palabras junto llamo llamaba"
        " puede puedes usar use escriba apunte mandar"
        " hoy mañana noche escucha escuchas oye"
        " déjelo déjalo así necesita necesitan aló".split()
    ),
    sentence_words=frozenset(
        "el la lo los las un una es son soy no que quiero prefiero decir decirlo decírselo "
        "para por mi tu su yo usted pero si sí porque qué eso esto le les me te se he ha "
        "sé mande diga dígame mire oiga oye yo".split()
    ),
    # With their accents: "que" and "quien" are also plain words ("la que", "quien sea").
    pronouns=frozenset("yo tú usted ustedes nosotros vosotros me te nos os".split()),
    verb_endings=("aba", "aban", "iendo"),
    question_words=frozenset("qué quién cómo porqué cuál cuánto dónde".split()),
    particles=frozenset({"de", "del", "y", "da", "di", "van", "von"}),
    particle_articles=frozenset({"la", "las", "los"}),
    hint_words=phrases("con una, con un, con la, con el, con, escrito con"),
    without_words=phrases("sin una, sin un, sin la, sin el, sin"),
    accent_words=phrases(
        "con tilde en la, con tilde en el, con tilde, con acento en la, con acento en el, "
        "con acento, con diéresis"
    ),
    hint_tails=phrases("al final, al principio, en medio"),
    spelled_intros=phrases("o sea, es decir, se escribe, que se escribe"),
)
