"""Writes to appointments and calendar connections."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.db import IntegrityError, transaction

from agents.models import Agent, Service
from appointments.availability import slot_problem
from appointments.models import (
    Appointment,
    AppointmentStatus,
    CalendarConnection,
    CalendarProvider,
)
from contacts.models import Contact, ContactStatus

logger = logging.getLogger(__name__)


def calendar_connections_reencrypt() -> int:
    """Re-encrypts every stored token with the first key of FIELD_ENCRYPTION_KEY.

    Run after putting a new key first in the list; once it has run, the old keys
    can be removed. Returns the number of connections re-encrypted.
    """
    count = 0
    for pk in CalendarConnection.objects.filter(token_data__isnull=False).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            connection = CalendarConnection.objects.select_for_update().get(pk=pk)
            # Loading decrypts with whichever key matches; saving encrypts with the first.
            connection.save(update_fields=["token_data"])
        count += 1
    logger.info("Re-encrypted the tokens of %d calendar connections", count)
    return count


class BookingError(Exception):
    """A booking that cannot be made; the message can be read to the caller."""


def _idempotency_key(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:64]


def appointment_book(
    *,
    agent: Agent,
    service: Service,
    start: dt.datetime,
    contact: Contact | None = None,
    call_id: str | None = None,
    now: dt.datetime | None = None,
) -> tuple[Appointment, bool]:
    """Books ``service`` at ``start`` if it is free; returns (appointment, created).

    Bookings of one agent are serialised by locking the agent row, so two calls
    racing for one slot cannot both win; the unique (agent, start) constraint is
    the last line of defence. The same call booking the same slot again gets the
    existing appointment back. The calendar event is created after commit.
    """
    key = _idempotency_key(agent.pk, service.pk, start.isoformat(), call_id or "")
    with transaction.atomic():
        Agent.objects.select_for_update().filter(pk=agent.pk).first()
        existing = Appointment.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing, False
        problem = slot_problem(agent=agent, service=service, start=start, now=now)
        if problem:
            raise BookingError(problem)
        provider = (
            agent.calendar_connection.provider
            if agent.calendar_connection_id is not None and agent.calendar_connection
            else CalendarProvider.LOCAL
        )
        try:
            with transaction.atomic():
                appointment = Appointment.objects.create(
                    agent=agent,
                    service=service,
                    service_name=service.name,
                    contact=contact,
                    call_id=call_id,
                    start_at=start,
                    end_at=start + dt.timedelta(minutes=service.duration_minutes),
                    timezone=agent.timezone,
                    provider=provider,
                    idempotency_key=key,
                )
        except IntegrityError:
            raise BookingError("That time was just booked by someone else.") from None
        if contact is not None:
            Contact.objects.filter(pk=contact.pk).update(status=ContactStatus.BOOKED)
        transaction.on_commit(lambda: _calendar_sync_later(appointment.pk))
    return appointment, True


def _calendar_sync_later(appointment_id: object) -> None:
    from appointments.tasks import appointment_calendar_sync_task

    appointment_calendar_sync_task.delay(str(appointment_id))


@transaction.atomic
def appointment_reschedule(
    *, appointment: Appointment, start: dt.datetime, now: dt.datetime | None = None
) -> Appointment:
    Agent.objects.select_for_update().filter(pk=appointment.agent_id).first()
    locked = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("agent", "service")
        .get(pk=appointment.pk)
    )
    if locked.status not in (AppointmentStatus.PENDING, AppointmentStatus.CONFIRMED):
        raise BookingError("That appointment is cancelled and cannot be moved.")
    if locked.service is None:
        raise BookingError("That service is no longer offered; book a new appointment.")
    problem = slot_problem(
        agent=locked.agent, service=locked.service, start=start, now=now, exclude_id=locked.pk
    )
    if problem:
        raise BookingError(problem)
    locked.start_at = start
    locked.end_at = start + dt.timedelta(minutes=locked.service.duration_minutes)
    locked.status = AppointmentStatus.PENDING
    locked.save(update_fields=["start_at", "end_at", "status", "updated_at"])
    transaction.on_commit(lambda: _calendar_sync_later(locked.pk))
    return locked


@transaction.atomic
def appointment_cancel(*, appointment: Appointment) -> Appointment:
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if locked.status != AppointmentStatus.CANCELLED:
        locked.status = AppointmentStatus.CANCELLED
        locked.save(update_fields=["status", "updated_at"])
        transaction.on_commit(lambda: _calendar_sync_later(locked.pk))
    return locked


def appointment_calendar_sync(*, appointment_id: str) -> Appointment | None:
    """Brings the calendar in line with the appointment, then tells the caller if live.

    Local appointments (no connected calendar) are confirmed at once: the .ics
    link is their calendar entry. Google and Microsoft events arrive with the
    calendar issue; until then such bookings stay pending.
    """
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().filter(pk=appointment_id).first()
        if appointment is None:
            return None
        if (
            appointment.provider == CalendarProvider.LOCAL
            and appointment.status == AppointmentStatus.PENDING
        ):
            appointment.status = AppointmentStatus.CONFIRMED
            appointment.save(update_fields=["status", "updated_at"])
    if appointment.call_id:
        from calls.services import call_client_message_send

        call_client_message_send(
            call_id=str(appointment.call_id),
            message={"type": "appointment", "appointment": appointment_payload(appointment)},
        )
    return appointment


def appointment_payload(appointment: Appointment) -> dict[str, object]:
    """The `appointment` message body of docs/protocol.md."""
    from django.conf import settings
    from django.urls import reverse

    return {
        "id": str(appointment.pk),
        "service": appointment.service_name,
        "start": appointment.start_at.isoformat(),
        "end": appointment.end_at.isoformat(),
        "timezone": appointment.timezone,
        "status": appointment.status,
        "provider": appointment.provider,
        "calendar_link": appointment.calendar_link or None,
        "ics_url": settings.PUBLIC_BASE_URL + reverse("appointment-ics", args=[appointment.pk]),
    }
