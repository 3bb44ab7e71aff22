"""A weekday said with a day of the month and no month ("Friday the 5th", "el viernes
cinco", "mardi 19", "Mittwoch, dem zwanzigsten"), and the smaller classes met with it:
hours and a half from now, the past said as "vorigen", words speech-to-text split or
misheard, and ranges of hours after a weekday."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from appointments.when import When, WhenInPast, parse_when

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once

ZONES = {"en": "America/Chicago", "es": "Europe/Madrid", "fr": "Europe/Paris"}
ZONES |= {"de": "Europe/Berlin"}


def when(text: str, language: str = "en") -> When:
    """Read on Tuesday 12 January 2027 at 10:00 where the language is spoken: the
    coming Friday is the 15th, the next Friday that is a 5th is 5 February."""
    zone = ZONES[language]
    now = dt.datetime(2027, 1, 12, 10, 0, tzinfo=ZoneInfo(zone))
    return parse_when(text, now=now, timezone=zone, language=language)


def shown(parsed: When) -> str:
    start = f"{parsed.start:%Y-%m-%d %H:%M}"
    return start + (f"/{parsed.end:%H:%M}" if parsed.end else "")


@pytest.mark.parametrize(
    "text, language, expected",
    [
        ("friday the 5th at 3 pm", "en", "2027-02-05 15:00"),
        ("can we do friday fifth, around ten in the morning", "en", "2027-02-05 10:00"),
        ("Wednesday, the twentieth, at 9:15 am", "en", "2027-01-20 09:15"),
        ("el viernes cinco a las cuatro y media de la tarde", "es", "2027-02-05 16:30"),
        ("pues el miércoles día 20 a las 11:30", "es", "2027-01-20 11:30"),
        ("mercredi 20 à onze heures", "fr", "2027-01-20 11:00"),
        ("alors, le vendredi, euh, 5 à 16 h 30", "fr", "2027-02-05 16:30"),
        ("am Mittwoch, dem zwanzigsten, um halb drei", "de", "2027-01-20 14:30"),
        ("Freitag der fünfte um 9 Uhr", "de", "2027-02-05 09:00"),
        # A clock time after the month is no day of it.
        ("Freitag, 5. Februar, 10 Uhr", "de", "2027-02-05 10:00"),
    ],
)
def test_a_weekday_with_a_day_of_the_month_is_that_date(
    text: str, language: str, expected: str
) -> None:
    assert shown(when(text, language)) == expected


@pytest.mark.parametrize(
    "text, language, expected",
    [
        ("wednesday the 20th in the afternoon", "en", "2027-01-20 12:00/17:00"),
        ("el sábado treinta por la tarde", "es", "2027-01-30 14:00/20:00"),
        ("mardi 19 de 14 h à 16 h", "fr", "2027-01-19 14:00/16:00"),
        ("Samstag den dreißigsten vormittags", "de", "2027-01-30 09:00/12:00"),
        # "At any time that day": the whole day, on the date said, not the coming one.
        ("n'importe quand le mercredi 20", "fr", "2027-01-20 00:00/00:00"),
        ("irgendwann am Freitag dem fünften", "de", "2027-02-05 00:00/00:00"),
    ],
)
def test_a_weekday_with_a_day_of_the_month_keeps_its_part_of_the_day(
    text: str, language: str, expected: str
) -> None:
    parsed = when(text, language)
    assert shown(parsed) == expected
    assert not parsed.certain


@pytest.mark.parametrize(
    "text, language",
    [("thursday the 5th at 10 am", "en"), ("el jueves cinco a las diez", "es")],
)
def test_a_weekday_that_never_falls_on_that_day_keeps_the_day_with_a_doubt(
    text: str, language: str
) -> None:
    # No Thursday is a 5th before spring: the number is kept, and said back.
    parsed = when(text, language)
    assert parsed.start.date() == dt.date(2027, 2, 5)
    assert not parsed.certain
    assert any("thursday does not match" in doubt for doubt in parsed.doubts)


@pytest.mark.parametrize(
    "text, language, expected",
    [
        # A number that opens a range of hours is no day of the month.
        ("Montag 9 bis 12", "de", "2027-01-18 09:00/12:00"),
        ("el lunes de 9 a 12", "es", "2027-01-18 09:00/12:00"),
        ("lundi de 9 à 12", "fr", "2027-01-18 09:00/12:00"),
        # Nor is a clock time or a count.
        ("vendredi 10 h 30", "fr", "2027-01-15 10:30"),
        ("el viernes 10 y media", "es", "2027-01-15 10:30"),
    ],
)
def test_a_number_after_a_weekday_that_is_a_time_stays_a_time(
    text: str, language: str, expected: str
) -> None:
    assert shown(when(text, language)) == expected


@pytest.mark.parametrize(
    "text, language, minutes",
    [
        ("an hour and a half from now", "en", 90),
        ("two and a half hours from now", "en", 150),
        ("in three hours and a half", "en", 210),
        ("dentro de dos horas y media", "es", 150),
        ("en una hora y cuarto", "es", 75),
        ("dans trois heures et demie", "fr", 210),
        ("d'ici une heure et quart", "fr", 75),
        ("in viereinhalb Stunden", "de", 270),
        ("in zwei Stunden und zwanzig Minuten", "de", 140),
        ("in einer Stunde und einer halben", "de", 90),
        ("dentro de hora y media", "es", 90),
    ],
)
def test_hours_and_a_half_count_thirty_minutes(text: str, language: str, minutes: int) -> None:
    parsed = when(text, language)
    now = dt.datetime(2027, 1, 12, 10, 0, tzinfo=ZoneInfo(ZONES[language]))
    assert parsed.start - now == dt.timedelta(minutes=minutes)
    assert parsed.end is None


@pytest.mark.parametrize("text", ["vorigen Freitag", "voriger Montag um 10", "vorige Woche"])
def test_vorig_is_the_past(text: str) -> None:
    with pytest.raises(WhenInPast):
        when(text, "de")


@pytest.mark.parametrize(
    "text, language, expected",
    [
        ("satur day at noon", "en", "2027-01-16 12:00"),
        ("thurs day at 2 pm", "en", "2027-01-14 14:00"),
        ("the forth of february at 9 am", "en", "2027-02-04 09:00"),
        ("february forth at 9 am", "en", "2027-02-04 09:00"),
        # "acht zehn Uhr" can only be 18:00 (8:10 is "acht Uhr zehn").
        ("um acht zehn Uhr", "de", "2027-01-12 18:00"),
    ],
)
def test_words_split_or_misheard_are_put_back(text: str, language: str, expected: str) -> None:
    assert shown(when(text, language)) == expected


def test_sex_zehn_is_sixteen_hundred_said_back() -> None:
    parsed = when("am Mittwoch um sex zehn Uhr", "de")
    assert shown(parsed) == "2027-01-13 16:00"
    assert not parsed.certain
    assert any("sex zehn" in doubt for doubt in parsed.doubts)


def test_early_afternoon_in_french_starts_when_lunch_ends() -> None:
    parsed = when("mercredi en début d'après-midi", "fr")
    assert parsed.end is not None
    assert parsed.start.hour * 60 + parsed.start.minute <= 13 * 60 + 30 < parsed.end.hour * 60


def test_a_weekday_with_a_day_this_month_does_not_have_looks_further() -> None:
    # February 2027 has no 30th: "Tuesday the 30th" said in February is 30 March.
    now = dt.datetime(2027, 2, 10, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    parsed = parse_when("mardi 30 à 10 h", now=now, timezone="Europe/Paris", language="fr")
    assert shown(parsed) == "2027-03-30 10:00"
    wrong = parse_when("lundi 30", now=now, timezone="Europe/Paris", language="fr")
    assert wrong.start.date() == dt.date(2027, 3, 30)
    assert any("monday does not match" in doubt for doubt in wrong.doubts)
