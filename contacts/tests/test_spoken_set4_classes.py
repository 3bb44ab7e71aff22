"""Classes of speech seen in the fourth corpus set, probed in all four languages."""

from __future__ import annotations

import pytest

from contacts.normalize import (
    NormalizationError,
    normalize_email,
    normalize_name,
    normalize_phone,
)

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once

REGION = {"en": "US", "es": "ES", "fr": "FR", "de": "DE"}


@pytest.mark.parametrize(
    "text, language, value",
    [
        # Someone else's name, said with a naming verb in the third person.
        ("it's for my son he's called oliver grant", "en", "Oliver Grant"),
        ("es para mi hija, se llama lucía ortega", "es", "Lucía Ortega"),
        ("c'est pour mon fils, il s'appelle hugo petit", "fr", "Hugo Petit"),
        ("es ist für meine tochter, die heißt emma schulz", "de", "Emma Schulz"),
        # A relation the caller names inside a correction.
        ("ponlo a nombre de luis, no, mejor de mi hermana carmen vidal", "es", "Carmen Vidal"),
        ("au nom de ma femme non plutôt le mien, thomas girard", "fr", "Thomas Girard"),
        ("auf den namen meines mannes, nein, auf meinen, sabine koch", "de", "Sabine Koch"),
        ("write down sam actually change it to samuel okafor", "en", "Samuel Okafor"),
        # "then" words before the name.
        ("so then it'd be tom hardy", "en", "Tom Hardy"),
        ("also dann wäre das jonas becker", "de", "Jonas Becker"),
        # Labels without a verb.
        ("nombre marta apellidos gómez pardo", "es", "Marta Gómez Pardo"),
        ("prénom léa nom fontaine", "fr", "Léa Fontaine"),
        ("le prénom c'est inès et le nom c'est garnier", "fr", "Inès Garnier"),
    ],
)
def test_names_said_around_talk(text: str, language: str, value: str) -> None:
    result = normalize_name(text, language=language)
    assert (result.value, result.certain) == (value, True)


@pytest.mark.parametrize(
    "text, language",
    [
        ("sorry you're breaking up", "en"),
        ("i'll pass on that one", "en"),
        ("le oigo muy mal, perdone", "es"),
        ("paso, no quiero dar el nombre", "es"),
        ("pardon je vous entends très mal", "fr"),
        ("je passe mon tour", "fr"),
        ("ich höre sie ganz schlecht", "de"),
        ("ich möchte keinen namen angeben", "de"),
    ],
)
def test_a_bad_line_or_a_skip_holds_no_name(text: str, language: str) -> None:
    with pytest.raises(NormalizationError):
        normalize_name(text, language=language)


def test_in_the_name_of_is_no_first_name_label() -> None:
    result = normalize_name("a nombre de pedro, apellido navarro", language="es")
    assert result.value != "De Pedro Navarro"
    assert result.value == "Pedro Navarro" or not result.certain


def test_a_name_word_is_still_a_name_after_an_intro_that_used_to_be_a_correction() -> None:
    assert normalize_name("it's alice no it's alicia moran").value == "Alicia Moran"


@pytest.mark.parametrize(
    "text, language",
    [
        ("my work email it's at outlook dot com", "en"),
        ("mi correo es at gmail punto com", "es"),
        ("mon adresse c'est arobase orange point fr", "fr"),
        ("meine mail ist ät web punkt de", "de"),
    ],
)
def test_an_address_without_its_part_before_the_at_is_refused(text: str, language: str) -> None:
    with pytest.raises(NormalizationError):
        normalize_email(text, language=language)


@pytest.mark.parametrize(
    "text, language, value",
    [
        # A word said, then spelled again, with spelling words or an umlaut's two letters.
        ("it's tess t as in tango e s s at aol dot com", "en", "tess@aol.com"),
        ("carlos c a r l o s arroba hotmail punto com", "es", "carlos@hotmail.com"),
        ("jürgen j u e r g e n at web punkt de", "de", "juergen@web.de"),
        # "wrong" and its kin correct the address.
        ("jens at gmx punkt de falsch jens at web punkt de", "de", "jens@web.de"),
        ("pepe arroba gmail punto com me equivoqué pepe arroba yahoo punto es", "es",
         "pepe@yahoo.es"),
        ("luc arobase sfr point fr je me suis trompé luc arobase orange point fr", "fr",
         "luc@orange.fr"),
        # Where to send it, said before the address.
        ("am besten an info at baeckerei-schmidt punkt de", "de", "info@baeckerei-schmidt.de"),
        ("mejor a lucia punto mora arroba gmail punto com", "es", "lucia.mora@gmail.com"),
        ("de préférence à marc point blanc arobase free point fr", "fr", "marc.blanc@free.fr"),
        # An old address, then the new one.
        ("my old one was pat at aol dot com the new one is pat dot lee at gmail dot com", "en",
         "pat.lee@gmail.com"),
    ],
)  # fmt: skip
def test_emails_said_with_repeats_and_corrections(text: str, language: str, value: str) -> None:
    assert normalize_email(text, language=language).value == value


def test_german_letter_names_spell_a_provider() -> None:
    result = normalize_email("tim at ge em iks punkt net", language="de")
    assert result.value == "tim@gmx.net"
    assert not result.certain


@pytest.mark.parametrize(
    "text, language, value",
    [
        ("my old number's 415 555 0101, the new number is 415 555 0199", "en", "+14155550199"),
        ("el antiguo era 612 345 678 el nuevo es 612 345 699", "es", "+34612345699"),
        ("l'ancien c'était 06 12 34 56 78 le nouveau c'est 06 12 34 56 99", "fr", "+33612345699"),
        ("die alte nummer war 030 1234567 die neue ist 030 7654321", "de", "+49307654321"),
    ],
)
def test_the_new_number_replaces_the_old(text: str, language: str, value: str) -> None:
    assert normalize_phone(text, language=language, region=REGION[language]).value == value


@pytest.mark.parametrize(
    "text, language, extension",
    [
        ("212 555 0147 ext 3 sorry ext 5", "en", "5"),
        ("212 555 0147 extension 3, actually 5", "en", "5"),
        ("212 555 0147 extension 1 2 3", "en", "123"),
        ("030 1234567 durchwahl 20 nein durchwahl 21", "de", "21"),
        ("01 45 67 89 10 poste 22 non pardon poste 23", "fr", "23"),
    ],
)
def test_a_corrected_extension_is_the_last_one_said(
    text: str, language: str, extension: str
) -> None:
    result = normalize_phone(text, language=language, region=REGION[language])
    assert result.extension == extension


@pytest.mark.parametrize(
    "text, language, value, heard",
    [
        ("seis uno dos tres cuatro cinco seis siente ocho", "es", "+34612345678", "siente"),
        ("nuevo uno dos tres cuatro cinco seis siete ocho", "es", "+34912345678", "nuevo"),
        ("zéro six cette huit douze trente-quatre cinquante-six", "fr", "+33678123456", "cette"),
    ],
)
def test_a_digit_heard_as_a_word_is_read_with_a_doubt(
    text: str, language: str, value: str, heard: str
) -> None:
    result = normalize_phone(text, language=language, region=REGION[language])
    assert result.value == value
    assert any(heard in doubt for doubt in result.doubts)
