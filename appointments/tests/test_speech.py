"""Offered times read out in the agent's locale."""

from __future__ import annotations

import datetime as dt

import pytest

from appointments.speech import spoken_time

pytestmark = pytest.mark.embedded_pass_only  # no database or service: run once

MOMENT = dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "locale, expected",
    [
        ("en-US", "Monday 30 November at 3:00 PM"),
        ("en-GB", "Monday 30 November at 15:00"),
        ("de-DE", "Montag, 30. November um 15:00"),
        ("fr-FR", "lundi 30 novembre à 15:00"),
        ("es-ES", "lunes 30 de noviembre a las 15:00"),
        ("it-IT", "Monday 30 November at 15:00"),  # no wording for it yet: English, 24 h
    ],
)
def test_spoken_time_follows_the_locale(locale: str, expected: str) -> None:
    assert spoken_time(MOMENT, zone="Europe/London", locale=locale) == expected


def test_spoken_time_is_in_the_business_zone() -> None:
    assert spoken_time(MOMENT, zone="America/New_York", locale="en-US") == (
        "Monday 30 November at 10:00 AM"
    )
    morning = dt.datetime(2026, 11, 30, 0, 30, tzinfo=dt.UTC)
    assert spoken_time(morning, zone="Europe/Madrid", locale="es-ES").endswith("a la 01:30")
