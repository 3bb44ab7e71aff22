"""Days counted from another day ("two weeks from Friday"), numeric dates ("12/20"),
and a weekday said with a date: each read, or flagged, never silently dropped."""

from __future__ import annotations

import datetime as dt

import pytest

from appointments.when import When, WhenInPast, parse_when

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once

NEW_YORK = "America/New_York"
# Wednesday 25 November 2026, 10:00 in New York.
NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)


def when(text: str, language: str = "en") -> When:
    return parse_when(text, now=NOW, timezone=NEW_YORK, language=language)


def shown(parsed: When) -> str:
    start = f"{parsed.start:%Y-%m-%d %H:%M}"
    return start + (f"/{parsed.end:%Y-%m-%d %H:%M}" if parsed.end else "")


@pytest.mark.parametrize(
    "text, language, expected",
    [
        ("two weeks from friday at 10 am", "en", "2026-12-11 10:00"),
        ("a week after tomorrow, 2 pm", "en", "2026-12-03 14:00"),
        ("four days from today at noon", "en", "2026-11-29 12:00"),
        ("5 days from now at 8:30 am", "en", "2026-11-30 08:30"),
        ("morgen in zwei Wochen um sechzehn Uhr", "de", "2026-12-10 16:00"),
        ("Freitag in einer Woche um 15 Uhr", "de", "2026-12-04 15:00"),
    ],
)
def test_a_count_from_a_named_day_counts_from_that_day(
    text: str, language: str, expected: str
) -> None:
    parsed = when(text, language)
    assert shown(parsed) == expected
    assert parsed.certain


def test_a_count_the_reading_cannot_place_is_a_doubt() -> None:
    parsed = when("at 3 pm, 2 weeks out")
    assert not parsed.certain
    assert any("2 weeks" in doubt for doubt in parsed.doubts)


@pytest.mark.parametrize(
    "text, language, expected, certain",
    [
        ("12/20 at 9 am", "en", "2026-12-20 09:00", True),  # only one reading is a date
        ("on 20/12 at 9 am", "en", "2026-12-20 09:00", True),
        ("1/8 at 10 am", "en", "2027-01-08 10:00", False),  # or 1 August: confirm
        ("le 20/12 à 15h", "fr", "2026-12-20 15:00", True),
        ("el 3/12 a las 10 de la mañana", "es", "2026-12-03 10:00", False),
        ("12/20/2026 at 9 am", "en", "2026-12-20 09:00", True),
    ],
)
def test_numeric_dates_follow_the_language_order(
    text: str, language: str, expected: str, certain: bool
) -> None:
    parsed = when(text, language)
    assert shown(parsed) == expected
    assert parsed.certain is certain


def test_a_weekday_picks_the_month_of_a_bare_day_of_the_month() -> None:
    assert shown(when("tuesday the 1st at 11 am")) == "2026-12-01 11:00"


def test_a_weekday_naming_a_day_of_this_month_already_over_is_refused() -> None:
    with pytest.raises(WhenInPast):
        when("monday the 23rd at 2 pm")


@pytest.mark.parametrize("text", ["friday the 30th at 9 am", "thursday december 4th at 9 am"])
def test_a_weekday_that_fits_no_reading_of_the_date_is_a_doubt(text: str) -> None:
    parsed = when(text)
    assert not parsed.certain
    assert any("does not match" in doubt for doubt in parsed.doubts)


def test_next_week_said_after_the_part_of_day_still_moves_the_weekday() -> None:
    parsed = when("thursday morning next week")
    assert parsed.start.date() == dt.date(2026, 12, 3)
    assert parsed.end is not None and parsed.start.hour < 11 < parsed.end.hour


@pytest.mark.parametrize(
    "text, expected",
    [
        ("friday week at 10 am", "2026-12-04 10:00"),  # British: a week from this Friday
        ("a week on monday, 9 am", "2026-12-07 09:00"),
        ("two hours from now", "2026-11-25 12:00"),
        ("an hour from now", "2026-11-25 11:00"),
    ],
)
def test_british_weeks_on_a_day_and_hours_from_now(text: str, expected: str) -> None:
    parsed = when(text)
    assert shown(parsed) == expected
    assert parsed.certain


def test_british_half_three_is_three_thirty_with_am_pm_guessed() -> None:
    parsed = when("december 15th, half three")
    assert shown(parsed) == "2026-12-15 15:30"
    assert parsed.ambiguous
