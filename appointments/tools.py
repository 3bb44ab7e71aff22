"""Tools of the appointments app: free slots, booking, rescheduling and cancelling.

Handlers only read the arguments, call one selector or service in the database thread
and shape the reply; the rules live in ``appointments.selectors`` and
``appointments.services``, shared with the admin and the API.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from channels.db import database_sync_to_async

from agents.selectors import ServiceNotFound
from appointments.freebusy import busy_prefetch
from appointments.models import Appointment
from appointments.selectors import appointment_payload, availability_find
from appointments.services import (
    BookingError,
    appointment_book_for_caller,
    appointment_cancel_for_caller,
    appointment_reschedule_for_caller,
)
from appointments.speech import spoken_time
from appointments.when import WhenError
from calls.realtime.config import ToolDeclaration
from calls.realtime.hooks import ToolContext
from calls.tool_registry import register
from contacts.services import ContactChanges
from contacts.tools import (
    CONFIRMED,
    FIELDS,
    confirmation_request,
    details_for,
    held_back,
    remember_details,
)

SLOTS_OFFERED = 6
# Errors whose message is meant for the caller: the model reads them out and asks again.
SPEAKABLE = (BookingError, ServiceNotFound, WhenError)
WHEN = {
    "type": "string",
    "description": "When, as the caller said it: 'tomorrow at 2 PM', 'next Tuesday morning', "
    "'the 3rd at half past ten', in the caller's language ('mañana a las tres', 'um halb "
    "vier'), or an ISO date/time (without an offset: the business's local time). Days in the "
    "past are refused.",
}
CALLER_KEYS = {
    "email": {"type": "string", "description": "Email the booking was made with."},
    "phone": {"type": "string", "description": "Phone number the booking was made with."},
}


async def _calendar_busy_ready(context: ToolContext) -> None:
    """The connected calendar's busy times, cached before the rules (which run in the
    database thread and only read the cache) look at them."""
    if context.extra.get("calendar_connected"):
        await busy_prefetch(agent_id=context.agent_id)


def _locale(context: ToolContext) -> str:
    """The agent's language and country, e.g. en-US (12-hour clock) or de-DE."""
    return f"{context.extra.get('language') or 'en'}-{context.extra.get('region') or 'US'}"


def _spoken(moment: dt.datetime, zone: str, locale: str) -> str:
    return spoken_time(moment, zone=zone, locale=locale)


def _slot(moment: dt.datetime, zone: str, locale: str) -> dict[str, str]:
    """A time offered to the caller: the words to say, and the ISO start to book with."""
    return {"say": _spoken(moment, zone, locale), "start": moment.isoformat()}


def _doubts(doubts: tuple[str, ...]) -> dict[str, Any]:
    return {"certain": not doubts, "doubts": list(doubts)}


@register(
    ToolDeclaration(
        name="check_availability",
        description=(
            "Find free appointment times for a service on a day or part of a day, or check "
            'one exact time. Example: {"service": "Consultation", "when": "next Tuesday morning"}.'
        ),
        parameters={
            "type": "object",
            "properties": {
                "service": {"type": "string", "description": "Service name."},
                "when": WHEN,
            },
            "required": ["service", "when"],
            "additionalProperties": False,
        },
        guidance="before offering or booking any time; offer two or three free times. When "
        "the result says certain: false, read the time back with its doubts (am or pm, the "
        "date or year) and let the caller confirm it before booking.",
    ),
    label="Check free appointment slots",
    order=30,
    filler="calendar",
)
async def check_availability(arguments: dict[str, Any], context: ToolContext) -> dict[str, Any]:
    await _calendar_busy_ready(context)
    try:
        found = await database_sync_to_async(availability_find)(
            agent_id=context.agent_id,
            service_name=str(arguments.get("service") or ""),
            when=str(arguments.get("when") or ""),
        )
    except SPEAKABLE as error:
        return {"ok": False, "error": str(error)}
    # For an exact time the selector puts the nearest first; they are read in order.
    chosen = sorted(found.slots[:SLOTS_OFFERED])
    offered = [_slot(slot, found.timezone, found.locale) for slot in chosen]
    if found.requested is not None:
        return {
            "ok": True,
            "service": found.service.name,
            "requested": _slot(found.requested, found.timezone, found.locale),
            "available": found.requested_free,
            **_doubts(found.doubts),
            "alternatives": offered,
        }
    return {
        "ok": True,
        "service": found.service.name,
        "free_slots": offered,
        **({"doubts": list(found.doubts)} if found.doubts else {}),
        "note": "Offer two or three of these (say); book with their start. Times are in "
        "the business's time zone.",
    }


