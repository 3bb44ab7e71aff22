"""Words speech-to-text mishears as numbers, minutes past the clock's sixty, clock times
on noon and midnight in French, and the middle of a part of the day."""

from __future__ import annotations

import datetime as dt

import pytest

from appointments.when import When, parse_when

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once

PARIS = "Europe/Paris"
# Wednesday 25 November 2026, 10:00 in Paris.
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def when(text: str, language: str = "en") -> When:
    return parse_when(text, now=NOW, timezone=PARIS, language=language)


@pytest.mark.parametrize(
    "text, language, expected, heard",
    [
        ("friday at for pm", "en", "2026-11-27 16:00", "for"),
        ("can we do tomorrow, at to thirty", "en", "2026-11-26 14:30", "to"),
        ("Freitag um vir Uhr nachmittags", "de", "2026-11-27 16:00", "vir"),
        ("le vin-trois décembre à quinze heures", "fr", "2026-12-23 15:00", "vin-trois"),
    ],
)
def test_a_sound_alike_next_to_a_clock_or_month_word_is_read_as_the_number_and_flagged(
    text: str, language: str, expected: str, heard: str
) -> None:
    parsed = when(text, language)
    assert f"{parsed.start:%Y-%m-%d %H:%M}" == expected
    assert not parsed.certain
    assert any(f"'{heard}'" in doubt for doubt in parsed.doubts)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("tomorrow, for 3 pm", "2026-11-26 15:00"),
        ("book me in for december 4th at 11 am", "2026-12-04 11:00"),
        ("from 2 to 4 pm on friday", "2026-11-27 14:00"),
    ],
)
def test_common_words_that_sound_like_numbers_stay_words_elsewhere(
    text: str, expected: str
) -> None:
    parsed = when(text)
    assert f"{parsed.start:%Y-%m-%d %H:%M}" == expected
    assert not any("heard" in doubt for doubt in parsed.doubts)


@pytest.mark.parametrize(
    "text, minutes",
    [
        ("in seventy-five minutes", 75),
        ("in two and a half hours", 150),
        ("in 1 hour and 10 minutes", 70),
    ],
)
def test_minutes_from_now_past_an_hour(text: str, minutes: int) -> None:
    assert when(text).start == NOW + dt.timedelta(minutes=minutes)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("vendredi à midi et quart", "2026-11-27 12:15"),
        ("vendredi midi et demie", "2026-11-27 12:30"),
        ("vendredi à midi moins le quart", "2026-11-27 11:45"),
        ("samedi à minuit et demi", "2026-11-28 00:30"),
    ],
)
def test_french_clock_times_on_noon_and_midnight(text: str, expected: str) -> None:
    parsed = when(text, "fr")
    assert f"{parsed.start:%Y-%m-%d %H:%M}" == expected
    assert parsed.certain


@pytest.mark.parametrize(
    "text, language, inside",
    [
        ("el jueves a media mañana", "es", "2026-11-26 11:00"),
        ("el jueves a media tarde", "es", "2026-11-26 17:00"),
        ("jeudi en milieu d'après-midi", "fr", "2026-11-26 16:00"),
        ("thursday mid-afternoon", "en", "2026-11-26 15:00"),
    ],
)
def test_the_middle_of_a_part_of_the_day_is_a_range_on_that_day(
    text: str, language: str, inside: str
) -> None:
    parsed = when(text, language)
    assert parsed.end is not None
    assert f"{parsed.start:%Y-%m-%d %H:%M}" < inside < f"{parsed.end:%Y-%m-%d %H:%M}"
