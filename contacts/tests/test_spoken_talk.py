"""How callers around the four languages give a name, an address or a number in conversation:
greetings, "hier spricht", "a nombre de mi hijo", spelling hints, particles, refusals, a
word spelled again, sound-alikes and corrections of one part."""

from __future__ import annotations

import pytest

from contacts.normalize import NormalizationError, normalize_email, normalize_name, normalize_phone

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once

# fmt: off
TALK_AROUND_NAMES = [
    ("en", "hi this is sarah connor calling", "Sarah Connor"),
    ("en", "good morning, tom baker speaking", "Tom Baker"),
    ("en", "my first name is peter and my last name is parker", "Peter Parker"),
    ("en", "it's for my wife, it's for linda", "Linda"),
    ("es", "buenas tardes, soy carmen eh carmen ruiz", "Carmen Ruiz"),
    ("es", "llamo de parte de jorge salas", "Jorge Salas"),
    ("es", "la cita es para mi hijo mateo", "Mateo"),
    ("es", "me llamo pablo y mi apellido es ortega", "Pablo Ortega"),
    ("fr", "bonjour c'est de la part de julien morel", "Julien Morel"),
    ("fr", "c'est pour ma fille chloé", "Chloé"),
    ("fr", "claire dubois à l'appareil", "Claire Dubois"),
    ("de", "hallo hier spricht jonas weber", "Jonas Weber"),
    ("de", "grüß gott, ähm, ich bin der stefan", "Stefan"),
    ("de", "auf den Namen schulz bitte", "Schulz"),
    ("de", "tobias fischer am apparat", "Tobias Fischer"),
    # Surnames alone and courtesy titles.
    ("en", "my surname's okoro", "Okoro"),
    ("en", "mrs henderson", "Henderson"),
    ("es", "soy el señor navarro", "Navarro"),
    ("fr", "mon prénom c'est inès et mon nom de famille c'est petit", "Inès Petit"),
    ("fr", "oui bonjour monsieur lambert", "Lambert"),
    ("de", "frau schneider", "Schneider"),
]
# fmt: on


@pytest.mark.parametrize("language, text, expected", TALK_AROUND_NAMES)
def test_talk_around_a_name_goes(language: str, text: str, expected: str) -> None:
    assert normalize_name(text, language=language).value == expected


@pytest.mark.parametrize(
    "language, text, expected, certain",
    [
        ("en", "claire with an i", "Claire", True),
        ("en", "philip with one l", "Philip", True),
        ("en", "phillip with two l's", "Phillip", True),  # "l's" is no letter: no hint read
        ("en", "philip with two l", "Philip", False),
        ("en", "stephen with a v", "Stephen", False),
        ("es", "benítez con be", "Benítez", True),
        ("es", "jiménez con jota", "Jiménez", True),
        ("fr", "hélène avec un accent grave sur le e", "Hélène", True),
        ("fr", "helene avec un accent sur le e", "Helene", False),
        ("de", "schmidt mit d t", "Schmidt", True),
        ("de", "maier mit a i", "Maier", True),
        ("de", "meier mit ypsilon", "Meier", False),
        ("en", "ashley with a y at the end", "Ashley", True),
        ("es", "raúl con tilde en la u", "Raúl", True),
        ("fr", "françois avec une cédille", "François", True),
        ("de", "jürgen mit umlaut", "Jürgen", True),
    ],
)
def test_spelling_hints_go_and_a_hint_that_does_not_fit_is_a_doubt(
    language: str, text: str, expected: str, certain: bool
) -> None:
    result = normalize_name(text, language=language)
    assert result.value == expected
    assert result.certain is certain


@pytest.mark.parametrize(
    "language, text, expected",
    [
        ("en", "sean, no, shaun with a u", "Shaun"),
        ("en", "catherine sorry katherine with a k", "Katherine"),
        ("de", "für meine Frau, nein, für meinen Sohn felix", "Felix"),
        ("es", "para mi esposa, perdón, para mi hija alba", "Alba"),
    ],
)
def test_the_last_name_given_wins(language: str, text: str, expected: str) -> None:
    assert normalize_name(text, language=language).value == expected


@pytest.mark.parametrize(
    "language, text, expected",
    [
        ("es", "juan carlos del río", "Juan Carlos del Río"),
        ("es", "ana de los santos", "Ana de los Santos"),
        ("fr", "anne de la fontaine", "Anne de la Fontaine"),
        ("fr", "pierre d'alembert", "Pierre d'Alembert"),
        ("de", "karl theodor zu guttenberg", "Karl Theodor zu Guttenberg"),
        ("de", "hans von dem busche", "Hans von dem Busche"),
        ("en", "leonardo da vinci", "Leonardo da Vinci"),
        # First, a particle keeps its capital; last, it is a name of its own.
        ("en", "de niro", "De Niro"),
        ("de", "van gogh", "Van Gogh"),
        ("en", "tran van", "Tran Van"),
    ],
)
def test_particles_are_lower_case_inside_a_name(language: str, text: str, expected: str) -> None:
    assert normalize_name(text, language=language).value == expected


