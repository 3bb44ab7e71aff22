"""Classes of speech seen in the fifth corpus set, probed in all four languages."""

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
        # Hundreds counted past twenty, as the last four digits are often said in English.
        ("two one two five five five forty two hundred", "en", "+12125554200"),
        ("six one seven three three three ninety one hundred", "en", "+16173339100"),
        # Fifteen hundred still works the old way.
        ("two one two five five five twelve hundred", "en", "+12125551200"),
        # Tens then a unit with no "y" can be two groups: 640 2 …, not 642.
        ("seiscientos cuarenta dos uno uno dos tres cuatro", "es", "+34640211234"),
    ],
)
def test_phone_number_groups_read_as_counts(text: str, language: str, value: str) -> None:
    assert normalize_phone(text, region=REGION[language], language=language).value == value


def test_tens_then_unit_kept_together_when_that_makes_the_number() -> None:
    said = "seis uno dos treinta cuatro cincuenta seis setenta ocho"
    assert normalize_phone(said, region="ES", language="es").value == "+34612345678"


@pytest.mark.parametrize(
    "text, language, value",
    [
        # Talk about a mark, then the word spelled: the word stays, once.
        ("chloé avec un accent aigu c h l o e martin", "fr", "Chloé Martin"),
        ("inés con tilde i n e s garcía", "es", "Inés García"),
        ("jörg mit ö j ö r g weber", "de", "Jörg Weber"),
        ("yves avec un i grec y v e s morel", "fr", "Yves Morel"),
        # A count inside the spelled letters.
        ("anna hesse h e zwei s e", "de", "Anna Hesse"),
        ("carlos rossi r o doble s i", "es", "Carlos Rossi"),
        # "without the umlaut": the spelled letters replace the word.
        ("jürgen ohne umlaut also j u e r g e n schmidt", "de", "Juergen Schmidt"),
    ],
)
def test_name_spelling_aids_go(text: str, language: str, value: str) -> None:
    assert normalize_name(text, language=language).value == value


@pytest.mark.parametrize(
    "text, language, value",
    [
        ("kyle with a y k y l e at gmail dot com", "en", "kyle@gmail.com"),
        ("iñigo sin eñe i n i g o arroba gmail punto com", "es", "inigo@gmail.com"),
        ("müller ohne umlaut m u e l l e r at web punkt de", "de", "mueller@web.de"),
        ("yann avec un y grec y a n n arobase free point fr", "fr", "yann@free.fr"),
    ],
)
def test_email_spelling_aids_go(text: str, language: str, value: str) -> None:
    assert normalize_email(text, language=language).value == value


@pytest.mark.parametrize(
    "text, language, value",
    [
        # Talk after the name: what the call is about, how the name is written.
        ("hi it's rachel moore calling about the invoice", "en", "Rachel Moore"),
        ("mary ann smith regarding the appointment", "en", "Mary Ann Smith"),
        ("soy beatriz campos y llamo por una reserva", "es", "Beatriz Campos"),
        ("c'est pierre fontaine pour la réservation de samedi", "fr", "Pierre Fontaine"),
        ("claire martin en deux mots", "fr", "Claire Martin"),
        ("hier ist lukas brandt wegen der reservierung", "de", "Lukas Brandt"),
        ("c'est julie morel j'appelais pour le rendez-vous", "fr", "Julie Morel"),
        ("maría orlando para la cita", "es", "María Orlando"),
    ],
)
def test_talk_after_the_name_goes_with_a_doubt(text: str, language: str, value: str) -> None:
    result = normalize_name(text, language=language)
    assert result.value == value
    assert not result.certain


@pytest.mark.parametrize(
    "text, language, value",
    [
        # Particles and names that look like pronouns elsewhere stay.
        ("josé luis de la fuente", "es", "José Luis de la Fuente"),
        ("anna von der heide", "de", "Anna von der Heide"),
        ("elle fanning", "en", "Elle Fanning"),
        ("he jun", "en", "He Jun"),
        ("ella martínez", "es", "Ella Martínez"),
    ],
)
def test_names_like_talk_words_are_kept(text: str, language: str, value: str) -> None:
    assert normalize_name(text, language=language).value == value


