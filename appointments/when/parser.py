"""``parse_when``: a caller's date/time phrase, in the agent's language and time zone,
as a ``When`` — refused with ``WhenInPast`` when it names a day or time already over.

Steps: ISO input is read as such (an offset is honoured, none means wall-clock time in
the agent's zone); otherwise the text is split at self-corrections ("Tuesday, no sorry,
Wednesday"), each part is rewritten by the language's lexicon (then English's) into the
canonical vocabulary and read by ``grammar``, later parts override earlier ones, and
the result is placed in the zone (DST gaps and repeats noted as doubts).

Why our own parser and not ``dateparser``: it is slow to import and per call (this runs
in the live call path), and gives neither ranges, am/pm ambiguity nor past refusal.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from zoneinfo import ZoneInfo

from appointments.when.dates import Days
from appointments.when.events import event_doubts, without_soonest
from appointments.when.grammar import DAY, Reading, read
from appointments.when.lexicon import Lexicon, fold, lexicons_for
from appointments.when.types import RANGE_DOUBT, When, WhenError, WhenInPast

# Where a clause ends: a pause, or "but" / "rather" in a language ("not Monday but Tuesday").
CLAUSE = re.compile(r"[,;!?]|\.(?=\s|$)|\s[-–—]\s|\b(?:but|rather|sondern|aber|mais|pero|sino)\b")
ISO = re.compile(
    r"\b(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}(?::?\d{2})?)?(?!\d)",
    re.IGNORECASE,
)


def parse_when(text: str, *, now: dt.datetime, timezone: str, language: str = "en") -> When:
    """Reads ``text`` relative to ``now`` in ``timezone`` and ``language`` (ISO 639-1;
    unknown ones read as English); raises WhenError (WhenInPast for the past) with a
    message the model can relay."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    zone = ZoneInfo(timezone)
    local_now = now.astimezone(zone)
    if not text.strip():
        raise WhenError("No date or time was given; ask when the caller would like to come.")
    if match := ISO.search(text):
        return _iso(match, local_now, zone)
    lexicons = lexicons_for(language)
    notes = event_doubts(fold(text))  # doubts from the words themselves
    readings = [
        read(
            _canonical(part, lexicons, notes),
            local_now.date(),
            lexicons[0].spans,
            day_first=lexicons[0].day_first,
        )
        for part in _parts(text, lexicons, notes)
    ]
    notes += [doubt for reading in readings for doubt in reading.doubts]
    reading, doubts = _merge(readings, local_now.date())
    doubts = notes + doubts
    if reading.empty:
        raise WhenError(
            f"'{text.strip()}' has no date or time I understand; ask for a day and time."
        )
    return _place(reading, local_now, zone, doubts)


def _parts(text: str, lexicons: list[Lexicon], notes: list[str]) -> list[str]:
    """The text split at self-corrections: 'at 2, actually make it 4' → 'at 2', 'make it 4',
    each without the clauses that turn a day or time down."""
    markers = "|".join(f"(?:{lexicon.correction_pattern.pattern})" for lexicon in lexicons)
    folded = without_soonest(fold(text))
    parts = [part for part in re.split(markers, folded) if part and part.strip(" ,.")]
    return [_unnegated(part, lexicons, notes) for part in parts]


def _unnegated(part: str, lexicons: list[Lexicon], notes: list[str]) -> str:
    """``part`` without its negated clauses ("not Monday, Tuesday at 10" → "Tuesday at 10";
    "el lunes no puedo, el martes" → "el martes"). When no clause is left (no pause
    between them, "not monday tuesday at 10"), all of it, noted as a doubt."""
    negations = [lexicon.negation_pattern for lexicon in lexicons if lexicon.negation_pattern]
    if not any(negation.search(part) for negation in negations):
        return part
    clauses = CLAUSE.split(part)
    kept = [
        clause
        for clause in clauses
        if clause.strip(" ,.") and not any(negation.search(clause) for negation in negations)
    ]
    if kept:
        return ", ".join(kept)
    notes.append("said with a 'not'; check which day or time is meant")
    return part


