"""Round 6: days named by an event (holidays, "the day after my operation") are never
booked as certain; a number in a long reply that is no time ("first") is not read as
an hour; a bare "Mittag" is the lunch hours; "la mañana" after a preposition is the
morning, not tomorrow."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from appointments.when import When, WhenError, parse_when

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once

# Tuesday 1 December 2026, 08:30 in each zone.
ZONES = {"en": "America/Denver", "es": "Europe/Madrid", "fr": "Europe/Brussels"}
ZONES |= {"de": "Europe/Zurich"}


def parse(text: str, language: str) -> When:
    zone = ZONES[language]
    now = dt.datetime(2026, 12, 1, 8, 30, tzinfo=ZoneInfo(zone))
    return parse_when(text, now=now, timezone=zone, language=language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "the friday after christmas at 11 am"),
        ("en", "two days before easter at 9 am"),
        ("en", "the day after my knee surgery at 3 pm"),
        ("es", "el lunes después de reyes a las once de la mañana"),
        ("es", "el día después de la operación a las 10 de la mañana"),
        ("fr", "le lendemain du jour de l'an à 15 heures"),
        ("fr", "le mardi après pâques à 9 heures du matin"),
        ("de", "am Tag nach Silvester um 14 Uhr"),
        ("de", "den Freitag nach Pfingsten um 9 Uhr morgens"),
    ],
)
def test_a_day_named_by_an_event_is_never_certain(language: str, text: str) -> None:
    try:
        parsed = parse(text, language)
    except WhenError:
        return  # refused is as good as asked
    assert not parsed.certain
    assert any("ask for the date" in doubt for doubt in parsed.doubts)


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "christmas eve"), ("es", "en nochebuena"), ("fr", "à la toussaint")],
)
def test_a_holiday_alone_is_refused(language: str, text: str) -> None:
    with pytest.raises(WhenError):
        parse(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "hang on let me check with my boss first and ring you back"),
        ("en", "I need to ask my husband first before I commit to anything"),
        ("en", "my second job makes it hard to say right now"),
        ("en", "just give me two minutes to grab a pen"),
        ("fr", "une petite seconde, je cherche un stylo"),
        ("de", "drei Minuten bitte, ich suche meinen Kalender"),
    ],
)
def test_a_stray_number_word_in_a_long_reply_is_no_time(language: str, text: str) -> None:
    with pytest.raises(WhenError):
        parse(text, language)


@pytest.mark.parametrize(
    ("language", "text", "hour"),
    [("en", "make it 4", 16), ("en", "how about eleven", 11), ("es", "mejor a las 5", 17)],
)
def test_a_short_reply_with_a_lone_number_is_still_an_hour(
    language: str, text: str, hour: int
) -> None:
    parsed = parse(text, language)
    assert parsed.start.hour == hour and parsed.ambiguous


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Freitag mittag", 4),
        ("morgen zu Mittag", 2),
        ("am Montag mittags", 7),
        ("Freitag zur Mittagszeit", 4),
        ("morgen in der Mittagspause", 2),
    ],
)
def test_a_bare_mittag_is_the_lunch_hours(text: str, day: int) -> None:
    parsed = parse(text, "de")
    assert parsed.end is not None and not parsed.certain
    assert (parsed.start.day, parsed.start.hour) == (day, 12)
    assert parsed.end.hour == 14


def test_gegen_mittag_stays_around_noon_and_a_clock_wins() -> None:
    around = parse("Freitag gegen Mittag", "de")
    assert around.end is not None
    assert (around.start.hour, around.start.minute, around.end.hour) == (11, 30, 12)
    exact = parse("Freitag um zwölf Uhr mittags", "de")
    assert exact.certain and (exact.start.day, exact.start.hour, exact.end) == (4, 12, None)


@pytest.mark.parametrize(
    "text",
    [
        "el jueves día diez durante la mañana",
        "el jueves diez a lo largo de la mañana",
        "la mañana del jueves diez",
    ],
)
def test_la_manana_with_a_preposition_is_the_morning(text: str) -> None:
    parsed = parse(text, "es")
    assert parsed.end is not None
    assert (parsed.start.month, parsed.start.day, parsed.start.hour) == (12, 10, 9)
    assert parsed.end.hour == 14  # the Spanish morning runs to lunch


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "whatever your first opening is"),
        ("es", "la primera cita que haya"),
        ("fr", "votre premier créneau"),
        ("de", "den nächstmöglichen Termin bitte"),
    ],
)
def test_asking_for_the_first_opening_names_no_day(language: str, text: str) -> None:
    # Not the first of the month, nor 1 o'clock: the model offers the earliest slot.
    with pytest.raises(WhenError):
        parse(text, language)


def test_the_first_opening_on_a_day_is_that_day() -> None:
    parsed = parse("the first available slot on thursday", "en")
    assert parsed.end is not None and (parsed.start.day, parsed.start.hour) == (3, 0)
    assert parse("le premier décembre à 10 heures", "fr").start.day == 1  # a date still


def test_a_primera_hora_is_still_first_thing_not_the_first_opening() -> None:
    parsed = parse("el jueves día diez a primera hora", "es")
    assert parsed.end is not None and (parsed.start.day, parsed.start.hour) == (10, 8)


@pytest.mark.parametrize(
    ("language", "text", "first", "end"),
    [
        ("en", "friday at lunch", (12, 0), 14),
        ("fr", "vendredi à l'heure du déjeuner", (12, 0), 14),
        ("es", "el viernes a la hora de comer", (14, 0), 15),  # Spain lunches at two
        ("es", "el viernes a eso del mediodía", (11, 30), 12),
    ],
)
def test_lunch_said_in_words_is_a_range(
    language: str, text: str, first: tuple[int, int], end: int
) -> None:
    parsed = parse(text, language)
    assert parsed.end is not None and parsed.start.day == 4
    assert (parsed.start.hour, parsed.start.minute) == first and parsed.end.hour == end


def test_a_german_holiday_compound_is_a_doubt() -> None:
    parsed = parse("am Ostermontag um 10 Uhr", "de")
    assert not parsed.certain and any("ostermontag" in doubt for doubt in parsed.doubts)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "the third friday of december at 9 am"),
        ("es", "el segundo jueves de diciembre a las diez de la mañana"),
        ("fr", "le troisième vendredi de décembre à 9 heures du matin"),
        ("de", "am zweiten Donnerstag im Dezember um 9 Uhr morgens"),
    ],
)
def test_a_weekday_counted_in_a_month_is_never_certain(language: str, text: str) -> None:
    assert not parse(text, language).certain