@register(
    ToolDeclaration(
        name="schedule_appointment",
        description=(
            "Book a service at an exact time the caller confirmed. Pass their name, email "
            'and phone if known. Example: {"service": "Product demo", "start": '
            '"tomorrow at 2 PM", "name": "Ada Lovelace", "email": "ada@example.com"}.'
        ),
        parameters={
            "type": "object",
            "properties": {
                "service": {"type": "string", "description": "Service name."},
                "start": WHEN,
                **FIELDS,
                **CONFIRMED,
            },
            "required": ["service", "start"],
            "additionalProperties": False,
        },
        guidance="only after checking availability and the caller confirming service, day "
        "and time; pass the start of a free slot when one was chosen. If the result says "
        "certain: false, read the time back with its doubts and move it if the caller "
        "meant another; then read back the confirmation (service, day, date, time).",
    ),
    label="Book appointments",
    order=31,
    filler="calendar",
)
async def schedule_appointment(arguments: dict[str, Any], context: ToolContext) -> dict[str, Any]:
    given = details_for(arguments, context)
    if given.problems:
        return {"ok": False, "error": " ".join(given.problems)}
    # A doubtful email or phone is not booked with (nor invited) until the caller's yes.
    held = held_back(given, arguments, context)
    details = {k: v for k, v in given.values.items() if k not in held}
    await _calendar_busy_ready(context)
    try:
        booking = await database_sync_to_async(appointment_book_for_caller)(
            agent_id=context.agent_id,
            service_name=str(arguments.get("service") or ""),
            start=str(arguments.get("start") or ""),
            details=ContactChanges(**details),
            call_id=context.call_id,
            contact_id=context.extra.get("contact_id"),
        )
    except SPEAKABLE as error:
        return {"ok": False, "error": str(error)}
    if booking.contact is not None:
        context.extra["contact_id"] = booking.contact.pk
    if details:
        await remember_details(context, details)
    appointment = booking.appointment
    payload = appointment_payload(appointment)
    await context.send_to_client({"type": "appointment", "appointment": payload})
    spoken = _spoken(appointment.start_at, appointment.timezone, _locale(context))
    return {
        "ok": True,
        "appointment": payload,
        "confirmation": f"{appointment.service_name} on {spoken} ({appointment.timezone}), "
        f"{_minutes(appointment)} minutes.",
        "ambiguous_time": booking.ambiguous_time,
        **_doubts(booking.doubts),
        "next": "Read the confirmation back to the caller"
        + ("." if booking.certain else ", asking them to confirm the time (see doubts)."),
    } | {
        # The booking's own "next" stands; the contact's doubts come with it.
        key: value
        for key, value in confirmation_request(given, held).items()
        if key != "next"
    }


def _minutes(appointment: Appointment) -> int:
    return round((appointment.end_at - appointment.start_at).total_seconds() / 60)


@register(
    ToolDeclaration(
        name="reschedule_appointment",
        description="Move the caller's next appointment (found by email or phone) to a new time.",
        parameters={
            "type": "object",
            "properties": {**CALLER_KEYS, "new_start": WHEN},
            "required": ["new_start"],
            "additionalProperties": False,
        },
        guidance="check the new time is free first (check_availability; confirm it when "
        "that says certain: false), and confirm the change with the caller.",
    ),
    label="Move a caller's appointment",
    order=32,
    filler="calendar",
)
async def reschedule_appointment(arguments: dict[str, Any], context: ToolContext) -> dict[str, Any]:
    await _calendar_busy_ready(context)
    return await _change(arguments, context, str(arguments.get("new_start") or ""))


@register(
    ToolDeclaration(
        name="cancel_appointment",
        description="Cancel the caller's next appointment, found by their email or phone.",
        parameters={"type": "object", "properties": CALLER_KEYS, "additionalProperties": False},
        guidance="only after the caller confirmed they want to cancel.",
    ),
    label="Cancel a caller's appointment",
    order=33,
    filler="calendar",
)
async def cancel_appointment(arguments: dict[str, Any], context: ToolContext) -> dict[str, Any]:
    return await _change(arguments, context, None)


async def _change(
    arguments: dict[str, Any], context: ToolContext, new_start: str | None
) -> dict[str, Any]:
    details, problems, _ = details_for({k: arguments.get(k) for k in ("email", "phone")}, context)
    if problems:
        return {"ok": False, "error": " ".join(problems)}
    caller = {"email": details.get("email", ""), "phone": details.get("phone", "")}
    try:
        if new_start is None:
            appointment = await database_sync_to_async(appointment_cancel_for_caller)(
                agent_id=context.agent_id, **caller
            )
            when = _spoken(appointment.start_at, appointment.timezone, _locale(context))
            message = f"The {appointment.service_name} on {when} is cancelled."
        else:
            appointment = await database_sync_to_async(appointment_reschedule_for_caller)(
                agent_id=context.agent_id, start=new_start, **caller
            )
            spoken = _spoken(appointment.start_at, appointment.timezone, _locale(context))
            message = f"Moved to {spoken}."
    except SPEAKABLE as error:
        return {"ok": False, "error": str(error)}
    payload = appointment_payload(appointment)
    await context.send_to_client({"type": "appointment", "appointment": payload})
    return {"ok": True, "appointment": payload, "confirmation": message}
