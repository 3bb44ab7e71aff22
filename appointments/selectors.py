"""Reads of appointments and calendar connections, scoped to who is asking."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from agents.models import Agent, Service
from agents.selectors import service_find
from appointments.availability import free_slots
from appointments.models import Appointment, AppointmentStatus, CalendarConnection
from appointments.when import parse_when
from appointments.when.types import RANGE_DOUBT
from voiceagent.links import stored_url
from voiceagent.selectors import owned_by


def appointments_for_user(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Appointment]:
    appointments = Appointment.objects.select_related("agent", "contact", "service")
    return owned_by(appointments, user=user, owner_lookup="agent__owner")


def calendar_connections_for_user(
    *, user: AbstractBaseUser | AnonymousUser
) -> QuerySet[CalendarConnection]:
    connections = CalendarConnection.objects.select_related("owner")
    return owned_by(connections, user=user, owner_lookup="owner")


@dataclass(frozen=True)
class Availability:
    """Free slots of a service for a time a caller asked about (in UTC; ``timezone`` is
    the business's zone, for reading them out). For an exact time, ``slots`` are those
    of that day (or of the next day with room) nearest it first; else in order."""

    service: Service
    timezone: str
    slots: list[dt.datetime]
    requested: dt.datetime | None = None  # an exact time was asked for
    requested_free: bool = False
    locale: str = "en-US"  # how times are read out (12- or 24-hour, day and month names)
    doubts: tuple[str, ...] = ()  # why the time asked about may not be what was meant


def availability_find(
    *, agent_id: int, service_name: str, when: str, now: dt.datetime | None = None
) -> Availability:
    """Free slots of the agent's service ``service_name`` for ``when`` as a caller says
    it ("tomorrow at 2 PM", "next Tuesday morning", ISO). An exact time: whether it is
    free and the free slots of that day; a day or part of one: its free slots, or those
    of the week after when it has none. Raises ``ServiceNotFound`` or ``WhenError``
    (messages a caller can be told)."""
    agent = Agent.objects.prefetch_related("business_hours", "services").get(pk=agent_id)
    service = service_find(agent=agent, name=service_name)
    parsed = parse_when(
        when,
        now=now or timezone.now(),
        timezone=agent.timezone,
        language=agent.language_code,
    )
    locale = agent.locale
    start = parsed.start if parsed.end else parsed.start.replace(hour=0, minute=0)
    end = parsed.end or parsed.start.replace(hour=0, minute=0) + dt.timedelta(days=1)
    slots = free_slots(agent=agent, service=service, start=start, end=end, now=now)
    if not parsed.end and parsed.has_time:
        # A precise time: is it free, and if not, what is nearest it that day, or at the
        # same time of day on the next day with room (a closed or full day)?
        requested_free = parsed.start in slots
        target = parsed.start
        if not slots:
            ahead = free_slots(
                agent=agent, service=service, start=end, end=end + dt.timedelta(days=7), now=now
            )
            zone = ZoneInfo(agent.timezone)
            if ahead:
                day = ahead[0].astimezone(zone).date()
                slots = [s for s in ahead if s.astimezone(zone).date() == day]
                target = dt.datetime.combine(day, parsed.start.astimezone(zone).timetz())
        return Availability(
            service=service,
            timezone=agent.timezone,
            slots=sorted(slots, key=lambda slot: (abs(slot - target), slot)),
            requested=parsed.start,
            requested_free=requested_free,
            locale=locale,
            doubts=parsed.doubts,
        )
    if not slots:  # nothing that day or part of it: look ahead a week
        slots = free_slots(
            agent=agent, service=service, start=end, end=end + dt.timedelta(days=7), now=now
        )
    return Availability(
        service=service,
        timezone=agent.timezone,
        slots=slots,
        locale=locale,
        # A range is what was asked for here; the other doubts still need confirming.
        doubts=tuple(doubt for doubt in parsed.doubts if doubt != RANGE_DOUBT),
    )


def appointment_next_for_caller(
    *, agent_id: int, email: str = "", phone: str = "", now: dt.datetime | None = None
) -> Appointment | None:
    """The caller's next upcoming (pending or confirmed) appointment with the agent,
    found by the email (any case) or phone number it was booked with."""
    matches = Q()
    if email:
        matches |= Q(contact__email__iexact=email)
    if phone:
        matches |= Q(contact__phone=phone)
    if not matches:
        return None
    return (
        Appointment.objects.filter(
            matches,
            agent_id=agent_id,
            status__in=[AppointmentStatus.PENDING, AppointmentStatus.CONFIRMED],
            start_at__gt=now or timezone.now(),
        )
        .select_related("agent", "service")
        .order_by("start_at")
        .first()
    )


def appointment_payload(appointment: Appointment) -> dict[str, object]:
    """The `appointment` message body of docs/protocol.md."""
    return {
        "id": str(appointment.pk),
        "service": appointment.service_name,
        "start": appointment.start_at.isoformat(),
        "end": appointment.end_at.isoformat(),
        "timezone": appointment.timezone,
        "status": appointment.status,
        "provider": appointment.provider,
        "calendar_link": appointment.calendar_link or None,
        "meeting_link": appointment.meeting_link or None,
        "ics_url": stored_url(reverse("appointment-ics", args=[appointment.pk])),
    }
