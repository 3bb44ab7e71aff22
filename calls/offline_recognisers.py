"""The offline dialogue's recognisers: the tools' own normalisers and date parser, and
the way the tools read a time out.

Installed into the bridge's offline engine by ``CallsConfig.ready`` (the bridge imports
no app code).
"""

from __future__ import annotations

import datetime as dt

from appointments.speech import spoken_clock
from appointments.when import WhenError, parse_when
from calls.realtime.engines.offline.dialogue.recognise import Heard, Moment
from contacts.normalize import NormalizationError, normalize_email, normalize_name, normalize_phone


class ProjectRecognisers:
    def email(self, text: str, *, language: str) -> Heard | None:
        try:
            return Heard(text.strip(), normalize_email(text, language=language).value)
        except NormalizationError:
            return None

    def phone(self, text: str, *, region: str, language: str) -> Heard | None:
        try:
            return Heard(
                text.strip(), normalize_phone(text, region=region, language=language).value
            )
        except NormalizationError:
            return None

    def name(self, text: str, *, language: str) -> Heard | None:
        try:
            return Heard(text.strip(), normalize_name(text, language=language).value)
        except NormalizationError:
            return None

    def moment(self, text: str, *, now: dt.datetime, timezone: str, language: str) -> Moment | None:
        try:
            when = parse_when(text, now=now, timezone=timezone, language=language)
        except WhenError:
            return None
        return Moment(
            start=when.start,
            has_time=bool(when.has_time and when.end is None),
            ambiguous=bool(when.ambiguous),
        )

    def clock(self, moment: dt.datetime, *, timezone: str, locale: str) -> str:
        return spoken_clock(moment, zone=timezone, locale=locale)
