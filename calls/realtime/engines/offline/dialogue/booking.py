"""The booking states: which service, which time, confirming; and the booking tools'
answers. The day being discussed is kept in ``Booking.day``, so "3 pm please" after
Monday's slots were offered means Monday at 3 pm."""

from __future__ import annotations

import datetime as dt
from typing import Any

from calls.realtime.engines.offline.dialogue import intents, recognise
from calls.realtime.engines.offline.dialogue.state import (
    Action,
    Booking,
    CallTool,
    DialogueState,
    Say,
    Slot,
    Step,
    either,
    for_caller,
    spoken_day,
    spoken_slot,
)

OFFERED = 3  # free times read out at once
ASK_TIME = "What day and time would suit you?"


def _local_text(moment: dt.datetime, state: DialogueState) -> str:
    """A time as the tool reads it unambiguously: "2026-12-07 15:00", the agent's zone."""
    return f"{moment.astimezone(state.zone):%Y-%m-%d %H:%M}"


def _check(booking: Booking, when: str, state: DialogueState) -> CallTool:
    state.step = Step.TIME
    booking.when = when
    return CallTool("check_availability", {"service": booking.service, "when": when})


def _schedule(booking: Booking, slot: Slot, state: DialogueState) -> CallTool:
    booking.wanted, booking.pending = slot.start, None
    booking.when = _local_text(slot.start, state)
    details = {k: v for k, v in state.user_info.items() if k in {"name", "email", "phone"} and v}
    arguments = {"service": booking.service, "start": booking.when, **details}
    return CallTool("schedule_appointment", arguments)


def _offer(booking: Booking) -> str:
    slots = booking.offered
    days = {slot.start.date() for slot in slots}
    if len(days) == 1:
        times = [slot.label.rsplit(" at ", 1)[-1] for slot in slots]
        return f"On {spoken_day(slots[0].start.date())} I have {either(times)}."
    return f"I have {either([slot.label for slot in slots])}."


def prompt(state: DialogueState) -> Say:
    """What to ask while booking (after a detail or an answer from the knowledge base)."""
    booking = state.booking or Booking()
    if state.step == Step.CONFIRM and booking.pending is not None:
        return Say(f"Shall I book {booking.pending.label}?")
    if state.step == Step.SERVICE:
        return Say("Which service would you like to book?")
    if booking.offered:
        return Say(f"{_offer(booking)} Which would you like?")
    return Say(ASK_TIME)


def reply(text: str, state: DialogueState) -> Action:
    """The caller's words while booking, or asking to book."""
    if not state.tools & {"check_availability", "schedule_appointment"}:
        state.booking = None
        return Say("I'm sorry, I can't book appointments on this line. Is there anything else?")
    booking = state.booking = state.booking or Booking()
    if intents.wants_booking(text) or state.step == Step.SERVICE or not booking.service:
        booking.service = text  # the tools find the service named in the caller's words
    if state.step == Step.CONFIRM and booking.pending is not None:
        if intents.is_yes(text):
            return _schedule(booking, booking.pending, state)
        if intents.is_no(text):
            booking.pending, state.step = None, Step.TIME
            return Say("No problem. Which time would suit you instead?")
    index = intents.picked(text)
    if index is not None and booking.offered and index < len(booking.offered):
        return _schedule(booking, booking.offered[index], state)
    heard = recognise.moment(
        intents.time_words(text), now=state.now(), timezone=state.timezone, language=state.language
    )
    if heard is None:
        if state.step == Step.SERVICE and booking.when:
            return _check(booking, booking.when, state)
        state.step = Step.TIME
        return prompt(state)
    carried = None if intents.names_a_day(text) else booking.day
    if heard.has_time:
        start = heard.start
        if carried is not None:
            start = dt.datetime.combine(carried, heard.start.timetz())
        booking.day, booking.wanted, booking.ambiguous = start.date(), start, heard.ambiguous
        for slot in booking.offered:
            if slot.start == start:
                return _schedule(booking, slot, state)
        return _check(booking, _local_text(start, state), state)
    # A day or part of a day: its free times.
    when = f"{carried:%Y-%m-%d} {text}" if carried is not None else text
    booking.day, booking.wanted = carried or heard.start.date(), None
    return _check(booking, when, state)


