"""Calendar days: what ``grammar`` reads a phrase's day part into (``Days``), and the
date arithmetic under it — months added, a month/day placed in a year, numeric dates
("12/15", "15/12") and a weekday checked against the date said with it."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, replace

from appointments.when.lexicon import MONTHS, WEEKDAYS
from appointments.when.types import WhenError

# A month/day without a year that passed at most this long ago is taken as a slip
# about the past and refused ("November 3rd" on 23 November); further back it means
# next year ("September 1st" in November).
RECENT_PAST = dt.timedelta(days=60)
# A date read into next year this far ahead is flagged: the caller may mean another.
FAR_AHEAD = dt.timedelta(days=183)
# How many months (this one first) a weekday with a bare day of the month is looked
# for in: "Friday the 4th" is the next Friday that is a 4th, up to two months ahead.
WEEKDAY_MONTHS = 3
# How far back a weekday with its day of the month is taken as the past said as such.
RECENT_WEEKDAY = dt.timedelta(days=7)
NUMERIC_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?\b")  # "12/15", "15/12/26"


@dataclass(frozen=True)
class Days:
    first: dt.date
    end: dt.date | None = None  # exclusive end when several days are meant
    label: str = ""  # the phrase, for messages ("last friday")
    year_guessed: bool = False
    rollable: bool = False  # a bare weekday: today's, or next week's once today's is over
    day_only: bool = False  # "the 4th": a correction keeps the month said before it
    doubt: str = ""  # e.g. a weekday that is not the date said with it


def calendar_date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise WhenError(
            f"There is no {day} {MONTHS[month - 1].title()} {year}; ask which date they mean."
        ) from None


def add_months(day: dt.date, count: int) -> dt.date:
    index = day.month - 1 + count
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_day(today: dt.date, month: int, day: int, year: str | None, label: str) -> Days:
    if year:
        return Days(calendar_date(int(year), month, day), label=label)
    try:
        this_year = dt.date(today.year, month, day)
    except ValueError:  # 29 February outside a leap year: try next year's
        this_year = None
    if this_year and (this_year >= today or today - this_year <= RECENT_PAST):
        return Days(this_year, label=label)  # a recent past date is refused later
    following = calendar_date(today.year + 1, month, day)
    return Days(following, label=label, year_guessed=following - today > FAR_AHEAD)


def numeric_date(match: re.Match[str], today: dt.date, day_first: bool) -> Days:
    """'12/15' (month first in English) or '15/12' (day first elsewhere); a doubt when
    both readings are dates."""
    first, second, year = int(match.group(1)), int(match.group(2)), match.group(3)
    day, month = (first, second) if day_first else (second, first)
    doubt = ""
    if month > 12 >= day:  # only one reading is a date: "15/12" from an English caller
        day, month = month, day
    elif first != second and first <= 12 and second <= 12:
        doubt = f"'{match.group(0)}' read as {'day/month' if day_first else 'month/day'}"
    if not 1 <= month <= 12:
        raise WhenError(f"'{match.group(0)}' is not a date; ask which date they mean.")
    if year and len(year) == 2:
        year = f"20{year}"
    return replace(month_day(today, month, day, year, match.group(0)), doubt=doubt)


def on_weekday(days: Days, weekday: re.Match[str] | None, today: dt.date) -> Days:
    """A date said with its weekday ("Monday the 23rd", "el jueves tres"): the weekday
    picks the month of a bare day of the month — the next one within about two months
    where both agree, else one in the week just gone (refused later as past); a
    weekday that fits no reading keeps the day of the month, with a doubt: the number
    is the more specific word, and it is never silently dropped."""
    if weekday is None or days.end is not None:
        return days
    target = WEEKDAYS.index(weekday.group(2))
    if days.first.weekday() == target:
        return days
    if days.day_only:
        months = (add_months(today.replace(day=1), count) for count in range(WEEKDAY_MONTHS))
        fits = []
        for month in months:
            try:
                candidate = dt.date(month.year, month.month, days.first.day)
            except ValueError:
                continue
            if candidate.weekday() == target:
                fits.append(candidate)
        upcoming = [day for day in fits if day >= today]
        # One just gone ("Monday the 23rd" on Wednesday the 25th) is a slip about the
        # past, refused later; one weeks ago is more likely a misheard day of the month.
        recent = [day for day in fits if today - day <= RECENT_WEEKDAY]
        if upcoming or recent:
            return replace(days, first=(upcoming or recent)[0])
    shown = f"{days.first:%A} {days.first.day} {days.first:%B}"
    return replace(days, doubt=f"{weekday.group(2)} does not match {shown}; check the day")


def shift(day: dt.date, count: int, unit: str) -> dt.date:
    if unit == "day":
        return day + dt.timedelta(days=count)
    if unit == "week":
        return day + dt.timedelta(weeks=count)
    return add_months(day, count * (12 if unit == "year" else 1))
