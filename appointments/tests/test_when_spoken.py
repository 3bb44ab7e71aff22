"""How callers speak, per language: corrections of the day of the month only, number
words that speech-to-text wrote as sound-alikes (read, but to confirm), 24-hour times
said with a part of the day, half hours from now, "a week today", words split by
speech-to-text, each culture's parts of the day, and years said in words."""

from __future__ import annotations

import datetime as dt

import pytest

from appointments.when import When, parse_when

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once

BERLIN = "Europe/Berlin"
# Monday 23 November 2026, 10:15 in Berlin.
MORNING = dt.datetime(2026, 11, 23, 9, 15, tzinfo=dt.UTC)
MONDAY = dt.date(2026, 11, 23)


def when(text: str, language: str) -> When:
    return parse_when(text, now=MORNING, timezone=BERLIN, language=language)


def shown(text: str, language: str) -> str:
    """'D+n HH:MM' (days after today), 'D+n HH:MM-HH:MM' for a part of a day, 'D+n' for
    a whole day."""
    parsed = when(text, language)
    start = f"D+{(parsed.start.date() - MONDAY).days}"
    if parsed.end is None:
        return f"{start} {parsed.start:%H:%M}"
    if parsed.end - parsed.start == dt.timedelta(days=1) and parsed.start.hour == 0:
        return start
    return f"{start} {parsed.start:%H:%M}-{parsed.end:%H:%M}"


@pytest.mark.parametrize(
    "language, text, expected",
    [
        ("en", "the 10th of december, no the 12th, at 3 pm", "D+19 15:00"),
        ("en", "december 9th no the 11th at 2:30 pm", "D+18 14:30"),
        ("es", "el diez de diciembre no el doce a las cinco de la tarde", "D+19 17:00"),
        ("fr", "le neuf décembre non le onze à quatorze heures", "D+18 14:00"),
        ("de", "am zehnten Dezember nein am zwölften um 15 Uhr", "D+19 15:00"),
    ],
)
def test_a_correction_of_the_day_alone_keeps_the_month(
    language: str, text: str, expected: str
) -> None:
    assert shown(text, language) == expected
    assert when(text, language).certain is True


def test_a_day_correction_that_would_be_past_in_that_month_is_read_alone() -> None:
    """'Tomorrow, no, the 3rd' on 23 November: the 3rd of December, not of November."""
    assert shown("tomorrow at 10 am no the 3rd", "en") == "D+10 10:00"


@pytest.mark.parametrize(
    "language, text, expected, heard",
    [
        ("en", "wednesday at too fifteen", "D+2 14:15", "too"),
        ("en", "tomorrow at tree thirty pm", "D+1 15:30", "tree"),
        ("es", "el jueves a las dies y media de la mañana", "D+3 10:30", "dies"),
        ("es", "mañana a las dose del mediodía", "D+1 12:00", "dose"),
        ("fr", "jeudi vers vin heures trente", "D+3 20:30", "vin"),
        ("fr", "demain à dis heures du matin", "D+1 10:00", "dis"),
    ],
)
def test_sound_alikes_of_numbers_are_read_but_not_certain(
    language: str, text: str, expected: str, heard: str
) -> None:
    parsed = when(text, language)
    assert shown(text, language) == expected
    assert parsed.certain is False
    assert any(f"heard '{heard}'" in doubt for doubt in parsed.doubts)


@pytest.mark.parametrize(
    "language, text",
    [("en", "me too, tomorrow at 3 pm"), ("fr", "je vous dis demain à 15h")],
)
def test_sound_alikes_away_from_a_time_are_left_alone(language: str, text: str) -> None:
    parsed = when(text, language)
    assert shown(text, language) == "D+1 15:00" and parsed.certain is True


@pytest.mark.parametrize(
    "language, text, expected",
    [
        ("fr", "demain soir à vingt et une heures", "D+1 21:00"),
        ("fr", "jeudi à dix-neuf heures du soir", "D+3 19:00"),
        ("de", "übermorgen abends um 19 Uhr", "D+2 19:00"),
        ("es", "el martes por la tarde a las 18h", "D+1 18:00"),
        ("es", "mañana a las 9 hs de la mañana", "D+1 09:00"),
    ],
)
def test_a_24_hour_time_said_with_a_part_of_the_day(
    language: str, text: str, expected: str
) -> None:
    assert shown(text, language) == expected


@pytest.mark.parametrize(
    "language, text, minutes",
    [
        ("en", "in half an hour", 30),
        ("en", "in an hour and a half", 90),
        ("en", "in a quarter of an hour", 15),
        ("es", "dentro de media hora", 30),
        ("es", "en un cuarto de hora", 15),
        ("fr", "dans une demi-heure", 30),
        ("fr", "dans trois quarts d'heure", 45),
        ("fr", "dans une heure", 60),
        ("de", "in einer Viertelstunde", 15),
        ("de", "in anderthalb Stunden", 90),
        ("de", "in einer halben Stunde", 30),
    ],
)
def test_hours_and_minutes_from_now(language: str, text: str, minutes: int) -> None:
    parsed = when(text, language)
    assert parsed.start == (MORNING + dt.timedelta(minutes=minutes)).astimezone(parsed.start.tzinfo)
    assert parsed.end is None