def _slots(result: dict[str, Any], key: str, state: DialogueState) -> list[Slot]:
    """The times a check_availability answer offers: each {"say", "start"}; the ISO start
    is what counts (said again in the caller's format), else the words are read back
    with the date parser."""
    slots = []
    for offered in result.get(key) or []:
        start = offered.get("start") if isinstance(offered, dict) else None
        if isinstance(start, str):
            moment = dt.datetime.fromisoformat(start).astimezone(state.zone)
            slots.append(Slot(moment, spoken_slot(moment, state)))
            continue
        label = str(offered.get("say") if isinstance(offered, dict) else offered)
        heard = recognise.moment(
            label, now=state.now(), timezone=state.timezone, language=state.language
        )
        if heard is not None:
            slots.append(Slot(heard.start, label))
    return slots


def on_availability(result: dict[str, Any], state: DialogueState) -> Action:
    booking = state.booking = state.booking or Booking()
    if result.get("ok") is False:
        error = str(result.get("error") or "")
        if "We offer" in error:  # the service was not recognised: the error lists them
            state.step = Step.SERVICE
            return Say(f"Which service would you like? {error[error.index('We offer') :]}")
        state.step = Step.TIME
        return Say(f"Sorry, {for_caller(error)} {ASK_TIME}")
    booking.service = str(result.get("service") or booking.service)
    refusal, booking.refusal = booking.refusal, ""
    state.step = Step.TIME
    if "requested" in result:
        wanted = booking.wanted
        if result.get("available") and wanted is not None and not refusal:
            slot = Slot(wanted, spoken_slot(wanted, state))
            # "at 3", or a time the tool doubts (a guessed year, a weekday that does not
            # match the date): say it back before booking.
            if booking.ambiguous or result.get("certain") is False:
                booking.pending, state.step = slot, Step.CONFIRM
                return Say(f"{slot.label} is free. Shall I book it?")
            return _schedule(booking, slot, state)
        free = [s for s in _slots(result, "alternatives", state) if s.start != wanted]
        if wanted is not None:
            target = wanted.astimezone(state.zone).time()
            free.sort(key=lambda s: abs(_minutes(s.start.time()) - _minutes(target)))
        booking.offered = sorted(free[:OFFERED], key=lambda s: s.start)
        asked = spoken_slot(wanted, state) if wanted is not None else "That time"
        reason = refusal or f"Sorry, {asked} is not available."
    else:
        booking.offered = _slots(result, "free_slots", state)[:OFFERED]
        reason = refusal
    if not booking.offered:
        return Say(f"{reason} I have nothing free then. Which other day would suit you?".strip())
    booking.day = booking.offered[0].start.date()
    nearest = "The nearest free times: " if reason else ""
    return Say(f"{reason} {nearest}{_offer(booking)} Which would you like?".strip())


def _minutes(time: dt.time) -> int:
    return time.hour * 60 + time.minute


def on_booked(result: dict[str, Any], state: DialogueState) -> Action | None:
    """A booking made (None: the caller is told, and the call goes on) or refused."""
    booking = state.booking = state.booking or Booking()
    if result.get("ok") is False:
        error = str(result.get("error") or "")
        if "We offer" in error:
            state.step = Step.SERVICE
            return Say(f"Which service would you like? {error[error.index('We offer') :]}")
        if booking.refusal or not booking.when:
            booking.refusal, state.step = "", Step.TIME
            return Say(f"Sorry, {for_caller(error)} {ASK_TIME}")
        # Refused (taken meanwhile, outside hours): say why, with the nearest free times.
        booking.refusal = f"Sorry, {for_caller(error)}"
        return _check(booking, booking.when, state)
    state.booking = None
    return None


def confirmation(result: dict[str, Any], state: DialogueState) -> str:
    appointment = result.get("appointment") or {}
    try:
        start = dt.datetime.fromisoformat(str(appointment.get("start")))
    except ValueError:
        return str(result.get("confirmation") or "Your appointment is booked.").rstrip(".") + "."
    return f"You're booked: {appointment.get('service')} on {spoken_slot(start, state)}."
