"""Spoken dates and times in the agent's time zone."""

from __future__ import annotations

import datetime as dt

import pytest

from appointments.when import WhenError, parse_when
from contacts.tests.normalize_cases import DATE_CASES, DATE_ZONE, NOW

pytestmark = pytest.mark.embedded_pass_only  # no database or service: run once


@pytest.mark.parametrize("text, expected", DATE_CASES)
def test_spoken_dates(text: str, expected: str | None) -> None:
    now = dt.datetime.fromisoformat(NOW)
    if expected is None:
        with pytest.raises(WhenError):
            parse_when(text, now=now, timezone=DATE_ZONE)
    else:
        assert parse_when(text, now=now, timezone=DATE_ZONE).start.isoformat() == expected


def test_vague_parts_of_the_day_give_a_range() -> None:
    when = parse_when("tomorrow afternoon", now=dt.datetime.fromisoformat(NOW), timezone=DATE_ZONE)
    assert when.start.hour == 12 and when.end is not None and when.end.hour == 17
    assert when.has_time is False


def test_an_hour_without_am_or_pm_is_flagged() -> None:
    now = dt.datetime.fromisoformat(NOW)
    assert parse_when("tomorrow at 2", now=now, timezone=DATE_ZONE).ambiguous is True
    assert parse_when("tomorrow at 2 pm", now=now, timezone=DATE_ZONE).ambiguous is False


def test_the_agent_time_zone_decides_the_instant() -> None:
    now = dt.datetime(2026, 11, 23, 10, 15, tzinfo=dt.UTC)
    new_york = parse_when("tomorrow at 9 am", now=now, timezone="America/New_York").start
    assert new_york.astimezone(dt.UTC).hour == 14


def test_parse_when_command(capsys: pytest.CaptureFixture[str]) -> None:
    from django.core.management import CommandError, call_command

    call_command("parse_when", "next", "tuesday", "morning", tz=DATE_ZONE, now=NOW)
    assert capsys.readouterr().out.strip() == (
        "2026-11-24T09:00:00+00:00 / 2026-11-24T12:00:00+00:00"
    )
    call_command("parse_when", "tomorrow at 2", tz=DATE_ZONE, now=NOW)
    assert "ambiguous" in capsys.readouterr().out
    with pytest.raises(CommandError, match="in the past"):
        call_command("parse_when", "yesterday at 3", tz=DATE_ZONE, now=NOW)
    with pytest.raises(CommandError, match="not a known time zone"):
        call_command("parse_when", "noon", tz="Mars/Base", now=NOW)


def test_parse_when_command_reads_a_naive_now_as_wall_clock_in_the_zone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from django.core.management import call_command

    # 23:30 in New York is already the 24th in UTC: "tomorrow" is the 24th there.
    call_command("parse_when", "tomorrow at 9 am", tz="America/New_York", now="2026-11-23T23:30")
    assert capsys.readouterr().out.strip() == "2026-11-24T09:00:00-05:00"
    # With an offset, that instant is now (04:30 UTC is still the 23rd in New York).
    call_command(
        "parse_when", "tomorrow at 9 am", tz="America/New_York", now="2026-11-24T04:30+00:00"
    )
    assert capsys.readouterr().out.strip() == "2026-11-24T09:00:00-05:00"
    call_command("parse_when", "tomorrow at 9 am", tz="Asia/Tokyo", now="2026-11-23T23:30")
    assert capsys.readouterr().out.strip() == "2026-11-24T09:00:00+09:00"


def test_parse_when_command_language_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from django.core.management import CommandError, call_command

    call_command("parse_when", "morgen um halb vier", tz="Europe/Berlin", now=NOW, lang="de")
    assert capsys.readouterr().out.strip() == (
        "2026-11-24T15:30:00+01:00 (ambiguous: no am/pm given)"
    )
    call_command(
        "parse_when", "mañana a las tres de la tarde", tz=DATE_ZONE, now=NOW, lang="es", json=True
    )
    assert json.loads(capsys.readouterr().out) == {
        "start": "2026-11-24T15:00:00+00:00",
        "end": None,
        "ambiguous": False,
        "has_time": True,
        "certain": True,
        "doubts": [],
    }
    with pytest.raises(CommandError, match=r"Yesterday .* is in the past"):
        call_command("parse_when", "hier", tz=DATE_ZONE, now=NOW, lang="fr")