@pytest.mark.parametrize(
    "language, text, expected",
    [
        ("es", "de hoy en ocho", "D+7"),
        ("es", "dentro de quince días", "D+14"),
        ("fr", "d'aujourd'hui en huit", "D+7"),
        ("fr", "dans quinze jours", "D+14"),
        ("fr", "demain en huit", "D+8"),
    ],
)
def test_eight_days_is_a_week_and_fifteen_two(language: str, text: str, expected: str) -> None:
    assert shown(text, language) == expected


@pytest.mark.parametrize(
    "language, text, expected",
    [
        ("de", "morgen um vier Uhr nach mittags", "D+1 16:00"),
        ("de", "über morgen vor mittags", "D+2 09:00-12:00"),
        ("es", "el jueves a medio día", "D+3 12:00"),
        ("fr", "en début de semaine prochaine", "D+7..D+9"),
        ("fr", "au milieu de la semaine prochaine", "D+8..D+11"),
        ("es", "a principios de semana que viene", "D+7..D+9"),
    ],
)
def test_words_split_or_shortened_by_callers_and_speech_to_text(
    language: str, text: str, expected: str
) -> None:
    parsed = when(text, language)
    if ".." in expected:
        first, last = expected.split("..")
        assert f"D+{(parsed.start.date() - MONDAY).days}" == first
        assert parsed.end is not None and f"D+{(parsed.end.date() - MONDAY).days}" == last
    else:
        assert shown(text, language) == expected


@pytest.mark.parametrize(
    "language, text, expected",
    [
        ("en", "tomorrow afternoon", "D+1 12:00-17:00"),
        ("es", "mañana por la tarde", "D+1 14:00-20:00"),  # la tarde runs until dinner
        ("es", "el miércoles por la noche", "D+2 20:00-22:00"),
        ("es", "mañana por la mañana", "D+1 09:00-14:00"),
        ("fr", "demain après-midi", "D+1 14:00-18:00"),  # lunch is 12:00–14:00
        ("fr", "jeudi après le déjeuner", "D+3 14:00-17:00"),
        ("fr", "demain soir", "D+1 18:00-22:00"),
    ],
)
def test_parts_of_the_day_as_each_country_reads_them(
    language: str, text: str, expected: str
) -> None:
    assert shown(text, language) == expected


@pytest.mark.parametrize(
    "language, text",
    [
        ("en", "march 2nd twenty twenty-seven at 10 am"),
        ("en", "the second of march two thousand and twenty seven at 10 am"),
        ("es", "el dos de marzo de dos mil veintisiete a las diez de la mañana"),
        ("fr", "le deux mars deux mille vingt-sept à dix heures du matin"),
        ("de", "am zweiten März zweitausendsiebenundzwanzig um 10 Uhr vormittags"),
    ],
)
def test_years_said_in_words(language: str, text: str) -> None:
    parsed = when(text, language)
    assert (parsed.start.date(), parsed.start.hour) == (dt.date(2027, 3, 2), 10)


@pytest.mark.parametrize(
    "language, text, expected",
    [
        ("en", "not wednesday, thursday at 11 am", "D+3 11:00"),
        ("en", "thursday at 11 am, but not wednesday", "D+3 11:00"),
        ("es", "el miércoles no puedo, el jueves a las once de la mañana", "D+3 11:00"),
        ("fr", "je ne peux pas mercredi mais jeudi à 11h", "D+3 11:00"),
        ("de", "Mittwoch geht nicht, Donnerstag um 11 Uhr", "D+3 11:00"),
        ("de", "nicht am Mittwoch, sondern am Donnerstag um 11 Uhr", "D+3 11:00"),
    ],
)
def test_a_day_turned_down_is_not_the_one_read(language: str, text: str, expected: str) -> None:
    assert shown(text, language) == expected


def test_a_negation_without_a_pause_is_a_doubt_not_a_silent_guess() -> None:
    parsed = when("not wednesday thursday at 11 am", "en")
    assert parsed.certain is False
    assert "said with a 'not'; check which day or time is meant" in parsed.doubts


@pytest.mark.parametrize(
    "language, text, expected",
    [
        ("en", "tomorrow not before 11", "D+1 11:00-00:00"),
        ("en", "tomorrow by 4 pm at the latest", "D+1 00:00-16:00"),
        ("es", "mañana no antes de las once", "D+1 11:00-00:00"),
        ("fr", "demain au plus tard à 16h", "D+1 00:00-16:00"),
        ("fr", "demain pas avant 11h", "D+1 11:00-00:00"),
        ("de", "morgen nicht vor 11 Uhr", "D+1 11:00-00:00"),
        ("de", "morgen spätestens um 16 Uhr", "D+1 00:00-16:00"),
    ],
)
def test_bounds_said_with_a_negation(language: str, text: str, expected: str) -> None:
    assert shown(text, language) == expected
    assert when(text, language).certain is False
