"""The period an overview covers: whole calendar days in one time zone.

Days are the agent's when one agent is shown; with all agents, the agents' common time
zone when they share one, else the server's (``TIME_ZONE``). The page says which.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

TODAY = "today"
LAST_7_DAYS = "7d"
LAST_30_DAYS = "30d"
CUSTOM = "custom"
PERIOD_CHOICES = [
    (TODAY, "Today"),
    (LAST_7_DAYS, "Last 7 days"),
    (LAST_30_DAYS, "Last 30 days"),
    (CUSTOM, "From … to …"),
]
DEFAULT_PERIOD = LAST_7_DAYS
MAX_DAYS = 366  # a custom period's longest span: a chart of a year of days


@dataclass(frozen=True)
class Period:
    """Days ``first_day`` to ``last_day``, both included, in ``tz``."""

    first_day: dt.date
    last_day: dt.date
    tz: ZoneInfo
    tz_source: str  # why this zone: "the agent's", "the agents'", "the server's"

    @property
    def start(self) -> dt.datetime:
        """The first instant of the period (midnight of its first day, in ``tz``)."""
        return dt.datetime.combine(self.first_day, dt.time(), tzinfo=self.tz)

    @property
    def end(self) -> dt.datetime:
        """The first instant after the period (exclusive)."""
        return dt.datetime.combine(self.last_day + dt.timedelta(days=1), dt.time(), tzinfo=self.tz)

    @property
    def days(self) -> list[dt.date]:
        count = (self.last_day - self.first_day).days + 1
        return [self.first_day + dt.timedelta(days=n) for n in range(count)]


def period_days(
    *, key: str, today: dt.date, first: dt.date | None = None, last: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    """The first and last day of a period choice; ``first``/``last`` for ``custom``."""
    if key == TODAY:
        return today, today
    if key == LAST_30_DAYS:
        return today - dt.timedelta(days=29), today
    if key == CUSTOM and first is not None and last is not None:
        return first, last
    return today - dt.timedelta(days=6), today  # LAST_7_DAYS, the default


def overview_timezone(*, agent_timezones: list[str], one_agent: bool) -> tuple[ZoneInfo, str]:
    """The zone whose days the overview counts in, and whose it is."""
    zones = set(agent_timezones)
    if len(zones) == 1:
        return ZoneInfo(zones.pop()), "the agent's" if one_agent else "the agents' common"
    return ZoneInfo(settings.TIME_ZONE), "the server's"