@pytest.mark.parametrize(
    "language, text",
    [
        ("en", "six five zero two two one"),
        ("en", "why do you need that"),
        ("en", "what is this about?"),
        ("en", "anna at outlook dot com"),
        ("es", "nueve uno cuatro cuatro"),
        ("es", "por qué quiere saberlo"),
        ("es", "pedro arroba hotmail punto es"),
        ("fr", "zéro sept vingt-deux"),
        ("fr", "pourquoi vous avez besoin de ça"),
        ("fr", "luc arobase free point fr"),
        ("de", "null sieben zwo acht"),
        ("de", "wofür brauchen Sie das"),
        ("de", "lisa ät web punkt de"),
    ],
)
def test_what_is_no_name_is_refused(language: str, text: str) -> None:
    with pytest.raises(NormalizationError):
        normalize_name(text, language=language)


def test_a_hint_that_is_not_understood_leaves_the_name_uncertain() -> None:
    assert normalize_name("jon with no h").certain is False


@pytest.mark.parametrize("text", ["dr who", "seven", "jack how"])
def test_names_that_hold_a_question_or_number_word_stay_names(text: str) -> None:
    assert normalize_name(text).value


@pytest.mark.parametrize(
    "language, text, expected",
    [
        ("en", "it's maria m a r i a at gmail dot com", "maria@gmail.com"),
        ("en", "jones, that's j o n e s, at aol dot com", "jones@aol.com"),
        ("en", "tina at icloud dot com, that is t i n a", "tina@icloud.com"),
        ("es", "es marta o sea m a r t a arroba yahoo punto es", "marta@yahoo.es"),
        ("es", "hache e c t o r arroba gmail punto com", "hector@gmail.com"),
        ("es", "i griega o l i arroba gmail punto com", "yoli@gmail.com"),
        ("de", "ypsilon a s m i n ät gmx punkt de", "yasmin@gmx.de"),
    ],
)
def test_a_word_spelled_again_is_said_once(language: str, text: str, expected: str) -> None:
    assert normalize_email(text, language=language).value == expected


@pytest.mark.parametrize(
    "language, text, expected",
    [
        ("en", "my personal one which is kate at gmail dot com", "kate@gmail.com"),
        ("en", "you can send it to raj at outlook dot com thanks", "raj@outlook.com"),
        ("fr", "oui bien sûr c'est paul arobase orange point fr", "paul@orange.fr"),
        ("fr", "nina a robase free point fr", "nina@free.fr"),
        ("es", "rosa a roba gmail punto com", "rosa@gmail.com"),
        ("de", "alles kleingeschrieben tim ät web punkt de", "tim@web.de"),
    ],
)
def test_lead_ins_and_split_symbols_in_emails(language: str, text: str, expected: str) -> None:
    assert normalize_email(text, language=language).value == expected


def test_a_sound_alike_beside_a_number_is_a_digit_in_an_email_with_a_doubt() -> None:
    result = normalize_email("sam for five at gmail dot com")
    assert result.value == "sam45@gmail.com"
    assert result.certain is False


def test_a_domain_said_in_two_words_near_a_big_provider_is_that_provider() -> None:
    result = normalize_email("ben at yah who dot com")
    assert result.value == "ben@yahoo.com"
    assert result.certain is False


@pytest.mark.parametrize(
    "language, text, expected",
    [
        ("fr", "marc trente arobase gmail point com non trente et un", "marc31@gmail.com"),
        ("de", "ida sieben ät web punkt de nein acht", "ida8@web.de"),
        ("en", "lou twenty at gmail dot com sorry twenty one", "lou21@gmail.com"),
    ],
)
def test_a_number_alone_corrects_the_number(language: str, text: str, expected: str) -> None:
    result = normalize_email(text, language=language)
    assert result.value == expected
    assert result.certain is False


@pytest.mark.parametrize(
    "language, region, text, expected",
    [
        ("en", "US", "two-one-two-five-five-five-zero-one-nine-nine", "+12125550199"),
        ("fr", "FR", "zéro quatre quatre-vingts onze vingt-deux trente-trois", "+33480112233"),
        ("fr", "FR", "zéro six vin trois quarante-cinq soixante-sept quatre-vingt-neuf",
         "+33623456789"),
        ("fr", "FR", "zéro un trente euh non trente et un vingt-deux trente-trois quarante-quatre",
         "+33131223344"),
        ("de", "DE", "null achthundert sieben sechs fünf vier drei zwei eins", "+498007654321"),
    ],
)  # fmt: skip
def test_phone_numbers_as_callers_read_them(
    language: str, region: str, text: str, expected: str
) -> None:
    assert normalize_phone(text, region=region, language=language).value == expected


def test_a_french_0800_number_read_with_hundreds() -> None:
    result = normalize_phone("zéro huit cent quinze vingt et un trente", region="FR", language="fr")
    assert result.value == "+33800152130"
