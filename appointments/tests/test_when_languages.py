"""Native Spanish, French and German phrasings, read in the agent's language."""

from __future__ import annotations

import datetime as dt

import pytest

from appointments.when import WhenInPast, parse_when

pytestmark = pytest.mark.embedded_pass_only  # no database or service: run once

BERLIN = "Europe/Berlin"
# Monday 23 November 2026, 16:15 in Berlin.
NOW = dt.datetime(2026, 11, 23, 15, 15, tzinfo=dt.UTC)
MONDAY = dt.date(2026, 11, 23)


def shown(text: str, language: str) -> str:
    """'D+n HH:MM' (days after today) or 'D+n HH:MM-HH:MM' / 'D+n..D+m' for ranges."""
    parsed = parse_when(text, now=NOW, timezone=BERLIN, language=language)
    start = f"D+{(parsed.start.date() - MONDAY).days}"
    if parsed.end is None:
        return f"{start} {parsed.start:%H:%M}" + (" ?" if parsed.ambiguous else "")
    if parsed.end - parsed.start == dt.timedelta(days=1) and parsed.start.hour == 0:
        return start
    if parsed.end.date() == parsed.start.date():
        return f"{start} {parsed.start:%H:%M}-{parsed.end:%H:%M}"
    return f"{start}..D+{(parsed.end.date() - MONDAY).days}"


# "?" marks an hour read without am/pm (within business hours) and flagged.
SPANISH = [
    ("mañana a las tres de la tarde", "D+1 15:00"),
    ("pasado mañana", "D+2"),
    ("el lunes que viene", "D+7"),
    ("la semana que viene", "D+7..D+14"),
    ("el martes por la mañana", "D+1 09:00-14:00"),  # in Spain the morning lasts until lunch
    ("mañana a las diez y media", "D+1 10:30 ?"),
    ("mañana a las cinco menos cuarto", "D+1 16:45 ?"),
    ("el 3 de diciembre", "D+10"),
    ("a mediodía", "D+1 12:00"),
    ("el próximo jueves a las nueve de la mañana", "D+3 09:00"),
    ("el viernes a las once y cuarto", "D+4 11:15 ?"),
    ("mañana entre las 2 y las 4", "D+1 14:00-16:00"),
    ("el martes, no perdón, el miércoles a las 15:00", "D+2 15:00"),
    ("Mañana a las 15 horas", "D+1 15:00"),
    ("MANANA a las tres de la tarde", "D+1 15:00"),  # speech-to-text without accents
]
FRENCH = [
    ("demain à 15h", "D+1 15:00"),
    ("demain à quinze heures trente", "D+1 15:30"),
    ("après-demain", "D+2"),
    ("lundi prochain", "D+7"),
    ("mardi matin", "D+1 09:00-12:00"),
    ("le 3 décembre", "D+10"),
    ("demain à midi", "D+1 12:00"),
    ("demain en fin de matinée", "D+1 11:00-12:00"),
    ("demain vers 10h", "D+1 10:00 ?"),
    ("jeudi à 9 heures et demie", "D+3 09:30 ?"),
    ("demain à 5 heures moins le quart", "D+1 16:45 ?"),
    ("mardi, non pardon, mercredi à 14h", "D+2 14:00"),
    ("demain entre 14h et 16h", "D+1 14:00-16:00"),
    ("le premier décembre à 10h", "D+8 10:00 ?"),
]
GERMAN = [
    ("morgen um 15 Uhr", "D+1 15:00"),
    ("übermorgen", "D+2"),
    ("nächsten Montag", "D+7"),
    ("am Dienstagvormittag", "D+1 09:00-12:00"),
    ("morgen um halb vier", "D+1 15:30 ?"),  # halb vier is 3:30, not 4:30
    ("morgen Viertel nach zehn", "D+1 10:15 ?"),
    ("morgen Viertel vor fünf", "D+1 16:45 ?"),
    ("am 3. Dezember", "D+10"),
    ("morgen mittags", "D+1 12:00-14:00"),  # the lunch hours, a range
    ("morgen um zwölf Uhr mittags", "D+1 12:00"),
    ("heute Nachmittag", "D+0 16:30-17:00"),  # the rest of it
    ("Freitag um 14:30 Uhr", "D+4 14:30"),
    ("am Mittwoch um zehn nach drei", "D+2 15:10 ?"),
    ("Dienstag, nein, lieber Mittwoch um 10 Uhr", "D+2 10:00 ?"),
    ("am 3.12. um 9 Uhr", "D+10 09:00 ?"),
    ("Anfang nächster Woche", "D+7..D+9"),
    ("morgen früh", "D+1 09:00-12:00"),
    ("morgen zwischen 14 und 16 Uhr", "D+1 14:00-16:00"),
    ("Montagmorgen um 9", "D+7 09:00"),
    ("am dritten Dezember", "D+10"),
]


@pytest.mark.parametrize(
    "language, text, expected",
    [("es", *case) for case in SPANISH]
    + [("fr", *case) for case in FRENCH]
    + [("de", *case) for case in GERMAN],
)
def test_native_phrasings(language: str, text: str, expected: str) -> None:
    assert shown(text, language) == expected


@pytest.mark.parametrize(
    "language, text",
    [
        ("es", "ayer"),
        ("es", "hace dos días"),
        ("es", "el lunes pasado"),
        ("es", "esta mañana"),
        ("fr", "hier"),
        ("fr", "il y a deux jours"),
        ("fr", "lundi dernier"),
        ("fr", "ce matin"),
        ("de", "gestern"),
        ("de", "vor zwei Tagen"),
        ("de", "letzten Freitag"),
        ("de", "heute Morgen"),
    ],
)
def test_the_past_is_refused_in_every_language(language: str, text: str) -> None:
    with pytest.raises(WhenInPast, match="in the past"):
        parse_when(text, now=NOW, timezone=BERLIN, language=language)


def test_english_phrases_still_read_for_other_languages() -> None:
    """The model often passes the caller's time in English whatever the call's language."""
    for language in ("es", "fr", "de"):
        assert shown("tomorrow at 3 pm", language) == "D+1 15:00"


def test_unknown_language_reads_as_english() -> None:
    assert shown("tomorrow at 3 pm", "it") == "D+1 15:00"
    assert shown("tomorrow at 3 pm", "") == "D+1 15:00"


def test_german_am_is_not_the_english_meridiem() -> None:
    """'am Dienstag um 9' is Tuesday at 9, not 9 a.m. said twice."""
    parsed = parse_when("am Dienstag um 4", now=NOW, timezone=BERLIN, language="de")
    assert (parsed.start.hour, parsed.ambiguous) == (16, True)
