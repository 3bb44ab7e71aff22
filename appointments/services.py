"""Writes to appointments and calendar connections."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from agents.models import Agent, Service
from agents.selectors import service_find
from appointments.availability import slot_problem
from appointments.calendar_services import calendar_sync_after_commit
from appointments.models import (
    Appointment,
    AppointmentStatus,
    CalendarConnection,
    CalendarProvider,
)
from appointments.selectors import appointment_next_for_caller
from appointments.when import parse_when
from calls.services import call_contact_save
from contacts.models import Contact, ContactStatus
from contacts.services import ContactChanges, contact_upsert
from notifications.services import appointment_event_enqueue

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
    request_key: str = "",
    now: dt.datetime | None = None,
) -> tuple[Appointment, bool]:
    """Books ``service`` at ``start`` if it is free; returns (appointment, created).

    A repeat of the same booking (same call, or same ``request_key``: an API client's
    Idempotency-Key) returns the first appointment instead of a second one.

    Bookings of one agent are serialised by locking the agent row, so two calls
    racing for one slot cannot both win; the unique (agent, start) constraint is
    the last line of defence. The same call booking the same slot again gets the
    existing appointment back. The calendar event is created after commit.
    """
    parts: list[object] = [agent.pk, service.pk, start.isoformat(), call_id or ""]
    if request_key:  # appended only when given: the keys of earlier bookings stay the same
        parts.append(request_key)
    key = _idempotency_key(*parts)
    with transaction.atomic():
        Agent.objects.select_for_update(no_key=True).filter(pk=agent.pk).first()
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
        # Local bookings have no calendar to wait for: the .ics link is their event.
        local = provider == CalendarProvider.LOCAL
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
                    status=AppointmentStatus.CONFIRMED if local else AppointmentStatus.PENDING,
                    idempotency_key=key,
                )
        except IntegrityError:
            raise BookingError("That time was just booked by someone else.") from None
        if contact is not None:
            Contact.objects.filter(pk=contact.pk).update(status=ContactStatus.BOOKED)
        if local:
            appointment_event_enqueue(appointment=appointment, event="appointment.confirmed")
        else:
            calendar_sync_after_commit(appointment.pk)
    return appointment, True


@dataclass(frozen=True)
class CallerBooking:
    appointment: Appointment
    contact: Contact | None
    ambiguous_time: bool  # the time was read one way of two ("at 2" as 2 PM)
    doubts: tuple[str, ...] = ()  # why the time as read may not be what was meant

    @property
    def certain(self) -> bool:
        return not (self.ambiguous_time or self.doubts)


def appointment_book_for_caller(
    *,
    agent_id: int,
    service_name: str,
    start: dt.datetime | str,
    details: ContactChanges | None = None,
    call_id: str | None = None,
    contact_id: int | None = None,
    request_key: str = "",
    now: dt.datetime | None = None,
) -> CallerBooking:
    """Books the agent's service ``service_name`` (as a caller names it) at ``start``
    (a datetime, or a time as said or ISO, read in the agent's zone) for a caller.

    With an email or phone in ``details`` (normalised) the caller is saved as a contact
    first (and linked to ``call_id``), else the contact ``contact_id`` is booked for. The
    contact and the appointment are one transaction: a booking that fails (slot taken,
    outside hours) leaves no contact behind. Raises ``BookingError``,
    ``agents.selectors.ServiceNotFound`` or ``appointments.when.WhenError``, whose
    messages can be read to the caller. The calendar step runs after commit.
    """
    agent = (
        Agent.objects.select_related("calendar_connection")
        .prefetch_related("business_hours", "services")
        .get(pk=agent_id)
    )
    service = service_find(agent=agent, name=service_name)
    ambiguous = False
    doubts: tuple[str, ...] = ()
    if isinstance(start, str):
        when = parse_when(
            start,
            now=now or timezone.now(),
            timezone=agent.timezone,
            language=agent.language_code,
        )
        if not when.has_time:
            raise BookingError("Ask for an exact time; check_availability lists free ones.")
        start, ambiguous, doubts = when.start, when.ambiguous, when.doubts
    with transaction.atomic():
        # The agent first, as appointment_book locks it: a contact locked before the agent
        # would invert the order and let two processes deadlock (PostgreSQL).
        Agent.objects.select_for_update(no_key=True).filter(pk=agent.pk).first()
        contact = None
        if details is not None and (details.email or details.phone):
            if call_id:
                contact, _ = call_contact_save(
                    call_id=call_id,
                    owner_id=agent.owner_id,
                    agent_id=agent.pk,
                    changes=details,
                    contact_id=contact_id,
                )
            else:
                contact, _ = contact_upsert(
                    owner_id=agent.owner_id,
                    agent_id=agent.pk,
                    changes=details,
                    contact_id=contact_id,
                )
        elif contact_id is not None:
            contact = Contact.objects.filter(pk=contact_id, owner_id=agent.owner_id).first()
        appointment, _ = appointment_book(
            agent=agent,
            service=service,
            start=start,
            contact=contact,
            call_id=call_id,
            request_key=request_key,
            now=now,
        )
    return CallerBooking(
        appointment=appointment, contact=contact, ambiguous_time=ambiguous, doubts=doubts
    )


def _caller_appointment(agent_id: int, email: str, phone: str) -> Appointment:
    if not (email or phone):
        raise BookingError("Ask for the email address or phone number the booking was made with.")
    appointment = appointment_next_for_caller(agent_id=agent_id, email=email, phone=phone)
    if appointment is None:
        raise BookingError("No upcoming appointment was found for those details.")
    return appointment


@transaction.atomic
def appointment_reschedule_for_caller(
    *, agent_id: int, start: dt.datetime | str, email: str = "", phone: str = ""
) -> Appointment:
    """Moves the caller's next appointment (found by email or phone, normalised) to
    ``start`` (a datetime, or a time as said, read in the appointment's zone)."""
    appointment = _caller_appointment(agent_id, email, phone)
    if isinstance(start, str):
        when = parse_when(
            start,
            now=timezone.now(),
            timezone=appointment.timezone,
            language=appointment.agent.language_code,
        )
        if not when.has_time:
            raise BookingError("Ask for an exact new time; check_availability lists free ones.")
        start = when.start
    return appointment_reschedule(appointment=appointment, start=start)


@transaction.atomic
def appointment_cancel_for_caller(
    *, agent_id: int, email: str = "", phone: str = ""
) -> Appointment:
    """Cancels the caller's next appointment, found by email or phone (normalised)."""
    return appointment_cancel(appointment=_caller_appointment(agent_id, email, phone))


@transaction.atomic
def appointment_reschedule(
    *, appointment: Appointment, start: dt.datetime, now: dt.datetime | None = None
) -> Appointment:
    Agent.objects.select_for_update(no_key=True).filter(pk=appointment.agent_id).first()
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
    locked.sync_attempts, locked.sync_next_attempt_at = 0, None
    locked.revision += 1  # a new version: its confirmation is news, even back at an old time
    fields = [
        "start_at",
        "end_at",
        "sync_attempts",
        "sync_next_attempt_at",
        "revision",
        "updated_at",
    ]
    if locked.provider == CalendarProvider.LOCAL:
        locked.status = AppointmentStatus.CONFIRMED
        locked.save(update_fields=[*fields, "status"])
        appointment_event_enqueue(appointment=locked, event="appointment.confirmed")
    else:
        # Confirmed again once the provider has moved the event.
        locked.status = AppointmentStatus.PENDING
        locked.save(update_fields=[*fields, "status"])
        calendar_sync_after_commit(locked.pk)
    return locked


@transaction.atomic
def appointment_cancel(*, appointment: Appointment) -> Appointment:
    locked = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("agent__owner")
        .get(pk=appointment.pk)
    )
    if locked.status != AppointmentStatus.CANCELLED:
        locked.status = AppointmentStatus.CANCELLED
        locked.sync_attempts, locked.sync_next_attempt_at = 0, None
        locked.revision += 1
        locked.save(
            update_fields=[
                "status",
                "sync_attempts",
                "sync_next_attempt_at",
                "revision",
                "updated_at",
            ]
        )
        appointment_event_enqueue(appointment=locked, event="appointment.cancelled")
        if locked.provider != CalendarProvider.LOCAL:
            # Also without a stored event id: a create whose answer was lost may have made one.
            calendar_sync_after_commit(locked.pk)
    return locked
