"""What the date/time parser returns and the errors it raises."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

RANGE_DOUBT = "a range, not an exact time: offer free times in it"


class WhenError(ValueError):
    """The text holds no usable date or time; the message says what to ask."""


class WhenInPast(WhenError):
    """The text names a day or time that is already over (refused for booking)."""


@dataclass(frozen=True)
class When:
    start: dt.datetime
    end: dt.datetime | None = None  # set for ranges: parts of the day, whole days, weeks
    ambiguous: bool = False  # e.g. "at 2" read as 2 PM
    has_time: bool = True  # an exact time (not a range) was given
    doubts: tuple[str, ...] = ()  # short English reasons to confirm before booking

    @property
    def certain(self) -> bool:
        """Whether this can be booked without reading it back first: an exact time,
        with am/pm clear, a year that was not guessed and no guessed correction."""
        return not (self.ambiguous or self.end is not None or self.doubts)

    def as_dict(self) -> dict[str, object]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end else None,
            "ambiguous": self.ambiguous,
            "has_time": self.has_time,
            "certain": self.certain,
            "doubts": list(self.doubts),
        }