def _canonical(part: str, lexicons: list[Lexicon], heard: list[str]) -> str:
    """The part in the canonical vocabulary; sound-alikes put back go to ``heard``."""
    part, doubts = lexicons[0].near_names(part)
    heard += doubts
    for lexicon in lexicons:
        part, doubts = lexicon.hear(part)
        heard += doubts
        part = lexicon.rewrite(part)
    part = re.sub(r"\b(\d{1,2})\.(\d{2})\b", r"\1:\2", part)  # "10.30"
    return re.sub(r"\s+", " ", re.sub(r"[,;!?¿¡.\"]", " ", part)).strip()


def _merge(readings: list[Reading], today: dt.date) -> tuple[Reading, list[str]]:
    """Later parts correct earlier ones. A part that gives only a day (or only a time)
    keeps the time (or day) said before it — a guess about the correction's scope."""
    merged, doubts = Reading(), []
    for reading in readings:
        if reading.empty:
            continue  # a lead-in or filler ("um, maybe", "how about")
        if merged.empty:
            merged = reading
            continue
        if reading.days and reading.days.day_only and merged.days and not merged.days.end:
            # "December 3rd, no, the 4th": the month (and year) said before stays.
            reading = replace(reading, days=_same_month(merged.days, reading.days, today))
        if reading.has_day and not reading.has_time and merged.has_time:
            doubts.append("correction named only a day; kept the time said before it")
            reading = replace(merged, days=reading.days, past=reading.past or merged.past)
        elif reading.has_time and not reading.has_day and merged.has_day:
            doubts.append("correction named only a time; kept the day said before it")
            reading = replace(reading, days=merged.days)
        merged = reading
    return merged, doubts


def _same_month(before: Days, day_only: Days, today: dt.date) -> Days:
    """The day of the month ``day_only`` in the month of ``before``; as read alone when
    that has passed ("tomorrow, no, the 3rd" on 25 November is 3 December)."""
    try:
        first = dt.date(before.first.year, before.first.month, day_only.first.day)
    except ValueError:  # "January 30th, no, the 31st" kept; "February 28th, no, 30th" not
        return day_only
    if first < today:
        return day_only
    label = f"{before.label}, {day_only.label}"
    return Days(first, label=label, year_guessed=before.year_guessed)


def _at(day: dt.date, minutes: int, zone: ZoneInfo) -> tuple[dt.datetime, str]:
    """Wall-clock ``minutes`` after midnight of ``day`` in ``zone``, and a doubt when the
    clocks change over it."""
    naive = dt.datetime.combine(day, dt.time(0)) + dt.timedelta(minutes=minutes)
    aware = naive.replace(tzinfo=zone)
    real = aware.astimezone(dt.UTC).astimezone(zone)
    if real.replace(tzinfo=None) != naive:
        return (
            real,
            f"{naive:%H:%M} does not exist that day (clocks go forward); read as {real:%H:%M}",
        )
    if naive.replace(tzinfo=zone, fold=1).utcoffset() != aware.utcoffset():
        return real, f"{naive:%H:%M} happens twice that night (clocks go back); read as the first"
    return real, ""


