"""The offline dialogue's recognisers: the tools' own normalisers and date parser.

Installed into the bridge's offline engine by ``CallsConfig.ready`` (the bridge imports
no app code). The normalisers return a plain value today and an object with ``.value``
(and ``.certain``, ``.doubts``) once they say how sure they are, and take ``language=``
once they know more than English: ``_value`` and ``_with_language`` read both, here only.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from typing import Any

from appointments.when import WhenError, parse_when
from calls.realtime.engines.offline.dialogue.recognise import Heard, Moment
from contacts.normalize import NormalizationError, normalize_email, normalize_name, normalize_phone


def _value(result: Any) -> str:
    return str(getattr(result, "value", result)).split(";ext=")[0]


def _with_language(function: Callable[..., Any], language: str) -> dict[str, str]:
    """``language=`` for the functions that accept it."""
    return {"language": language} if "language" in inspect.signature(function).parameters else {}


class ProjectRecognisers:
    def email(self, text: str, *, language: str) -> Heard | None:
        try:
            value = normalize_email(text, **_with_language(normalize_email, language))
        except NormalizationError:
            return None
        return Heard(text.strip(), _value(value))

    def phone(self, text: str, *, region: str, language: str) -> Heard | None:
        options = _with_language(normalize_phone, language)
        try:
            value = normalize_phone(text, region=region, **options)
        except NormalizationError:
            return None
        return Heard(text.strip(), _value(value))

    def name(self, text: str, *, language: str) -> Heard | None:
        try:
            value = normalize_name(text, **_with_language(normalize_name, language))
        except NormalizationError:
            return None
        return Heard(text.strip(), _value(value))

    def moment(self, text: str, *, now: dt.datetime, timezone: str, language: str) -> Moment | None:
        options = _with_language(parse_when, language)
        try:
            when = parse_when(text, now=now, timezone=timezone, **options)
        except (WhenError, ValueError):
            return None
        return Moment(
            start=when.start,
            has_time=bool(when.has_time and when.end is None),
            ambiguous=bool(when.ambiguous),
        )
