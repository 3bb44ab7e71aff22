"""What an utterance contains: an email, a phone number, a name, a date or time.

The dialogue recognises with the same normalisers and date parser the tools use, so that
what it takes for a phone number is what ``update_user_info`` will accept. They belong to
the apps (``contacts.normalize``, ``appointments.when``) and the bridge imports none, so
the Django side installs them at start-up (with how the tools read a time out, so
that the dialogue says "3:00 PM" exactly where the tools do) (``calls/offline_recognisers.py``, from
``CallsConfig.ready``); tests may install fakes. The dialogue only *recognises* with them:
it passes the caller's own words to the tools, which normalise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol


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
    has_time: bool  # one exact time (not a day or a part of one)
    ambiguous: bool  # an hour without am/pm, read within the business day


class Recognisers(Protocol):
    def email(self, text: str, *, language: str) -> Heard | None: ...

    def phone(self, text: str, *, region: str, language: str) -> Heard | None: ...

    def name(self, text: str, *, language: str) -> Heard | None: ...

    def moment(
        self, text: str, *, now: dt.datetime, timezone: str, language: str
    ) -> Moment | None: ...

    def clock(self, moment: dt.datetime, *, timezone: str, locale: str) -> str: ...


_installed: list[Recognisers] = []


def install(recognisers: Recognisers) -> None:
    _installed[:] = [recognisers]


def _recognisers() -> Recognisers:
    if not _installed:
        raise RuntimeError("No recognisers installed for the offline dialogue (CallsConfig.ready).")
    return _installed[0]


def email(text: str, *, language: str = "en") -> Heard | None:
    return _recognisers().email(text, language=language)


def phone(text: str, *, region: str, language: str = "en") -> Heard | None:
    return _recognisers().phone(text, region=region, language=language)


def name(text: str, *, language: str = "en") -> Heard | None:
    return _recognisers().name(text, language=language)


def moment(text: str, *, now: dt.datetime, timezone: str, language: str = "en") -> Moment | None:
    return _recognisers().moment(text, now=now, timezone=timezone, language=language)


def clock(moment: dt.datetime, *, timezone: str, locale: str) -> str:
    return _recognisers().clock(moment, timezone=timezone, locale=locale)
