"""The canonical (English) grammar: reads one rewritten phrase into a ``Reading`` —
which day or days, which time or part of the day — without yet deciding whether it
is in the past (``parser`` does that, in the agent's zone)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from appointments.when.dates import (
    NUMERIC_DATE,
    Days,
    add_months,
    calendar_date,
    month_day,
    month_end,
    numeric_date,
    on_weekday,
    shift,
)
from appointments.when.lexicon import MONTH, MONTHS, WEEKDAY, WEEKDAYS
from appointments.when.types import WhenError

DAY = 24 * 60
# The most words a reply read as a lone hour may have, the number included, and the
# words that may follow that number ("4 then", "a las 5 por favor", "lieber 3").
LONE = 6
LONE_HOUR = re.compile(
    r"\b\d{1,2}(?: (?:then|please|instead|ok|okay|works|is fine|is good|would work|sounds good"
    r"|por favor|entonces|vale|mejor|alors|plutot|s'il vous plait|dann|bitte|lieber|doch))*$"
)

# Longest first: "late afternoon" before "afternoon". Minutes after midnight.
SPANS: list[tuple[str, tuple[int, int]]] = [
    ("firstthing", (8 * 60, 10 * 60)),
    ("after lunch", (13 * 60, 16 * 60)),
    ("late afternoon", (15 * 60, 18 * 60)),
    ("early afternoon", (12 * 60, 14 * 60)),
    ("late morning", (11 * 60, 12 * 60)),
    ("early morning", (7 * 60, 9 * 60)),
    ("mid morning", (10 * 60, 11 * 60 + 30)),
    ("mid afternoon", (14 * 60, 16 * 60)),
    ("end of the day", (16 * 60, 18 * 60)),
    ("morning", (9 * 60, 12 * 60)),
    ("afternoon", (12 * 60, 17 * 60)),
    ("evening", (17 * 60, 21 * 60)),
    ("tonight", (17 * 60, 21 * 60)),
    ("night", (18 * 60, 22 * 60)),
    ("lunchtime", (12 * 60, 14 * 60)),
    ("later today", (0, DAY)),  # clipped to now by the parser
]
MERIDIEM = re.compile(r"\b(am|pm|in the morning|in the afternoon|in the evening|at night)\b")
OPERAND = r"(noon|midday|midnight|\d{1,2}(?::\d{2})?(?: ?[ap]m)?)"
UNIT = r"(day|week|month|year)s?"
# A count of days or weeks the reading must account for ("3 days from now").
COUNT = re.compile(rf"\b\d+ {UNIT}\b")
# What a count is from: "a week from tomorrow", "3 days after monday", "morgen in einer Woche".
ANCHOR = rf"(now|today|tomorrow|(?:next |this |coming )?{WEEKDAY})"
# "The second Tuesday of December", "el segundo martes", "am zweiten Dienstag": not read.
NTH_WEEKDAY = re.compile(
    rf"\b(?:(?:the|el|la|le|am|den|der) [1-5]|first|second|third|fourth|fifth|segund[oa]"
    rf"|tercer[oa]?|cuart[oa]|quint[oa]|deuxieme|troisieme|quatrieme|cinquieme) {WEEKDAY}\b"
)


@dataclass(frozen=True)
class Reading:
    days: Days | None = None
    clock: int | None = None  # minutes after midnight
    ambiguous: bool = False  # no am/pm: read within business hours
    span: tuple[int, int] | None = None  # minutes after midnight, end exclusive
    past: str = ""  # a phrase about the past as such ("earlier today")
    from_now: dt.timedelta | None = None  # "in 20 minutes"
    doubts: tuple[str, ...] = ()  # words read that the day may not account for
    said: str = ""  # the words the time was read from ("at 3 pm")

    @property
    def has_day(self) -> bool:
        return self.days is not None

    @property
    def has_time(self) -> bool:
        return self.clock is not None or self.span is not None or self.from_now is not None

    @property
    def empty(self) -> bool:
        return not (self.has_day or self.has_time or self.past)


def _anchored(text: str, today: dt.date) -> Days | None:
    """A count from a named day: '3 days from now', '1 week from tomorrow', and the
    German order 'tomorrow in 1 weeks' ("morgen in einer Woche")."""
    if match := re.search(rf"\b(\d+) {UNIT} (?:from|after) {ANCHOR}\b", text):
        count, unit, anchor = match.group(1), match.group(2), match.group(3)
    elif match := re.search(rf"\b{ANCHOR} in (\d+) {UNIT}\b", text):
        anchor, count, unit = match.group(1), match.group(3), match.group(4)
    else:
        return None
    base = None if anchor in {"now", "today"} else _days(anchor, today)[0]
    return Days(shift(base.first if base else today, int(count), unit), label=match.group(0))


def _days(text: str, today: dt.date, day_first: bool = True) -> tuple[Days | None, str]:
    """(days meant, a phrase that is about the past as such)."""
    monday = today - dt.timedelta(days=today.weekday())
    next_monday = monday + dt.timedelta(days=7)
    if match := re.search(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", text):
        year, month, day = (int(part) for part in match.groups())
        return Days(calendar_date(year, month, day), label=match.group(0)), ""
    if match := re.search(r"\b(earlier today|last (?:week|month|year))\b", text):
        return None, match.group(1)
    if (anchored := _anchored(text, today)) is not None:
        return anchored, ""
    relative = [
        (r"day after tomorrow", 2),
        (r"day before yesterday", -2),
        (r"today|tonight|later today", 0),
        (r"tomorrow", 1),
        (r"yesterday", -1),
    ]
    for pattern, offset in relative:
        if match := re.search(rf"\b(?:the )?({pattern})\b", text):
            return Days(today + dt.timedelta(days=offset), label=match.group(1)), ""
    if match := re.search(r"\b(\d+) (day|week|month|year)s? ago\b", text):
        count, unit = int(match.group(1)), match.group(2)
        return Days(shift(today, -count, unit), label=match.group(0)), ""
    weekday = re.search(
        rf"\b(this|next|coming|on|last|past|previous)? ?{WEEKDAY}\b( after next)?", text
    )
    if match := re.search(r"\bin (\d+) (day|week|month|year)s?\b", text):
        count, unit = int(match.group(1)), match.group(2)
        base = shift(today, count, unit)
        if unit == "week" and weekday:  # "in two weeks on friday": that week's friday
            target = WEEKDAYS.index(weekday.group(2))
            first = base + dt.timedelta(days=target - base.weekday())
            return Days(first, label=f"{match.group(0)} {weekday.group(0).strip()}"), ""
        return Days(base, label=match.group(0)), ""
    if match := NUMERIC_DATE.search(text):
        return on_weekday(numeric_date(match, today, day_first), weekday, today), ""
    if match := re.search(rf"\b{MONTH}\.? (?:the )?(\d{{1,2}})\b(?!:)(?:,? (\d{{4}}))?", text):
        month, day = MONTHS.index(match.group(1)) + 1, int(match.group(2))
        dated = month_day(today, month, day, match.group(3), match.group(0))
        return on_weekday(dated, weekday, today), ""
    if match := re.search(rf"\b(\d{{1,2}}) (?:of )?{MONTH}\b(?:,? (\d{{4}}))?", text):
        month, day = MONTHS.index(match.group(2)) + 1, int(match.group(1))
        dated = month_day(today, month, day, match.group(3), match.group(0))
        return on_weekday(dated, weekday, today), ""
    if match := re.search(r"\bthe (\d{1,2})\b(?!:| ?[ap]m\b)", text):
        day = int(match.group(1))
        # Said after the day has passed this month: next month's ("the 3rd" on the 23rd).
        in_month = today if day >= today.day else add_months(today.replace(day=1), 1)
        if weekday and month_end(in_month).day < day <= 31:
            # "Monday the 31st" in a 30-day month: the weekday looks further (and is a
            # doubt if it fits no month); a bare "the 31st" is asked again.
            in_month = add_months(in_month.replace(day=1), 1)
        first = calendar_date(in_month.year, in_month.month, day)
        dated = Days(first, label=match.group(0), day_only=True)
        return on_weekday(dated, weekday, today), ""
    if weekday:
        # "next week on Tuesday", "Tuesday afternoon next week": that week's Tuesday.
        if weekday.group(1) not in {"last", "past", "previous"} and re.search(
            r"\bnext week\b", text
        ):
            target = WEEKDAYS.index(weekday.group(2))
            return Days(next_monday + dt.timedelta(days=target), label=weekday.group(0)), ""
        return _weekday(weekday, today), ""
    weeks = [
        (r"(?:early|beginning of|start of) next week", next_monday, 2),
        (r"(?:mid|middle of) next week", next_monday + dt.timedelta(days=1), 3),
        (
            r"(?:the )?end of next week|late next week|later next week",
            next_monday + dt.timedelta(days=3),
            2,
        ),
        (r"next weekend", next_monday + dt.timedelta(days=5), 2),
        (r"(?:the |this )?weekend", monday + dt.timedelta(days=5), 2),
        (r"(?:the )?end of (?:the |this )?week", monday + dt.timedelta(days=3), 2),
        (r"later this week", today + dt.timedelta(days=1), (next_monday - today).days - 1),
        (r"this week", today, (next_monday - today).days),
        (r"next week", next_monday, 7),
    ]
    for pattern, first, length in weeks:
        if match := re.search(rf"\b(?:sometime |some time )?(?:{pattern})\b", text):
            return Days(first, first + dt.timedelta(days=length), label=match.group(0)), ""
    if match := re.search(r"\b(?:the )?end of (?:the |this )?(next )?month\b", text):
        last = month_end(add_months(today.replace(day=1), 1 if match.group(1) else 0))
        first = max(today, last - dt.timedelta(days=4))
        return Days(first, last + dt.timedelta(days=1), label=match.group(0)), ""
    if match := re.search(r"\b(early |beginning of |start of )?next month\b", text):
        first = add_months(today.replace(day=1), 1)
        end = first + dt.timedelta(days=7) if match.group(1) else add_months(first, 1)
        return Days(first, end, label=match.group(0)), ""
    return None, ""


def _weekday(match: re.Match[str], today: dt.date) -> Days:
    modifier, target = match.group(1), WEEKDAYS.index(match.group(2))
    label = match.group(0).strip()
    if modifier in {"last", "past", "previous"}:
        back = (today.weekday() - target) % 7 or 7
        return Days(today - dt.timedelta(days=back), label=label)
    ahead = (target - today.weekday()) % 7
    if match.group(3):  # "monday after next"
        return Days(today + dt.timedelta(days=(ahead or 7) + 7), label=label)
    if modifier in {"next", "coming"}:
        return Days(today + dt.timedelta(days=ahead or 7), label=label)
    # "friday" / "on friday": today's when today is friday, unless that is over.
    return Days(today + dt.timedelta(days=ahead), label=label, rollable=modifier != "this")


def _minutes(hour: int, minute: int, meridiem: str | None) -> tuple[int, bool]:
    """Minutes after midnight, and whether am/pm had to be guessed."""
    if not 0 <= hour <= 24 or not 0 <= minute <= 59 or (hour == 24 and minute):
        raise WhenError(f"{hour}:{minute:02d} is not a time of day; ask for the time again.")
    # "20 heures du soir", "ce soir à 20 h": a 24-hour time said with pm is no contradiction.
    if meridiem == "am" and hour > 12:
        raise WhenError(f"{hour}:{minute:02d} {meridiem} is not a time; ask for the time again.")
    if hour == 24:
        return 0, False
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    elif meridiem is None and 1 <= hour <= 12:
        # No am/pm: read within business hours, 1–7 as afternoon, 8–12 as morning/noon.
        if hour <= 7:
            hour += 12
        return hour * 60 + minute, True
    return hour * 60 + minute, False


def _operand(text: str, meridiem: str | None) -> tuple[int, bool]:
    if text in {"noon", "midday"}:
        return 12 * 60, False
    if text == "midnight":
        return 0, False
    match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?(?: ?([ap]m))?", text)
    if match is None:  # OPERAND only matches the forms above
        raise WhenError(f"'{text}' is not a time; ask for the time again.")
    return _minutes(int(match.group(1)), int(match.group(2) or 0), match.group(3) or meridiem)


def _clock(text: str, spans: Mapping[str, tuple[int, int]]) -> Reading:
    meridiem = None
    if match := MERIDIEM.search(text):
        meridiem = "am" if match.group(1) in {"am", "in the morning"} else "pm"
    span = None
    for word, minutes in SPANS:
        if re.search(rf"\b{word}\b", text):
            span = spans.get(word, minutes)
            break
    hint = meridiem or (None if span is None else "am" if span[0] < 12 * 60 else "pm")
    # "in 2 hours", "in exactly 2 hours", "in about 20 minutes".
    if match := re.search(r"\bin (?:[a-z]+ )?(\d+) (minute|hour)s?\b", text):
        count = int(match.group(1)) * (60 if match.group(2) == "hour" else 1)
        return Reading(from_now=dt.timedelta(minutes=count), said=match.group(0))
    if match := re.search(
        rf"\b(?:between|from) {OPERAND} (?:and|to|till|until|-) {OPERAND}\b", text
    ):
        (first, doubt_first), (last, doubt_last) = (
            _operand(match.group(1), hint),
            _operand(match.group(2), hint),
        )
        if last <= first and doubt_last and last + 12 * 60 < DAY:
            last += 12 * 60  # "between 11 and 1"
        return Reading(span=(first, last), ambiguous=doubt_first or doubt_last, said=match.group(0))
    if match := re.search(rf"\b(?:before|until|till|no later than) {OPERAND}", text):
        last, doubt = _operand(match.group(1), hint)
        return Reading(span=((span or (0, 0))[0], last), ambiguous=doubt, said=match.group(0))
    if match := re.search(rf"\b(?:after|from) {OPERAND}", text):
        first, doubt = _operand(match.group(1), hint)
        return Reading(span=(first, DAY), ambiguous=doubt, said=match.group(0))
    if re.search(r"\b(?:around|about|toward|towards) (?:noon|midday)\b", text):
        # Noon is a part of the day too ("gegen Mittag", "sobre el mediodía").
        return Reading(span=(11 * 60 + 30, 12 * 60 + 30))
    if match := re.search(r"\b(\d{1,2})(?::(\d{2}))?(?: ?([ap]m))? or so\b", text):
        # "10 or so", "a las diez o así": half an hour either side.
        clock, ambiguous = _minutes(
            int(match.group(1)), int(match.group(2) or 0), match.group(3) or hint
        )
        return Reading(
            span=(max(clock - 30, 0), min(clock + 30, DAY)),
            ambiguous=ambiguous,
            said=match.group(0),
        )
    if re.search(r"\b(noon|midday)\b", text):
        return Reading(clock=12 * 60)
    if re.search(r"\bmidnight\b", text):
        return Reading(clock=0)
    patterns = [
        r"\b(\d{1,2}):(\d{2})\b(?: ?([ap]m)\b)?",
        r"\b(\d{1,2})()(?: ?([ap]m)\b)",
        r"\b(?:at|around|about|by|for|say) (\d{1,2})()()\b(?!:| (?:day|week|month|year)s?\b)",
    ]
    for pattern in patterns:
        if match := re.search(pattern, text):
            clock, ambiguous = _minutes(
                int(match.group(1)), int(match.group(2) or 0), match.group(3) or hint
            )
            return Reading(clock=clock, ambiguous=ambiguous, said=match.group(0))
    return Reading(span=span)


def _checked(reading: Reading) -> Reading:
    if reading.span is not None and reading.span[1] <= reading.span[0]:
        raise WhenError("That time range ends before it starts; ask for the range again.")
    return reading


def read(
    text: str,
    today: dt.date,
    spans: Mapping[str, tuple[int, int]] | None = None,
    *,
    day_first: bool = True,
) -> Reading:
    """What one (rewritten) phrase says; a lone number ("make it 4") is an hour.
    ``spans`` are the language's own parts of the day, over ``SPANS``; ``day_first``
    reads "3/4" as 3 April."""
    days, past = _days(text, today, day_first)
    doubts = [days.doubt] if days and days.doubt else []
    if match := NTH_WEEKDAY.search(text):
        doubts.append(f"heard '{match.group(0)}', a weekday counted in a month; check the day")
    # A count the day does not account for ("3 days from ... whenever") is never dropped.
    if (count := COUNT.search(text)) and (days is None or count.group(0) not in days.label):
        doubts.append(f"heard '{count.group(0)}' but could not place it; check the day")
    reading = replace(
        _checked(_clock(text, spans or {})), days=days, past=past, doubts=tuple(doubts)
    )
    if reading.empty:
        numbers = re.findall(r"\b\d{1,2}\b", text)
        # Only in a short reply that ends with it ("make it 4", "how about 4 then"): else
        # the number is a guess ("let me talk to my wife first and call you back", "two
        # minutes to check", "your first available").
        if (
            len(numbers) == 1
            and 1 <= int(numbers[0]) <= 23
            and len(text.split()) <= LONE
            and LONE_HOUR.search(text)
        ):
            clock, ambiguous = _minutes(int(numbers[0]), 0, None)
            return replace(reading, clock=clock, ambiguous=ambiguous)
    if reading.past:
        return reading
    # A number neither the day nor the time was read from ("15 at 3 pm", "12-15 at 3"):
    # the reading may miss what the caller said, so it is not certain.
    rest = text
    for used in (days.label if days else "", reading.said):
        rest = rest.replace(used, " ", 1) if used else rest
    if unplaced := re.findall(r"\d+(?:[-/:.]\d+)*", rest):
        doubt = f"heard '{unplaced[0]}' but could not place it; check the day and time"
        reading = replace(reading, doubts=(*reading.doubts, doubt))
    return reading
