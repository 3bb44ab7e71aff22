"""Calling hours in the contact's time zone: derived from the number, at zone
boundaries, across daylight-saving changes, and over several possible zones."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from outbound.windows import CallingHours, contact_zones, is_open, next_opening

pytestmark = pytest.mark.embedded_pass_only

UTC = dt.UTC
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = CallingHours(dt.time(9), dt.time(20), frozenset(range(5)))


def test_the_contacts_own_zone_wins_then_the_numbers_then_the_agents() -> None:
    assert contact_zones(timezone="Asia/Tokyo", phone="+12125550100", fallback="UTC") == (
        "Asia/Tokyo",
    )
    # An area code places a US number; a mobile range the data cannot place falls back
    # to its country's zones (zone.tab); nothing at all, to the agent's.
    assert contact_zones(timezone="", phone="+12125550100", fallback="UTC") == ("America/New_York",)
    assert contact_zones(timezone="", phone="+14155550100", fallback="UTC") == (
        "America/Los_Angeles",
    )
    assert contact_zones(timezone="", phone="+447700900123", fallback="UTC") == ("Europe/London",)
    assert contact_zones(timezone="", phone="not a number", fallback="Europe/Paris") == (
        "Europe/Paris",
    )
    # A zone name that is not one is ignored, not trusted.
    assert contact_zones(timezone="Mars/Olympus", phone="", fallback="UTC") == ("UTC",)


def test_hours_are_the_contacts_local_time_with_the_end_excluded() -> None:
    zones = ("America/New_York",)
    friday_evening = dt.datetime(2026, 11, 27, 19, 59, tzinfo=NEW_YORK)
    assert is_open(WEEKDAYS, zones, friday_evening)
    assert not is_open(WEEKDAYS, zones, friday_evening + dt.timedelta(minutes=1))
    # The same instant is after hours in New York and before them in Honolulu.
    assert not is_open(WEEKDAYS, ("Pacific/Honolulu",), friday_evening.replace(hour=8))
    # 20:00 on Friday in New York: the next window is Monday 09:00 there.
    after = dt.datetime(2026, 11, 27, 20, 0, tzinfo=NEW_YORK)
    assert next_opening(WEEKDAYS, zones, after) == dt.datetime(2026, 11, 30, 9, 0, tzinfo=NEW_YORK)
    # Already open: now.
    assert next_opening(WEEKDAYS, zones, friday_evening) == friday_evening


@pytest.mark.parametrize(
    ("after", "opening_utc"),
    [
        # Clocks go forward on Sunday 8 March 2026: Monday 09:00 is EDT (UTC-4).
        # (Friday 21:00 EST.)
        (dt.datetime(2026, 3, 7, 2, 0, tzinfo=UTC), dt.datetime(2026, 3, 9, 13, 0, tzinfo=UTC)),
        # The Friday before, still EST (UTC-5).
        (dt.datetime(2026, 3, 6, 2, 0, tzinfo=UTC), dt.datetime(2026, 3, 6, 14, 0, tzinfo=UTC)),
        # Clocks go back on Sunday 1 November 2026: Monday 09:00 is EST again.
        # (Friday 22:00 EDT.)
        (dt.datetime(2026, 10, 31, 2, 0, tzinfo=UTC), dt.datetime(2026, 11, 2, 14, 0, tzinfo=UTC)),
    ],
)
def test_the_next_window_follows_daylight_saving_changes(
    after: dt.datetime, opening_utc: dt.datetime
) -> None:
    assert next_opening(WEEKDAYS, ("America/New_York",), after) == opening_utc


def test_a_start_time_skipped_by_the_clocks_opens_when_the_hour_exists() -> None:
    # 02:30 does not exist in New York on 8 March 2026 (02:00 → 03:00).
    night = CallingHours(dt.time(2, 30), dt.time(5, 0), frozenset(range(7)))
    after = dt.datetime(2026, 3, 8, 5, 0, tzinfo=UTC)  # 00:00 EST
    opening = next_opening(night, ("America/New_York",), after)
    assert opening is not None
    local = opening.astimezone(NEW_YORK)
    assert (local.date(), local.hour, local.minute) == (dt.date(2026, 3, 8), 3, 30)
    assert is_open(night, ("America/New_York",), opening)


def test_a_number_that_could_be_in_several_zones_is_called_when_all_are_in_hours() -> None:
    zones = ("America/New_York", "America/Los_Angeles")
    # 11:00 in New York is 08:00 in Los Angeles: too early there.
    assert not is_open(WEEKDAYS, zones, dt.datetime(2026, 11, 30, 11, 0, tzinfo=NEW_YORK))
    opening = next_opening(WEEKDAYS, zones, dt.datetime(2026, 11, 30, 11, 0, tzinfo=NEW_YORK))
    assert opening == dt.datetime(2026, 11, 30, 12, 0, tzinfo=NEW_YORK)
    # Zones whose hours never overlap (an hour a day, 14 hours apart): no window at all.
    hour = CallingHours(dt.time(9), dt.time(10), frozenset(range(7)))
    apart = ("Asia/Tokyo", "America/New_York")
    assert next_opening(hour, apart, dt.datetime(2026, 11, 30, tzinfo=UTC)) is None
