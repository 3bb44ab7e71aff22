"""Free appointment slots: business hours, service length, bookings and calendar busy times."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.utils import timezone

from agents.models import Agent, Service
from appointments.models import Appointment, AppointmentStatus
from appointments.speech import spoken_time

logger = logging.getLogger(__name__)

SLOT_STEP = dt.timedelta(minutes=15)
MIN_LEAD_TIME = dt.timedelta(minutes=30)  # no bookings starting sooner than this
LIVE_STATUSES = (AppointmentStatus.PENDING, AppointmentStatus.CONFIRMED)

Period = tuple[dt.datetime, dt.datetime]


def _busy_key(connection_id: int) -> str:
    return f"calendar-busy:{connection_id}"


def busy_cache_store(
    *, connection_id: int, start: dt.datetime, end: dt.datetime, periods: list[Period], ttl: int
) -> None:
    cache.set(
        _busy_key(connection_id),
        {"start": start, "end": end, "periods": [(s, e) for s, e in periods]},
        ttl,
    )


def busy_cache_fresh(*, connection_id: int, start: dt.datetime, end: dt.datetime) -> bool:
    entry = cache.get(_busy_key(connection_id))
    return entry is not None and entry["start"] <= start and end <= entry["end"]


def calendar_busy(*, agent: Agent, start: dt.datetime, end: dt.datetime) -> list[Period]:
    """Busy periods of the agent's connected calendar, as last fetched.

    Only the cache is read here (this runs in the database thread every call shares):
    ``appointments.freebusy.busy_prefetch`` fills it from the provider, with a timeout,
    before the booking tools ask. Without a fetch covering the window, bookings in our
    own database are the calendar, and the log says so.
    """
    if agent.calendar_connection_id is None:
        return []
    entry = cache.get(_busy_key(agent.calendar_connection_id))
    if entry is None or not (entry["start"] <= start and end <= entry["end"]):
        logger.info(
            "No calendar free/busy for agent %s from %s to %s; using local bookings only",
            agent.pk,
            start.isoformat(),
            end.isoformat(),
        )
        return []
    return [(s, e) for s, e in entry["periods"] if s < end and start < e]


def booked_periods(
    *, agent: Agent, start: dt.datetime, end: dt.datetime, exclude_id: uuid.UUID | None = None
) -> list[Period]:
    bookings = Appointment.objects.filter(
        agent=agent, status__in=LIVE_STATUSES, start_at__lt=end, end_at__gt=start
    )
    if exclude_id is not None:
        bookings = bookings.exclude(pk=exclude_id)
    return list(bookings.values_list("start_at", "end_at"))


def _overlaps(start: dt.datetime, end: dt.datetime, periods: Iterable[Period]) -> bool:
    return any(start < busy_end and busy_start < end for busy_start, busy_end in periods)


def opening_periods(*, agent: Agent, day: dt.date) -> list[Period]:
    zone = ZoneInfo(agent.timezone)
    return [
        (
            dt.datetime.combine(day, hours.opens_at, zone),
            dt.datetime.combine(day, hours.closes_at, zone),
        )
        for hours in agent.business_hours.all()
        if hours.weekday == day.weekday()
    ]


def free_slots(
    *,
    agent: Agent,
    service: Service,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime | None = None,
    limit: int = 50,
    exclude_id: uuid.UUID | None = None,
) -> list[dt.datetime]:
    """Start times in [start, end) where ``service`` fits inside business hours and
    overlaps no booking and no calendar busy time."""
    now = now or timezone.now()
    earliest = max(start, now + MIN_LEAD_TIME)
    duration = dt.timedelta(minutes=service.duration_minutes)
    busy = booked_periods(agent=agent, start=start, end=end + duration, exclude_id=exclude_id)
    busy += calendar_busy(agent=agent, start=start, end=end + duration)
    zone = ZoneInfo(agent.timezone)
    slots: list[dt.datetime] = []
    day = start.astimezone(zone).date()
    last_day = end.astimezone(zone).date()
    while day <= last_day and len(slots) < limit:
        for opens, closes in opening_periods(agent=agent, day=day):
            slot = opens
            while slot + duration <= closes and len(slots) < limit:
                if earliest <= slot < end and not _overlaps(slot, slot + duration, busy):
                    slots.append(slot)
                slot += SLOT_STEP
        day += dt.timedelta(days=1)
    return slots


def slot_problem(
    *,
    agent: Agent,
    service: Service,
    start: dt.datetime,
    now: dt.datetime | None = None,
    exclude_id: uuid.UUID | None = None,
) -> str | None:
    """Why ``start`` cannot be booked, or None when it can."""
    now = now or timezone.now()
    end = start + dt.timedelta(minutes=service.duration_minutes)
    if start < now + MIN_LEAD_TIME:
        return "That time is too soon or in the past."
    local = start.astimezone(ZoneInfo(agent.timezone))
    if not any(
        opens <= start and end <= closes
        for opens, closes in opening_periods(agent=agent, day=local.date())
    ):
        minutes = service.duration_minutes
        said = spoken_time(start, zone=agent.timezone, locale=agent.locale)
        return f"{said} is outside business hours for a {minutes}-minute {service.name}."
    busy = booked_periods(agent=agent, start=start, end=end, exclude_id=exclude_id)
    busy += calendar_busy(agent=agent, start=start, end=end)
    if _overlaps(start, end, busy):
        return "That time is already booked."
    return None
