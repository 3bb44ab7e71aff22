"""Booking tools: free slots, booking, rescheduling and cancelling appointments."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from channels.db import database_sync_to_async
from django.db.models import Q
from django.utils import timezone

from agents.models import Agent, Service
from appointments.availability import free_slots
from appointments.models import Appointment, AppointmentStatus
from appointments.services import (
    BookingError,
    appointment_book,
    appointment_cancel,
    appointment_payload,
    appointment_reschedule,
)
from appointments.when import WhenError, parse_when
from calls.realtime.config import ToolDeclaration
from calls.realtime.hooks import ToolContext
from calls.tools import register
from calls.tools.contact import FIELDS, normalised_details, remember_details
from contacts.models import Contact
from contacts.services import ContactChanges, contact_upsert

SLOTS_OFFERED = 6
WHEN = {
    "type": "string",
    "description": "When, as the caller said it: 'tomorrow at 2 PM', 'next Tuesday morning', "
    "'the 3rd at half past ten', or an ISO date/time.",
}


def _service(agent: Agent, name: str) -> Service:
    services = list(agent.services.filter(is_active=True))
    wanted = name.strip().lower()
    for service in services:
        if service.name.lower() == wanted:
            return service
    matches = [
        s for s in services if wanted and (wanted in s.name.lower() or s.name.lower() in wanted)
    ]
    if len(matches) == 1:
        return matches[0]
    offered = ", ".join(f"{s.name} ({s.duration_minutes} min)" for s in services)
    raise BookingError(f"'{name}' is not a service we offer. We offer: {offered}.")


def _spoken(moment: dt.datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%A %d %B at %H:%M}"


def _check(agent_id: int, service_name: str, when_text: str) -> dict[str, Any]:
    agent = Agent.objects.prefetch_related("business_hours", "services").get(pk=agent_id)
    service = _service(agent, service_name)
    when = parse_when(when_text, now=timezone.now(), timezone=agent.timezone)
    start = when.start if when.end else when.start.replace(hour=0, minute=0)
    end = when.end or when.start.replace(hour=0, minute=0) + dt.timedelta(days=1)
    if not when.end and when.has_time:
        # A precise time: is it free, and if not, what is near it that day?
        slots = free_slots(agent=agent, service=service, start=start, end=end)
        exact = [s for s in slots if s == when.start]
        return {
            "ok": True,
            "service": service.name,
            "requested": _spoken(when.start, agent.timezone),
            "available": bool(exact),
            "alternatives": [_spoken(s, agent.timezone) for s in slots[:SLOTS_OFFERED]],
        }
    slots = free_slots(agent=agent, service=service, start=start, end=end)
    if not slots:  # nothing that day or part of it: look ahead a week
        slots = free_slots(agent=agent, service=service, start=end, end=end + dt.timedelta(days=7))
    return {
        "ok": True,
        "service": service.name,
        "free_slots": [_spoken(s, agent.timezone) for s in slots[:SLOTS_OFFERED]],
        "note": "Offer two or three of these; times are in the business's time zone.",
    }


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
        guidance="before offering or booking any time; offer two or three free times.",
    )
)
async def check_availability(arguments: dict[str, Any], context: ToolContext) -> dict[str, Any]:
    try:
        return await database_sync_to_async(_check)(
            context.agent_id, str(arguments.get("service") or ""), str(arguments.get("when") or "")
        )
    except (BookingError, WhenError) as error:
        return {"ok": False, "error": str(error)}


def _book(
    context: ToolContext, arguments: dict[str, Any], details: dict[str, str]
) -> dict[str, Any]:
    agent = (
        Agent.objects.select_related("calendar_connection")
        .prefetch_related("business_hours", "services")
        .get(pk=context.agent_id)
    )
    service = _service(agent, str(arguments.get("service") or ""))
    when = parse_when(
        str(arguments.get("start") or ""), now=timezone.now(), timezone=agent.timezone
    )
    if not when.has_time:
        raise BookingError("Ask for an exact time; check_availability lists free ones.")
    contact = None
    if details.get("email") or details.get("phone"):
        contact, _ = contact_upsert(
            owner_id=agent.owner_id,
            agent_id=agent.pk,
            changes=ContactChanges(**details),
            call_id=context.call_id,
            contact_id=context.extra.get("contact_id"),
        )
        context.extra["contact_id"] = contact.pk
    elif context.extra.get("contact_id"):
        contact = Contact.objects.filter(pk=context.extra["contact_id"]).first()
    appointment, _ = appointment_book(
        agent=agent, service=service, start=when.start, contact=contact, call_id=context.call_id
    )
    # With tasks run in-process the calendar step has already happened; report what is true.
    appointment.refresh_from_db()
    return {
        "ok": True,
        "appointment": appointment_payload(appointment),
        "confirmation": f"{service.name} on {_spoken(appointment.start_at, agent.timezone)} "
        f"({agent.timezone}), {service.duration_minutes} minutes.",
        "ambiguous_time": when.ambiguous,
        "next": "Read the confirmation back to the caller.",
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
            },
            "required": ["service", "start"],
            "additionalProperties": False,
        },
        guidance="only after checking availability and the caller confirming service, day "
        "and time; then read back the confirmation (service, day, date, time).",
    )
)
async def schedule_appointment(arguments: dict[str, Any], context: ToolContext) -> dict[str, Any]:
    details, problems = normalised_details(arguments, context.extra.get("region", "US"))
    if problems:
        return {"ok": False, "error": " ".join(problems)}
    try:
        result = await database_sync_to_async(_book)(context, arguments, details)
    except (BookingError, WhenError) as error:
        return {"ok": False, "error": str(error)}
    if details:
        await remember_details(context, details)
    await context.send_to_client({"type": "appointment", "appointment": result["appointment"]})
    return result


def _caller_appointment(agent_id: int, email: str, phone: str) -> Appointment:
    matches = Q()
    if email:
        matches |= Q(contact__email__iexact=email)
    if phone:
        matches |= Q(contact__phone=phone)
    if not matches:
        raise BookingError("Ask for the email address or phone number the booking was made with.")
    appointment = (
        Appointment.objects.filter(
            matches,
            agent_id=agent_id,
            status__in=[AppointmentStatus.PENDING, AppointmentStatus.CONFIRMED],
            start_at__gt=timezone.now(),
        )
        .select_related("agent", "service")
        .order_by("start_at")
        .first()
    )
    if appointment is None:
        raise BookingError("No upcoming appointment was found for those details.")
    return appointment


def _change(context: ToolContext, details: dict[str, str], new_start: str | None) -> dict[str, Any]:
    appointment = _caller_appointment(
        context.agent_id, details.get("email", ""), details.get("phone", "")
    )
    if new_start is None:
        appointment = appointment_cancel(appointment=appointment)
        when_text = _spoken(appointment.start_at, appointment.timezone)
        message = f"The {appointment.service_name} on {when_text} is cancelled."
    else:
        when = parse_when(new_start, now=timezone.now(), timezone=appointment.timezone)
        if not when.has_time:
            raise BookingError("Ask for an exact new time; check_availability lists free ones.")
        appointment = appointment_reschedule(appointment=appointment, start=when.start)
        message = f"Moved to {_spoken(appointment.start_at, appointment.timezone)}."
    return {"ok": True, "appointment": appointment_payload(appointment), "confirmation": message}


CALLER_KEYS = {
    "email": {"type": "string", "description": "Email the booking was made with."},
    "phone": {"type": "string", "description": "Phone number the booking was made with."},
}


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
        guidance="check the new time is free first, and confirm the change with the caller.",
    )
)
async def reschedule_appointment(arguments: dict[str, Any], context: ToolContext) -> dict[str, Any]:
    return await _change_tool(arguments, context, str(arguments.get("new_start") or ""))


@register(
    ToolDeclaration(
        name="cancel_appointment",
        description="Cancel the caller's next appointment, found by their email or phone.",
        parameters={"type": "object", "properties": CALLER_KEYS, "additionalProperties": False},
        guidance="only after the caller confirmed they want to cancel.",
    )
)
async def cancel_appointment(arguments: dict[str, Any], context: ToolContext) -> dict[str, Any]:
    return await _change_tool(arguments, context, None)


async def _change_tool(
    arguments: dict[str, Any], context: ToolContext, new_start: str | None
) -> dict[str, Any]:
    details, problems = normalised_details(
        {k: arguments.get(k) for k in ("email", "phone")}, context.extra.get("region", "US")
    )
    if problems:
        return {"ok": False, "error": " ".join(problems)}
    try:
        result = await database_sync_to_async(_change)(context, details, new_start)
    except (BookingError, WhenError) as error:
        return {"ok": False, "error": str(error)}
    await context.send_to_client({"type": "appointment", "appointment": result["appointment"]})
    return result
