"""Calling hours: when a contact may be called, in the contact's own time zone.

A contact's zone is the one on its record; else the zones its phone number belongs to
(``phonenumbers``' prefix data: an area code gives one zone, a mobile number often only
its country, whose zones come from the tz database's ``zone.tab``); else the agent's.
Where a number could be in several zones, the call must be within hours in all of them:
nobody is woken up because their number was ambiguous.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as number_zones

UNKNOWN_ZONE = "Etc/Unknown"
SEARCH_DAYS = 8  # a week and a day: every weekday's opening is among the candidates


@dataclass(frozen=True)
class CallingHours:
    start: dt.time
    end: dt.time
    days: frozenset[int]  # 0 = Monday

    def describe(self) -> str:
        names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
        days = ", ".join(names[d] for d in sorted(self.days))
        return f"{days}, {self.start:%H:%M}–{self.end:%H:%M}"


@lru_cache(maxsize=1)
def _country_zones() -> dict[str, tuple[str, ...]]:
    """ISO country → its zones, from the tz database's zone.tab (shipped by tzdata)."""
    table: dict[str, list[str]] = {}
    text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) >= 3:
            table.setdefault(fields[0], []).append(fields[2])
    return {country: tuple(zones) for country, zones in table.items()}


def _valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def contact_zones(*, timezone: str, phone: str, fallback: str) -> tuple[str, ...]:
    """The zones the contact may be in (see the module's docstring)."""
    if timezone and _valid_zone(timezone):
        return (timezone,)
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return (fallback,)
    zones = tuple(z for z in number_zones.time_zones_for_number(number) if z != UNKNOWN_ZONE)
    if not zones:
        # A number the data cannot place (e.g. a new mobile range): its country's zones.
        region = phonenumbers.region_code_for_number(
            number
        ) or phonenumbers.region_code_for_country_code(number.country_code or 0)
        zones = _country_zones().get(region, ())
    zones = tuple(z for z in zones if _valid_zone(z))
    return zones or (fallback,)


def is_open(hours: CallingHours, zones: tuple[str, ...], at: dt.datetime) -> bool:
    """Whether ``at`` (aware) is within calling hours in every one of ``zones``."""
    for name in zones:
        local = at.astimezone(ZoneInfo(name))
        if local.weekday() not in hours.days or not hours.start <= local.time() < hours.end:
            return False
    return True


def next_opening(
    hours: CallingHours, zones: tuple[str, ...], after: dt.datetime
) -> dt.datetime | None:
    """The first moment at or after ``after`` within calling hours in every zone; None
    when there is none within a week (the zones' hours never overlap)."""
    if is_open(hours, zones, after):
        return after
    candidates: set[dt.datetime] = set()
    for name in zones:
        zone = ZoneInfo(name)
        first_day = after.astimezone(zone).date()
        for offset in range(SEARCH_DAYS):
            day = first_day + dt.timedelta(days=offset)
            if day.weekday() not in hours.days:
                continue
            # A start that does not exist that day (the clocks went forward across it)
            # resolves to the same wall time on the old offset, an hour later in fact:
            # is_open below accepts it only if it is really within hours.
            opening = dt.datetime.combine(day, hours.start, tzinfo=zone).astimezone(dt.UTC)
            if opening > after:
                candidates.add(opening)
    for candidate in sorted(candidates):
        if is_open(hours, zones, candidate):
            return candidate
    return None
