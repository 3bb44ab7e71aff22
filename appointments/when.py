"""Understanding spoken dates and times in the agent's time zone.

"tomorrow at 2 PM", "next Tuesday morning", "the 3rd at half past ten", "in two weeks
on Friday", "noon". Vague parts of the day give a range; an hour without am/pm is
read within business hours and flagged as ambiguous; times in the past are refused.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo


class WhenError(ValueError):
    """The text holds no usable date or time; the message says what to ask."""


@dataclass(frozen=True)
class When:
    start: dt.datetime
    end: dt.datetime | None = None  # set for vague parts of the day or whole days
    ambiguous: bool = False  # e.g. "at 2" read as 2 PM
    has_time: bool = True

    def as_dict(self) -> dict[str, object]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end else None,
            "ambiguous": self.ambiguous,
            "has_time": self.has_time,
        }


WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
MONTH_ABBREVIATIONS = {m[:3]: i + 1 for i, m in enumerate(MONTHS)} | {"sept": 9}
NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "fifty": 50,
    "a": 1,
    "an": 1,
}
ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "twenty-first": 21,
    "twenty-second": 22,
    "twenty-third": 23,
    "twenty-fourth": 24,
    "twenty-fifth": 25,
    "twenty-sixth": 26,
    "twenty-seventh": 27,
    "twenty-eighth": 28,
    "twenty-ninth": 29,
    "thirtieth": 30,
    "thirty-first": 31,
}
PARTS_OF_DAY = {
    "morning": (dt.time(9), dt.time(12)),
    "afternoon": (dt.time(12), dt.time(17)),
    "evening": (dt.time(17), dt.time(21)),
    "tonight": (dt.time(17), dt.time(21)),
    "night": (dt.time(18), dt.time(22)),
    "lunchtime": (dt.time(12), dt.time(14)),
}


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return NUMBERS.get(word)


def _normalise(text: str) -> str:
    lowered = text.lower().strip()
    lowered = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", lowered)
    lowered = re.sub(
        r"\b(twenty|thirty|forty)[\s-](first|second|third|fourth|fifth|sixth|"
        r"seventh|eighth|ninth|one|two|three|four|five|six|seven|eight|nine)\b",
        r"\1-\2",
        lowered,
    )
    lowered = lowered.replace("p.m.", "pm").replace("a.m.", "am")
    lowered = re.sub(r"[,!?]", " ", lowered)
    return re.sub(r"\s+", " ", lowered)


def _compound(word: str) -> int | None:
    """'twenty-five' → 25, 'forty-five' → 45."""
    if word in NUMBERS:
        return NUMBERS[word]
    if "-" in word:
        tens, _, ones = word.partition("-")
        if tens in NUMBERS and ones in NUMBERS:
            return NUMBERS[tens] + NUMBERS[ones]
    return int(word) if word.isdigit() else None


def _parse_time(text: str) -> tuple[dt.time | None, bool, tuple[dt.time, dt.time] | None]:
    """Returns (time, ambiguous, part-of-day range)."""
    if re.search(r"\b(noon|midday)\b", text):
        return dt.time(12), False, None
    if re.search(r"\bmidnight\b", text):
        return dt.time(0), False, None
    meridiem = None
    match = re.search(r"\b(am|pm|in the morning|in the afternoon|in the evening|at night)\b", text)
    if match:
        meridiem = "am" if match.group(1) in {"am", "in the morning"} else "pm"
    hour = minute = None
    patterns = [
        (r"\bhalf past (\S+)", lambda m: (_compound(m.group(1)), 30)),
        (r"\bquarter past (\S+)", lambda m: (_compound(m.group(1)), 15)),
        (r"\bquarter to (\S+)", lambda m: ((_compound(m.group(1)) or 1) - 1, 45)),
        (r"\b(\d{1,2})[:.](\d{2})\b", lambda m: (int(m.group(1)), int(m.group(2)))),
        (r"\b(\d{1,2}) ?(?:am|pm)\b", lambda m: (int(m.group(1)), 0)),
        (
            r"\b(?:at|around|by|for) (\S+)(?: (\S+))?",
            lambda m: _hour_minute(m.group(1), m.group(2)),
        ),
        (r"\b(\S+) o'?clock\b", lambda m: (_compound(m.group(1)), 0)),
        (r"^(\S+)(?: (\S+))? ?(?:am|pm)\b", lambda m: _hour_minute(m.group(1), m.group(2))),
    ]
    for pattern, extract in patterns:
        match = re.search(pattern, text)
        if match:
            hour, minute = extract(match)
            if hour is not None:
                break
    part = None
    for word, span in PARTS_OF_DAY.items():
        if re.search(rf"\b{word}\b", text):
            part = span
            if meridiem is None and word != "morning":
                meridiem = "pm"
            elif meridiem is None:
                meridiem = "am"
            break
    if hour is None:
        return None, False, part
    if not 0 <= hour <= 23 or not 0 <= (minute or 0) <= 59:
        raise WhenError(f"{hour}:{minute or 0:02d} is not a time of day.")
    ambiguous = False
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    elif meridiem is None and hour <= 12:
        # Without am/pm, read the hour within the business day: 1–7 → afternoon.
        ambiguous = True
        if 1 <= hour <= 7:
            hour += 12
    return dt.time(hour, minute or 0), ambiguous, None


def _hour_minute(first: str, second: str | None) -> tuple[int | None, int]:
    hour = _compound(first)
    if hour is None:
        return None, 0
    minute = _compound(second) if second else None
    if minute is not None and minute < 60 and second not in {"am", "pm"}:
        return hour, minute
    return hour, 0


def _parse_date(text: str, today: dt.date) -> tuple[dt.date | None, bool]:
    """Returns (date, explicit weekday/date given)."""
    if re.search(r"\bday after tomorrow\b", text):
        return today + dt.timedelta(days=2), True
    if re.search(r"\b(today|tonight|this (morning|afternoon|evening))\b", text):
        return today, True
    if re.search(r"\btomorrow\b", text):
        return today + dt.timedelta(days=1), True
    if re.search(r"\byesterday\b", text):
        return today - dt.timedelta(days=1), True
    match = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", text)
    if match:
        return _date(int(match.group(1)), int(match.group(2)), int(match.group(3))), True
    base = today
    match = re.search(r"\bin (\S+) (day|week|month)s?\b", text)
    if match:
        count = _number(match.group(1))
        if count is None:
            raise WhenError(f"'{match.group(0)}' is not a number of {match.group(2)}s.")
        unit = match.group(2)
        if unit == "day":
            return today + dt.timedelta(days=count), True
        if unit == "week":
            base = today + dt.timedelta(weeks=count)
            if not re.search(r"\b(" + "|".join(WEEKDAYS) + r")\b", text):
                return base, True
        else:
            month = today.month - 1 + count
            return _date(today.year + month // 12, month % 12 + 1, min(today.day, 28)), True
    weekday = re.search(r"\b(this|next|on|coming)?\s*(" + "|".join(WEEKDAYS) + r")\b", text)
    if weekday:
        target = WEEKDAYS.index(weekday.group(2))
        if base != today:
            # "in two weeks on Friday": the Friday of that week.
            return base + dt.timedelta(days=target - base.weekday()), True
        days = (target - today.weekday()) % 7
        if days == 0 and weekday.group(1) == "next":
            days = 7
        return today + dt.timedelta(days=days), True
    if re.search(r"\bnext week\b", text):
        return today + dt.timedelta(days=7 - today.weekday()), True
    month_pattern = "|".join(MONTHS + list(MONTH_ABBREVIATIONS))
    ordinal_pattern = "|".join(sorted(ORDINALS, key=len, reverse=True))
    day_pattern = rf"(\d{{1,2}}|{ordinal_pattern})"
    month_first = re.search(rf"\b({month_pattern})\.? (?:the )?{day_pattern}\b", text)
    day_first = re.search(rf"\b{day_pattern} (?:of )?({month_pattern})\b", text)
    if month_first or day_first:
        if month_first:
            month_word, day_word = month_first.group(1), month_first.group(2)
        elif day_first:
            day_word, month_word = day_first.group(1), day_first.group(2)
        month = MONTH_ABBREVIATIONS["sept" if month_word.startswith("sept") else month_word[:3]]
        day = ORDINALS.get(day_word) or int(day_word)
        candidate = _date(today.year, month, day)
        if candidate < today:
            candidate = _date(today.year + 1, month, day)
        return candidate, True
    match = re.search(rf"\bthe {day_pattern}\b", text)
    if match:
        day = ORDINALS.get(match.group(1)) or int(match.group(1))
        year, month = today.year, today.month
        if day < today.day:
            month += 1
            if month == 13:
                year, month = year + 1, 1
        return _date(year, month, day), True
    return None, False


def _date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise WhenError(f"{year}-{month:02d}-{day:02d} is not a date in the calendar.") from None


def parse_when(text: str, *, now: dt.datetime, timezone: str) -> When:
    """Reads ``text`` relative to ``now`` in ``timezone``; raises WhenError when unusable."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    zone = ZoneInfo(timezone)
    local_now = now.astimezone(zone)
    cleaned = _normalise(text)
    if not cleaned:
        raise WhenError("No date or time was given; ask when the caller would like to come.")
    day, _ = _parse_date(cleaned, local_now.date())
    time, ambiguous, part = _parse_time(cleaned)
    if day is None and time is None and part is None:
        raise WhenError(
            f"'{text.strip()}' has no date or time I understand; ask for a day and time."
        )
    if day is None:
        day = local_now.date()
        if time is not None and dt.datetime.combine(day, time, zone) <= local_now:
            day += dt.timedelta(days=1)  # "at 9" said in the evening means tomorrow
    if time is not None:
        start = dt.datetime.combine(day, time, zone)
        end = None
    elif part is not None:
        start, end = (
            dt.datetime.combine(day, part[0], zone),
            dt.datetime.combine(day, part[1], zone),
        )
    else:
        start = dt.datetime.combine(day, dt.time(0), zone)
        end = start + dt.timedelta(days=1)
    if (end or start) <= local_now:
        raise WhenError(f"{start:%A %d %B %Y %H:%M} is in the past; ask for a later time.")
    return When(start=start, end=end, ambiguous=ambiguous, has_time=time is not None)
