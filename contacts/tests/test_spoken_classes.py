"""Classes of how callers speak, one family of phrasings each, in the four languages.

Each case is written here in its own words: German tens then units, French "dis-huit",
corrections that restart a part of a number, "all one word", "punto con", names declined.
"""

from __future__ import annotations

import pytest

from contacts.normalize import (
    NormalizationError,
    normalize_email,
    normalize_name,
    normalize_phone,
)

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once

# fmt: off
PHONES_SURE = [
    # German says "einundfünfzig": "fünfzig eins" is 50 then 1, digit by digit.
    ("de", "null sechs neun fünfzig eins zwei drei vier", "+4969501234"),
    ("de", "die nummer ist null dreißig, vierzig zwei, eins eins", "+493040211"),
    # French "dix neuf" written apart is still 19.
    ("fr", "zéro six dix neuf vingt trente quarante", "+33619203040"),
]
PHONES_DOUBTFUL = [
    # A recogniser writes a clipped "sechs" as "sex", "dix" as "dis".
    ("de", "null zwei zwei eins, drei vier fünf, sex sieben acht", "+49221345678"),
    ("fr", "zéro un, quarante-cinq, dis-huit, vingt-deux, trente", "+33145182230"),
    # The correction restarts the part after the area code, which it begins like.
    ("de", "null zwei eins eins, neun acht, nein, neun sieben sechs fünf vier drei",
     "+49211976543"),
    # Longer than all that was said before: it still keeps the area code.
    ("de", "null sieben elf, fünf fünf, äh nein, fünf vier drei zwei eins null neun",
     "+497115432109"),
]
EMAILS_SURE = [
    ("en", "peter parker no spaces at gmail dot com", "peterparker@gmail.com"),
    ("es", "lucia garcia todo seguido arroba hotmail punto es", "luciagarcia@hotmail.es"),
    ("fr", "jean dupont en un seul mot arobase orange point fr", "jeandupont@orange.fr"),
    ("de", "anna schmidt alles zusammen ät web punkt de", "annaschmidt@web.de"),
    # "com" heard as a word of the language.
    ("es", "pablo arroba hotmail punto con", "pablo@hotmail.com"),
    ("fr", "luc arobase yahoo point comte", "luc@yahoo.com"),
    # "double v" is one letter, w, not two v.
    ("fr", "double v i l l y arobase free point fr", "willy@free.fr"),
    # "chez" is said for the @ by some French callers.
    ("fr", "sophie chez laposte point net", "sophie@laposte.net"),
    ("es", "doble ve a l t e r arroba gmail punto com", "walter@gmail.com"),
]
EMAILS_DOUBTFUL = [
    # The correction replaces every digit said in a row, not the last one.
    ("en", "max one two at outlook dot com sorry one three", "max13@outlook.com"),
    ("es", "ana arroba gmail punto es, quería decir, punto com", "ana@gmail.com"),
    # A provider heard in pieces, by sound.
    ("en", "dan at ya who dot co dot uk", "dan@yahoo.co.uk"),
    ("en", "lena at g male dot de", "lena@gmail.de"),
    # An ending no one uses is read back, whatever it is.
    ("en", "ada at example dot banana", "ada@example.banana"),
    ("en", "mia at example dot comma", "mia@example.comma"),
]
NAMES_SURE = [
    ("en", "it would be for my daughter emma", "Emma"),
    ("en", "book it under jackson", "Jackson"),
    ("en", "Will Smith", "Will Smith"),
    ("fr", "c'est pour julien enfin non pour juliette", "Juliette"),
    ("fr", "Marie de la Tour", "Marie de la Tour"),
]
NAMES_DECLINED = [
    ("en", "i'd prefer not to give my name"),
    ("en", "none of your business"),
    ("en", "what's this for"),
    ("es", "no se lo voy a decir"),
    ("fr", "je ne veux pas le dire"),
    ("de", "das sage ich nicht"),
    ("de", "lieber nicht"),
]
# A sentence that is no name may come back, but never as sure.
NAMES_NOT_SURE = [
    ("en", "i want to speak to someone"),
    ("de", "ich rufe wegen meiner mutter an"),
    ("fr", "oui bonjour je voudrais un rendez-vous"),
]
# fmt: on


@pytest.mark.parametrize("language, text, expected", PHONES_SURE)
def test_phone_read_as_said(language: str, text: str, expected: str) -> None:
    result = normalize_phone(text, region=language.upper(), language=language)
    assert (result.value, result.certain) == (expected, True)


@pytest.mark.parametrize("language, text, expected", PHONES_DOUBTFUL)
def test_phone_read_with_a_doubt(language: str, text: str, expected: str) -> None:
    result = normalize_phone(text, region=language.upper(), language=language)
    assert (result.value, result.certain) == (expected, False)


def test_german_number_without_its_zero_is_not_sure() -> None:
    result = normalize_phone("neun sieben sechs fünf vier drei", region="DE", language="de")
    assert result.certain is False
    assert any("area code" in doubt for doubt in result.doubts)


@pytest.mark.parametrize("language, text, expected", EMAILS_SURE)
def test_email_read_as_said(language: str, text: str, expected: str) -> None:
    result = normalize_email(text, language=language)
    assert (result.value, result.certain) == (expected, True)


@pytest.mark.parametrize("language, text, expected", EMAILS_DOUBTFUL)
def test_email_read_with_a_doubt(language: str, text: str, expected: str) -> None:
    result = normalize_email(text, language=language)
    assert (result.value, result.certain) == (expected, False)


@pytest.mark.parametrize("language, text, expected", NAMES_SURE)
def test_name_read_as_said(language: str, text: str, expected: str) -> None:
    result = normalize_name(text, language=language)
    assert (result.value, result.certain) == (expected, True)


@pytest.mark.parametrize("language, text", NAMES_DECLINED)
def test_declined_name_is_refused(language: str, text: str) -> None:
    with pytest.raises(NormalizationError):
        normalize_name(text, language=language)


@pytest.mark.parametrize("language, text", NAMES_NOT_SURE)
def test_sentence_is_never_a_sure_name(language: str, text: str) -> None:
    try:
        result = normalize_name(text, language=language)
    except NormalizationError:
        return
    assert result.certain is False