@pytest.mark.parametrize(
    "text, language",
    [
        # Checking the line.
        ("hello hello can you hear me okay", "en"),
        ("hola me oye", "es"),
        ("me escucha usted", "es"),
        ("vous m'entendez là", "fr"),
        ("allô vous êtes là", "fr"),
        ("können sie mich hören", "de"),
        # Asking whether the name is needed, or putting it off.
        ("es realmente necesario", "es"),
        ("c'est vraiment obligé", "fr"),
        ("ist das wirklich nötig", "de"),
        ("non merci ça va aller", "fr"),
        ("nein danke lassen wir das", "de"),
        ("lassen sie das", "de"),
    ],
)
def test_replies_with_no_name_are_refused(text: str, language: str) -> None:
    with pytest.raises(NormalizationError):
        normalize_name(text, language=language)


@pytest.mark.parametrize(
    "text, language, value",
    [
        # A provider heard as it sounds: the value is fixed, and read back.
        ("sam at gmeil dot com", "en", "sam@gmail.com"),
        ("lee at hotmale dot com", "en", "lee@hotmail.com"),
        ("lucía arroba yajoo punto com", "es", "lucia@yahoo.com"),
        ("eva at ge em ix punkt de", "de", "eva@gmx.de"),
        # The word for the dot one slip off, before an ending.
        ("jan at gmx punk de", "de", "jan@gmx.de"),
        ("léa point deux arobase orange poin fr", "fr", "lea.2@orange.fr"),
        # A lead-in glued to the address.
        ("oh you can write info at bakery dot com", "en", "info@bakery.com"),
        ("bueno usted puede usar reservas arroba casa punto es", "es", "reservas@casa.es"),
        ("vous pouvez utiliser contact arobase hotel point fr", "fr", "contact@hotel.fr"),
        ("also sie können nehmen info at firma punkt de", "de", "info@firma.de"),
    ],
)
def test_email_sound_alikes_and_lead_ins(text: str, language: str, value: str) -> None:
    result = normalize_email(text, language=language)
    assert result.value == value
    assert not result.certain


@pytest.mark.parametrize(
    "text, language, value",
    [
        # A number word after a separator ends a part of the address.
        ("pablo guion bajo veintidós arroba gmail punto com", "es", "pablo_22@gmail.com"),
        ("ana punto cinco arroba gmail punto es", "es", "ana.5@gmail.es"),
        ("otto unterstrich zwölf at web punkt de", "de", "otto_12@web.de"),
        ("john underscore seven at gmail dot com", "en", "john_7@gmail.com"),
        # Spelled letters are never a lead-in, and real words are not providers.
        ("i a n at gmail dot com", "en", "ian@gmail.com"),
        ("bob at male dot com", "en", "bob@male.com"),
    ],
)
def test_email_number_suffixes_and_plain_words(text: str, language: str, value: str) -> None:
    assert normalize_email(text, language=language).value == value


@pytest.mark.parametrize(
    "text, language, value",
    [
        # A second "it is for …" about the day does not replace the name said first.
        ("me llamo rosa vidal y es para mañana", "es", "Rosa Vidal"),
        ("nathalie c'est pour demain", "fr", "Nathalie"),
        ("je m'appelle hugo roux et c'est pour ce soir", "fr", "Hugo Roux"),
        ("ich heiße lena vogt und es ist für heute", "de", "Lena Vogt"),
        ("paul, für heute abend", "de", "Paul"),
    ],
)
def test_name_before_talk_about_the_day(text: str, language: str, value: str) -> None:
    assert normalize_name(text, language=language).value == value


@pytest.mark.parametrize(
    "text, language",
    [("it's for tomorrow", "en"), ("es para mañana", "es"), ("oiga me escucha", "es")],
)
def test_talk_about_the_day_is_no_name(text: str, language: str) -> None:
    with pytest.raises(NormalizationError):
        normalize_name(text, language=language)


@pytest.mark.parametrize(
    "text, language",
    [
        ("nah leave it", "en"),
        ("déjelo así", "es"),
        ("laissez tomber", "fr"),
        ("vous avez besoin de mon nom", "fr"),
        ("mein name tut nichts zur sache", "de"),
        ("aló aló", "es"),
    ],
)
def test_putting_the_name_off_is_refused(text: str, language: str) -> None:
    with pytest.raises(NormalizationError):
        normalize_name(text, language=language)


def test_a_spelling_count_left_in_a_name_is_not_certain() -> None:
    result = normalize_name("matthew double t h e w jones", language="en")
    assert not result.certain
