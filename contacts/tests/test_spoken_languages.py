"""Spanish, French and German callers, in their own words; unknown languages read as English."""

from __future__ import annotations

import pytest

from contacts.normalize import (
    SUPPORTED_LANGUAGES,
    normalize_email,
    normalize_name,
    normalize_phone,
)

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once


def test_supported_languages() -> None:
    assert SUPPORTED_LANGUAGES == ("en", "es", "fr", "de")


@pytest.mark.parametrize(
    "language, text, expected",
    [
        ("es", "mi correo es juan punto perez treinta y uno arroba gmail punto com",
         "juan.perez31@gmail.com"),
        ("es", "juan guion bajo perez arroba correo punto es", "juan_perez@correo.es"),
        ("es", "juan arroba gmail punto com, perdón, quise decir arroba yahoo punto es",
         "juan@yahoo.es"),
        ("es", "B de Barcelona o b arroba ejemplo punto com", "bob@ejemplo.com"),
        ("es", "ana cero seis arroba ejemplo punto com", "ana06@ejemplo.com"),
        ("fr", "mon adresse c'est jean point dupont arobase orange point fr",
         "jean.dupont@orange.fr"),
        ("fr", "jean tiret dupont quatre-vingt-dix-sept arobase free point fr",
         "jean-dupont97@free.fr"),
        ("fr", "jean soixante-dix arobase free point fr", "jean70@free.fr"),
        ("fr", "jean arobase gmail point com, non pardon, arobase yahoo point fr",
         "jean@yahoo.fr"),
        ("fr", "A comme Anatole n n e arobase free point fr", "anne@free.fr"),
        ("de", "max unterstrich mustermann einundzwanzig klammeraffe gmx punkt de",
         "max_mustermann21@gmx.de"),
        ("de", "M wie Martha a x ät web punkt de", "max@web.de"),
        ("de", "A wie Aachen n n a at web punkt de", "anna@web.de"),
        ("de", "max at gmx punkt de, nein, Entschuldigung, at web punkt de", "max@web.de"),
        ("de", "max bindestrich muster ät t-online punkt de", "max-muster@t-online.de"),
    ],
)  # fmt: skip
def test_native_email_phrasings(language: str, text: str, expected: str) -> None:
    result = normalize_email(text, language=language)
    assert result.value == expected
    assert result.certain, result.doubts


def test_umlauts_in_a_german_address_are_transliterated_with_a_doubt() -> None:
    result = normalize_email("meine E-Mail ist max punkt müller at web punkt de", language="de")
    assert result.value == "max.mueller@web.de"
    assert not result.certain and "without accents" in result.doubts[0]


@pytest.mark.parametrize(
    "language, region, text, expected",
    [
        ("fr", "FR", "zéro six, douze, trente-quatre, cinquante-six, soixante-dix-huit",
         "+33612345678"),
        ("fr", "FR",
         "mon numéro c'est zéro six douze trente quatre cinquante six quatre vingt dix sept",
         "+33612345697"),
        ("fr", "US", "plus trente-trois six douze trente-quatre cinquante-six soixante-dix-huit",
         "+33612345678"),
        ("es", "ES", "seis uno dos, tres cuatro cinco, seis siete ocho", "+34612345678"),
        ("es", "ES", "mi número es seiscientos doce treinta y cuatro cincuenta y seis siete ocho",
         "+34612345678"),
        ("es", "US", "más treinta y cuatro seis uno dos, tres cuatro cinco, seis siete ocho",
         "+34612345678"),
        ("de", "DE", "null drei null, neun null eins acht zwo null", "+4930901820"),
        ("de", "DE", "null dreißig, neun null eins acht zwo null", "+4930901820"),
    ],
)  # fmt: skip
def test_native_phone_phrasings(language: str, region: str, text: str, expected: str) -> None:
    result = normalize_phone(text, region=region, language=language)
    assert result.value == expected
    assert result.certain, result.doubts


def test_german_extension() -> None:
    result = normalize_phone(
        "null drei null neun null eins acht zwei null durchwahl zwölf", region="DE", language="de"
    )
    assert str(result) == "+4930901820;ext=12"


def test_french_correction_of_one_pair() -> None:
    result = normalize_phone(
        "zéro six douze trente-quatre cinquante-six, non pardon, cinquante-sept soixante-dix-huit",
        region="FR",
        language="fr",
    )
    assert result.value == "+33612345778"
    assert not result.certain


@pytest.mark.parametrize(
    "language, text, expected",
    [
        ("es", "me llamo José García", "José García"),
        ("es", "me llamo Juan, perdón, Juana", "Juana"),
        ("fr", "je m'appelle François", "François"),
        ("fr", "je m'appelle Jean-Luc, non pardon, Jean-Marc", "Jean-Marc"),
        ("de", "ich heiße Müller", "Müller"),
        ("de", "M wie Martha ü l l e r", "Müller"),
        ("de", "ich heiße Max, nein, Entschuldigung, Moritz", "Moritz"),
    ],
)
def test_native_name_phrasings(language: str, text: str, expected: str) -> None:
    assert normalize_name(text, language=language).value == expected


def test_an_unknown_language_reads_english_words() -> None:
    assert normalize_email("ada at example dot com", language="xx").value == "ada@example.com"
    assert normalize_phone("four one five five five five oh one three four", language="pt").value
