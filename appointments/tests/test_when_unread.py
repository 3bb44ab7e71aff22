"""Round 4: words a caller says that the grammar used to skip or misread — misspelt
day and month names, numbers left over, approximate times, minutes past fifty-nine,
fillers inside "in N hours" — are read, or at least never read as certain."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from appointments.when import When, parse_when

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once

# Monday 23 November 2026, 09:00 in each zone.
ZONES = {
    "en": "America/Chicago",
    "es": "Europe/Madrid",
    "fr": "Europe/Paris",
    "de": "Europe/Vienna",
}
MONDAY = dt.date(2026, 11, 23)


def parse(text: str, language: str) -> When:
    zone = ZONES[language]
    now = dt.datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo(zone))
    return parse_when(text, now=now, timezone=zone, language=language)


def day_and_time(parsed: When) -> str:
    days = (parsed.start.date() - MONDAY).days
    end = f"-{parsed.end:%H:%M}" if parsed.end is not None else ""
    return f"D+{days} {parsed.start:%H:%M}{end}"


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "this wensday at 4 pm", "D+2 16:00"),
        ("en", "saturdy at 11 am", "D+5 11:00"),
        ("es", "el biernes a las once de la mañana", "D+4 11:00"),
        ("es", "el juebes por la tarde", "D+3 14:00-20:00"),
        ("fr", "vendredy à onze heures", "D+4 11:00"),
        ("de", "am donerstag um elf uhr", "D+3 11:00"),
        ("de", "mitwoch um elf", "D+2 11:00"),
    ],
)
def test_a_misspelt_weekday_is_read_and_flagged(language: str, text: str, expected: str) -> None:
    parsed = parse(text, language)
    assert day_and_time(parsed) == expected
    assert not parsed.certain
    assert any(doubt.startswith("heard '") for doubt in parsed.doubts)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "12-15 at 3 pm"),
        ("en", "next friday at 2 pm 45"),
        ("es", "el jueves 9 a las cuatro de la tarde"),
        ("fr", "jeudi 9 à seize heures"),
        ("de", "Donnerstag 9 um sechzehn Uhr"),
    ],
)
def test_a_number_left_unread_is_never_certain(language: str, text: str) -> None:
    assert not parse(text, language).certain


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "in exactly three hours", "D+0 12:00"),
        ("en", "in about twenty minutes", "D+0 09:20"),
        ("es", "de aquí a dos horas", "D+0 11:00"),
        ("es", "dentro de ochenta minutos", "D+0 10:20"),
        ("es", "en sesenta y cinco minutos", "D+0 10:05"),
        ("fr", "dans soixante-dix minutes", "D+0 10:10"),
        ("fr", "dans quatre-vingts minutes", "D+0 10:20"),
        ("de", "in etwa zwei Stunden", "D+0 11:00"),
        ("de", "in siebzig Minuten", "D+0 10:10"),
    ],
)
def test_minutes_and_hours_from_now(language: str, text: str, expected: str) -> None:
    assert day_and_time(parse(text, language)) == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "wednesday around noon", "D+2 11:30-12:30"),
        ("de", "Mittwoch gegen Mittag", "D+2 11:30-12:30"),
        ("en", "thursday at 11 or so", "D+3 10:30-11:30"),
        ("es", "el jueves hacia las once más o menos", "D+3 10:30-11:30"),
        ("de", "Donnerstag um elf oder so", "D+3 10:30-11:30"),
    ],
)
def test_an_approximate_time_is_a_range(language: str, text: str, expected: str) -> None:
    parsed = parse(text, language)
    assert day_and_time(parsed) == expected
    assert not parsed.certain


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("es", "hoy mismo por la tarde", "D+0 14:00-20:00"),
        ("es", "esta misma mañana", "D+0 09:15-14:00"),
        ("es", "el martes a las diez, no espere, el miércoles a las diez", "D+2 10:00"),
        ("de", "Freitag um sex Uhr abends", "D+4 18:00"),
        ("de", "Mittwoch am frühen Nachmittag", "D+2 13:00-15:00"),
        ("en", "friday after lunch", "D+4 13:00-16:00"),
        ("fr", "le mardi 1er décembre à onze heures", "D+8 11:00"),
    ],
)
def test_native_phrasings(language: str, text: str, expected: str) -> None:
    assert day_and_time(parse(text, language)) == expected
