"""What an utterance contains, read with the project's own normalisers and date parser.

The one place the offline dialogue reaches outside the bridge: the same functions the
tools use (``contacts.normalize``, ``appointments.when``), so that what the dialogue
recognises is what the tools will accept. They are pure (no settings, no database;
``contacts.normalize`` only borrows Django's email validator). The dialogue only
*recognises* with them: it passes the caller's own words to the tools, which normalise.

The normalisers return a plain value today and an object with ``.value`` (and
``.certain``, ``.doubts``) tomorrow; ``_value`` reads both.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from appointments.when import WhenError, parse_when
from contacts.normalize import NormalizationError, normalize_email, normalize_name, normalize_phone


@dataclass(frozen=True)
class Heard:
    """A value recognised in the caller's words: ``said`` goes to the tool, ``value`` is
    what the tool will make of it."""

    said: str
    value: str


@dataclass(frozen=True)
class Moment:
    """A date/time recognised in an utterance, in the agent's zone."""

    start: dt.datetime
    has_time: bool
    ambiguous: bool  # an hour without am/pm, read within the business day
    part_of_day: bool  # "tomorrow morning": a range, not one time


def _value(result: Any) -> str:
    return str(getattr(result, "value", result)).split(";ext=")[0]


def _with_language(function: Callable[..., Any], language: str) -> dict[str, str]:
    """``language=`` for the normalisers and parser that accept it (newer ones do)."""
    return {"language": language} if "language" in inspect.signature(function).parameters else {}


def email(text: str, *, language: str = "en") -> Heard | None:
    try:
        value = normalize_email(text, **_with_language(normalize_email, language))
    except NormalizationError:
        return None
    return Heard(text.strip(), _value(value))


def phone(text: str, *, region: str, language: str = "en") -> Heard | None:
    try:
        value = normalize_phone(text, region=region, **_with_language(normalize_phone, language))
    except NormalizationError:
        return None
    return Heard(text.strip(), _value(value))


def name(text: str, *, language: str = "en") -> Heard | None:
    try:
        value = normalize_name(text, **_with_language(normalize_name, language))
    except NormalizationError:
        return None
    return Heard(text.strip(), _value(value))


PART_OF_DAY = re.compile(r"\b(morning|afternoon|evening|tonight|night|lunchtime)\b", re.I)


def moment(text: str, *, now: dt.datetime, timezone: str, language: str = "en") -> Moment | None:
    try:
        when = parse_when(text, now=now, timezone=timezone, **_with_language(parse_when, language))
    except (WhenError, ValueError):
        return None
    return Moment(
        start=when.start,
        has_time=bool(when.has_time and when.end is None),
        ambiguous=bool(when.ambiguous),
        part_of_day=when.end is not None and PART_OF_DAY.search(text) is not None,
    )
