"""A name is certain only when every word of it looks like a name word."""

from __future__ import annotations

import pytest

from contacts.normalize import NormalizationError, normalize_name

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once


@pytest.mark.parametrize(
    "text, language, value",
    [
        ("rosa delgado", "es", "Rosa Delgado"),
        ("maría de la cruz", "es", "María de la Cruz"),
        ("ursula von der leyen", "de", "Ursula von der Leyen"),
        ("hélène dubois", "fr", "Hélène Dubois"),
        ("patrick o'hara", "en", "Patrick O'Hara"),
        ("will turner", "en", "Will Turner"),
    ],
)
def test_a_clean_name_stays_certain(text: str, language: str, value: str) -> None:
    result = normalize_name(text, language=language)
    assert (result.value, result.certain) == (value, True)


@pytest.mark.parametrize(
    "text, language, value",
    [
        ("please just use my work name nadia orlov", "en", "Nadia Orlov"),
        ("pues mire le habla ignacio ferrer", "es", "Ignacio Ferrer"),
        ("mettez plutôt le nom de mon frère paul roche", "fr", "Paul Roche"),
        ("also schreiben sie es einfach auf tobias wendt", "de", "Tobias Wendt"),
    ],
)
def test_talk_before_the_name_goes_but_leaves_a_doubt(text: str, language: str, value: str) -> None:
    result = normalize_name(text, language=language)
    assert result.value == value
    assert result.certain is False, result.doubts


@pytest.mark.parametrize(
    "text, language",
    [
        ("ted with the accent on the x lang", "en"),  # a hint not understood stays
        ("ana b", "es"),  # a letter left over
    ],
)
def test_leftovers_are_never_certain(text: str, language: str) -> None:
    assert normalize_name(text, language=language).certain is False


@pytest.mark.parametrize(
    "text, language",
    [
        ("honestly it does not matter", "en"),
        ("i would like to remain anonymous", "en"),
        ("me da igual, lo que usted quiera", "es"),
        ("peu importe en fait", "fr"),
        ("das ist mir egal", "de"),
        ("das behalte ich für mich", "de"),
        ("pas de nom s'il vous plaît, c'est personnel", "fr"),
    ],
)
def test_replies_of_only_common_words_hold_no_name(text: str, language: str) -> None:
    with pytest.raises(NormalizationError):
        normalize_name(text, language=language)


@pytest.mark.parametrize(
    "text, language, value",
    [
        ("given name olivia surname brandt", "en", "Olivia Brandt"),
        ("surname is kowalski and first name is marta", "en", "Marta Kowalski"),
        ("de nombre lucía y de apellido serrano", "es", "Lucía Serrano"),
        ("prénom élodie, nom de famille marchand", "fr", "Élodie Marchand"),
        ("nachname krüger vorname heike", "de", "Heike Krüger"),
    ],
)
def test_labelled_first_and_last_names_in_either_order(
    text: str, language: str, value: str
) -> None:
    assert normalize_name(text, language=language).value == value


@pytest.mark.parametrize(
    "text, language, value",
    [
        ("jon j o n without the h marsh", "en", "Jon Marsh"),
        ("valeria ibarra con be y con doble erre", "es", "Valeria Ibarra"),
        ("noël faure avec un e tréma", "fr", "Noël Faure"),
        ("jorge vidal, jorge con jota", "es", "Jorge Vidal"),
    ],
)
def test_hints_said_in_other_shapes_are_consumed(text: str, language: str, value: str) -> None:
    result = normalize_name(text, language=language)
    assert result.value == value


def test_a_mark_that_may_belong_to_another_word_is_not_certain() -> None:
    assert normalize_name("noel faure avec un e tréma", language="fr").certain is False