def _spoken_day(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def _iso(match: re.Match[str], local_now: dt.datetime, zone: ZoneInfo) -> When:
    date, time, offset = match.groups()
    try:
        parsed = dt.datetime.fromisoformat(f"{date}T{time}{offset or ''}")
    except ValueError:
        raise WhenError(f"{match.group(0)} is not a date and time; ask again.") from None
    doubts = []
    if parsed.tzinfo is None:  # wall-clock time where the business is
        start, doubt = _at(parsed.date(), parsed.hour * 60 + parsed.minute, zone)
        start = start.replace(second=parsed.second)
        doubts += [doubt] if doubt else []
    else:
        start = parsed.astimezone(zone)
    if start <= local_now:
        raise WhenInPast(
            f"{_spoken_day(start.date())} at {start:%H:%M} is in the past; ask for a later time."
        )
    return When(start=start, doubts=tuple(doubts))


def _place(reading: Reading, local_now: dt.datetime, zone: ZoneInfo, doubts: list[str]) -> When:
    if reading.past:
        raise WhenInPast(
            f"{reading.past.capitalize()} is in the past; ask which upcoming day they mean."
        )
    if reading.from_now is not None:
        start = (local_now + reading.from_now).replace(second=0, microsecond=0)
        if start <= local_now:
            raise WhenInPast("That is now or in the past; ask for a later time.")
        return When(start=start, doubts=tuple(doubts))
    today = local_now.date()
    days = reading.days
    if days is not None and (days.end or days.first + dt.timedelta(days=1)) <= today:
        raise WhenInPast(
            f"{days.label.capitalize()} ({_spoken_day(days.first)}) is in the past; "
            "ask which upcoming day they mean."
        )
    if days is None:  # a time alone: today's, or tomorrow's once today's is over
        minutes = reading.clock if reading.clock is not None else (reading.span or (0, DAY))[1]
        over = _at(today, minutes, zone)[0] <= local_now
        days = Days(today + dt.timedelta(days=1) if over else today)
    when = _when(reading, days, zone, doubts)
    if days.rollable and (when.end or when.start) <= local_now:
        when = _when(reading, replace(days, first=days.first + dt.timedelta(days=7)), zone, doubts)
    if when.end is None and when.start <= local_now:
        raise WhenInPast(
            f"{_spoken_day(when.start.date())} at {when.start:%H:%M} is in the past; "
            "ask for a later time."
        )
    if when.end is not None:
        if when.end <= local_now:
            label = days.label or "That time"
            raise WhenInPast(
                f"{label[0].upper()}{label[1:]} ({_spoken_day(when.start.date())}, until "
                f"{when.end:%H:%M}) is in the past; ask which upcoming day or time they mean."
            )
        if when.start <= local_now:  # the rest of a range already under way
            minute = local_now.astimezone(dt.UTC).replace(second=0, microsecond=0)
            start = (minute + dt.timedelta(minutes=15 - minute.minute % 15)).astimezone(zone)
            when = replace(when, start=start) if start < when.end else when
            if when.start <= local_now:
                raise WhenInPast("That time is in the past; ask which upcoming time they mean.")
    return when


def _when(reading: Reading, days: Days, zone: ZoneInfo, doubts: list[str]) -> When:
    doubts = list(doubts)
    if days.year_guessed:
        doubts.append(f"no year given; read as {days.first.year}")
    span = reading.span
    if days.end is not None:  # several days
        if reading.clock is not None:
            doubts.append("a time was given for several days; read as the whole range")
        last = days.end - dt.timedelta(days=1)
        start = _at(days.first, span[0] if span else 0, zone)[0]
        end = _at(last, span[1], zone)[0] if span else _at(days.end, 0, zone)[0]
    elif reading.clock is not None:
        start, doubt = _at(days.first, reading.clock, zone)
        doubts += [doubt] if doubt else []
        end = None
    elif span is not None:
        start, end = _at(days.first, span[0], zone)[0], _at(days.first, span[1], zone)[0]
    else:
        start, end = _at(days.first, 0, zone)[0], _at(days.first, DAY, zone)[0]
    if reading.ambiguous:
        # The bound that was said: "after 3" its start, "before 10" its end.
        shown = end if end is not None and start.time() == dt.time(0) else start
        doubts.insert(0, f"no am/pm given; read as {shown:%-I:%M %p}")
    if end is not None:
        doubts.append(RANGE_DOUBT)
    return When(
        start=start,
        end=end,
        ambiguous=reading.ambiguous,
        has_time=end is None,
        doubts=tuple(doubts),
    )
