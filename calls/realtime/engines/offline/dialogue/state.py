"""The dialogue's state, its actions, and how it says times and tool errors."""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from calls.realtime.engines.offline.dialogue import recognise


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class CallTool:
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class Silence:
    """Nothing to say (an empty response, so the caller's widget stops waiting)."""


Action = Say | CallTool | Silence


class Step(enum.StrEnum):
    NAME = "name"  # collecting the caller's details, one at a time
    EMAIL = "email"
    PHONE = "phone"
    CHECK = "check"  # an uncertain detail read back, awaiting the caller's yes
    OPEN = "open"  # details known (or not asked): anything else?
    SERVICE = "service"  # booking: which service
    TIME = "time"  # booking: which day and time
    CONFIRM = "confirm"  # booking: a free time to say yes to
    ENDED = "ended"


DETAILS = (Step.NAME, Step.EMAIL, Step.PHONE)
BOOKING_STEPS = (Step.SERVICE, Step.TIME, Step.CONFIRM)


@dataclass(frozen=True)
class Slot:
    start: dt.datetime  # in the agent's zone
    label: str  # as the caller hears it


@dataclass
class Booking:
    """The booking being arranged: what, the day being discussed, what was offered."""

    service: str = ""  # the caller's words until a tool names the service
    when: str = ""  # the last time asked about, as passed to the tool
    day: dt.date | None = None  # carried across turns: "3 pm please" means this day
    wanted: dt.datetime | None = None  # the time asked for, to offer the nearest
    ambiguous: bool = False  # "at 3": confirm before booking
    offered: list[Slot] = field(default_factory=list)
    pending: Slot | None = None  # free, awaiting the caller's yes
    refusal: str = ""  # why the last booking failed, said with the alternatives


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class DialogueState:
    tools: set[str] = field(default_factory=set)
    language: str = "en"
    region: str = "US"
    locale: str = "en-US"  # how times are read out: the agent's language and country
    timezone: str = "UTC"
    now: Callable[[], dt.datetime] = _utc_now
    step: Step = Step.OPEN  # the greeting asked how to help; nothing asked yet
    user_info: dict[str, str] = field(default_factory=dict)
    saved: bool = False
    declined: set[str] = field(default_factory=set)  # details the caller would rather not give
    booking: Booking | None = None
    spoken_turns: int = 0  # spoken turns without text so far (said once, then nudges)
    checking: tuple[str, str] | None = None  # a doubtful detail read back: (field, value)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def missing_detail(self) -> Step | None:
        for step in DETAILS:
            if not self.user_info.get(step.value) and step.value not in self.declined:
                return step
        return None

    def contact_to_save(self) -> dict[str, str] | None:
        """The details to save once all are given (or declined): a name and a way back."""
        if self.saved or self.missing_detail() is not None:
            return None
        known = {k: self.user_info[k] for k in ("name", "email", "phone") if self.user_info.get(k)}
        return known if "name" in known and ("email" in known or "phone" in known) else None


def spoken_time(moment: dt.datetime, state: DialogueState) -> str:
    """As the tools say it, in the agent's locale ("3:00 PM" in the US, "15:00" elsewhere)."""
    return recognise.clock(moment, timezone=state.timezone, locale=state.locale)


def spoken_day(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def spoken_slot(moment: dt.datetime, state: DialogueState) -> str:
    return f"{spoken_day(moment.astimezone(state.zone).date())} at {spoken_time(moment, state)}"


def either(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def for_caller(error: str) -> str:
    """A tool's error as the caller should hear it: without the advice to the model."""
    advice = r"(?:;\s*|(?:^|(?<=[.!?]))\s*)(?:ask|offer|use|say)\b[^.]*(?:\.|$)"
    text = re.sub(advice, ".", error, flags=re.I)
    text = re.sub(r"\s*\.(\s*\.)+", ".", text).strip()
    if not text.strip(". "):
        return "that did not work."
    # After "Sorry, ": "that time was just booked", but "I", "Monday" and "'x'" as they are.
    first = text.split(" ", 1)[0]
    if first.istitle() and first.lower() in {"that", "the", "this", "there", "no", "nothing"}:
        text = text[0].lower() + text[1:]
    return text
