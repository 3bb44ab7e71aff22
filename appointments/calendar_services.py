"""Writes that keep connected calendars in line with appointments.

``appointment_calendar_sync`` runs in a Celery task (never in a call's database
thread): it reads the appointment, talks to the provider with no lock held, then
stores the result in a short transaction that checks nothing changed meanwhile. A
retry cannot duplicate an event: providers get a key derived from the appointment
(Google's event id, Graph's transactionId). Local appointments need no sync: they
are confirmed when booked.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agents.models import Agent
from appointments.calendars import backend_for
from appointments.calendars.base import (
    Attendee,
    Authorized,
    CalendarAuthBroken,
    CalendarBackend,
    CalendarRejected,
    CalendarRetryable,
    EventDetails,
    EventRef,
    Tokens,
)
from appointments.models import (
    Appointment,
    AppointmentStatus,
    CalendarConnection,
    CalendarProvider,
    ConnectionStatus,
)
from appointments.selectors import appointment_payload
from calls.services import call_client_message_send
from notifications.selectors import admin_url
from notifications.services import appointment_event_enqueue
from voiceagent.background import after_commit
from voiceagent.retry import backoff_seconds

logger = logging.getLogger(__name__)

SYNC_MAX_ATTEMPTS = 6
RESUME_BATCH = 200
RESUME_GRACE_SECONDS = 60


@dataclass(frozen=True)
class SyncOutcome:
    status: str  # confirmed, deleted, failed, retry, nothing
    retry_in: float | None = None


def calendar_sync_after_commit(appointment_id: object) -> None:
    """Sends the sync task once the current transaction commits, from the after-commit
    thread (a broker publish, or without one the whole provider call, must not run in
    the shared database thread a booking tool runs in)."""
    after_commit(
        functools.partial(_task_send, str(appointment_id)), label=f"calendar {appointment_id}"
    )


def _task_send(appointment_id: str) -> None:
    from appointments.tasks import appointment_calendar_sync_task

    appointment_calendar_sync_task.delay(appointment_id)


def connection_tokens(connection: CalendarConnection) -> Tokens:
    def save(data: dict[str, Any]) -> None:
        # Refreshed tokens are kept at once: a refresh token may be rotated by the refresh.
        # Not onto a connection disconnected meanwhile: its tokens stay deleted.
        CalendarConnection.objects.filter(pk=connection.pk, status=ConnectionStatus.ACTIVE).update(
            token_data=data, updated_at=timezone.now()
        )

    return Tokens(
        data=dict(connection.token_data or {}),  # type: ignore[call-overload]
        save=save,
        account_email=connection.account_email,
        calendar_id=connection.calendar_id,
    )


def event_details(appointment: Appointment, *, online_meeting: bool) -> EventDetails:
    contact = appointment.contact
    who = (contact.name or contact.email or contact.phone) if contact else ""
    lines = [f"Booked by {appointment.agent.name}."]
    if contact is not None:
        lines += [
            f"{label}: {value}"
            for label, value in (
                ("Name", contact.name),
                ("Email", contact.email),
                ("Phone", contact.phone),
            )
            if value
        ]
    if appointment.notes:
        lines += ["", appointment.notes]
    lines += ["", admin_url("admin:appointments_appointment_change", appointment.pk)]
    attendees = (
        (Attendee(email=contact.email, name=contact.name),) if contact and contact.email else ()
    )
    return EventDetails(
        key=appointment.idempotency_key,
        title=f"{appointment.service_name}: {who}" if who else appointment.service_name,
        description="\n".join(lines),
        start=appointment.start_at,
        end=appointment.end_at,
        timezone=appointment.timezone,
        attendees=attendees,
        online_meeting=online_meeting,
    )


def appointment_calendar_sync(*, appointment_id: str) -> SyncOutcome:
    """Brings the provider's calendar in line with the appointment: creates the event of
    a new booking, moves it after a reschedule, deletes it after a cancellation."""
    appointment = (
        Appointment.objects.select_related("agent__calendar_connection", "agent__owner", "contact")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        return SyncOutcome("nothing")
    if appointment.provider == CalendarProvider.LOCAL:
        return _local_confirm(appointment)
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    if cancelled and not appointment.external_event_id and appointment.sync_attempts == 0:
        # Never synced and nothing stored: only Google, whose ids we choose, can tell
        # whether a create whose answer was lost made the event anyway.
        if backend_for(appointment.provider).event_id_for_key(appointment.idempotency_key) is None:
            return SyncOutcome("nothing")
    elif cancelled and not appointment.external_event_id:
        return SyncOutcome("nothing")
    if not cancelled and appointment.status != AppointmentStatus.PENDING:
        return SyncOutcome("nothing")  # confirmed or failed: nothing left to do
    connection = appointment.agent.calendar_connection
    problem = _connection_problem(appointment, connection)
    if problem or connection is None:
        return _give_up(appointment, problem or "No calendar connection.")
    backend = backend_for(appointment.provider)
    if not backend.configured():
        return _give_up(
            appointment,
            f"{CalendarProvider(appointment.provider).label} is not configured on this "
            "server (client id and secret).",
        )
    snapshot = (appointment.status, appointment.start_at, appointment.end_at)
    try:
        ref = _call_provider(backend, connection, appointment)
    except CalendarRetryable as exc:
        return _retry_later(appointment, str(exc), exc.retry_after)
    except CalendarAuthBroken as exc:
        CalendarConnection.objects.filter(pk=connection.pk).update(
            status=ConnectionStatus.NEEDS_REAUTH,
            last_error=str(exc)[:1000],
            updated_at=timezone.now(),
        )
        logger.warning("Calendar connection %s is broken: %s", connection.pk, exc)
        return _give_up(
            appointment,
            f"The calendar connection no longer works ({exc}); connect it again.",
            connection_broken=True,
        )
    except CalendarRejected as exc:
        return _give_up(appointment, f"The calendar refused the event: {exc}")
    except Exception as exc:
        # Anything else (a malformed answer, the task's soft time limit) still counts as an
        # attempt: the booking fails after the last one instead of being retried for ever.
        logger.exception("Appointment %s: the calendar step failed unexpectedly", appointment.pk)
        return _retry_later(appointment, f"Unexpected error: {type(exc).__name__}", None)
    return _store(appointment, ref, snapshot)


def _connection_problem(
    appointment: Appointment, connection: CalendarConnection | None
) -> str | None:
    label = CalendarProvider(appointment.provider).label
    if connection is None or connection.provider != appointment.provider:
        return f"The agent's {label} calendar is no longer connected."
    if connection.status != ConnectionStatus.ACTIVE or not connection.has_token:
        return f"The {label} calendar connection needs to be connected again."
    return None


def _call_provider(
    backend: CalendarBackend, connection: CalendarConnection, appointment: Appointment
) -> EventRef | None:
    tokens = connection_tokens(connection)
    if appointment.status == AppointmentStatus.CANCELLED:
        event_id = appointment.external_event_id or backend.event_id_for_key(
            appointment.idempotency_key
        )
        if event_id:
            backend.event_delete(tokens=tokens, event_id=event_id)
        return None
    event = event_details(appointment, online_meeting=connection.add_online_meeting)
    if appointment.external_event_id:
        return backend.event_update(
            tokens=tokens, event_id=appointment.external_event_id, event=event
        )
    return backend.event_create(tokens=tokens, event=event)


def _store(
    appointment: Appointment, ref: EventRef | None, snapshot: tuple[object, ...]
) -> SyncOutcome:
    with transaction.atomic():
        locked = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("agent")
            .get(pk=appointment.pk)
        )
        fields = ["sync_attempts", "sync_next_attempt_at", "last_error", "updated_at"]
        locked.sync_attempts, locked.sync_next_attempt_at, locked.last_error = 0, None, ""
        if ref is None:  # deleted
            locked.external_event_id, locked.calendar_link, locked.meeting_link = "", "", ""
            fields += ["external_event_id", "calendar_link", "meeting_link"]
            locked.save(update_fields=fields)
            return SyncOutcome("deleted")
        # Kept whatever happened meanwhile: the event exists and is ours to move or delete.
        locked.external_event_id = ref.event_id[:255]
        locked.calendar_link = ref.link[:1000]
        locked.meeting_link = ref.meeting_link[:1000]
        fields += ["external_event_id", "calendar_link", "meeting_link"]
        unchanged = (locked.status, locked.start_at, locked.end_at) == snapshot
        if unchanged:
            locked.status = AppointmentStatus.CONFIRMED
            fields.append("status")
            appointment_event_enqueue(appointment=locked, event="appointment.confirmed")
        else:
            # Moved or cancelled while the provider was busy: bring the event along.
            calendar_sync_after_commit(locked.pk)
        locked.save(update_fields=fields)
    if unchanged:
        _tell_caller(locked)
        return SyncOutcome("confirmed")
    return SyncOutcome("nothing")


def _local_confirm(appointment: Appointment) -> SyncOutcome:
    """A local appointment left pending (booked before local bookings were confirmed
    at once): confirm it now."""
    with transaction.atomic():
        locked = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("agent")
            .get(pk=appointment.pk)
        )
        if locked.status != AppointmentStatus.PENDING:
            return SyncOutcome("nothing")
        locked.status = AppointmentStatus.CONFIRMED
        locked.save(update_fields=["status", "updated_at"])
        appointment_event_enqueue(appointment=locked, event="appointment.confirmed")
    _tell_caller(locked)
    return SyncOutcome("confirmed")


def _retry_later(appointment: Appointment, error: str, retry_after: float | None) -> SyncOutcome:
    attempts = appointment.sync_attempts + 1
    if attempts >= SYNC_MAX_ATTEMPTS:
        return _give_up(appointment, f"The calendar kept failing ({attempts} tries): {error}")
    delay = backoff_seconds(attempts, base=15, cap=900, retry_after=retry_after)
    Appointment.objects.filter(pk=appointment.pk).update(
        sync_attempts=attempts,
        sync_next_attempt_at=timezone.now() + dt.timedelta(seconds=delay),
        last_error=error[:1000],
        updated_at=timezone.now(),
    )
    logger.warning(
        "Appointment %s: calendar attempt %d failed (%s); again in %.0f s",
        appointment.pk,
        attempts,
        error,
        delay,
    )
    return SyncOutcome("retry", retry_in=delay)


def _give_up(
    appointment: Appointment, reason: str, *, connection_broken: bool = False
) -> SyncOutcome:
    """A booking whose event cannot be made is ``failed`` with the reason, and the
    business is told (webhook, email). A cancellation whose event cannot be deleted
    stays cancelled, with the reason shown."""
    with transaction.atomic():
        locked = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("agent__owner", "agent__calendar_connection", "contact")
            .get(pk=appointment.pk)
        )
        locked.last_error = reason[:1000]
        locked.sync_next_attempt_at = None
        locked.sync_attempts = SYNC_MAX_ATTEMPTS
        fields = ["last_error", "sync_next_attempt_at", "sync_attempts", "updated_at"]
        failed = locked.status == AppointmentStatus.PENDING
        if failed:
            locked.status = AppointmentStatus.FAILED
            fields.append("status")
        locked.save(update_fields=fields)
        if failed:
            appointment_event_enqueue(appointment=locked, event="appointment.failed")
    logger.warning("Appointment %s: calendar step given up: %s", appointment.pk, reason)
    if failed:
        _tell_caller(locked)
    return SyncOutcome("failed")


def _tell_caller(appointment: Appointment) -> None:
    """The caller, if still on the call, sees the booking's new state (docs/protocol.md)."""
    if appointment.call_id:
        call_client_message_send(
            call_id=str(appointment.call_id),
            message={"type": "appointment", "appointment": appointment_payload(appointment)},
        )


def appointments_calendar_resume(*, now: dt.datetime | None = None) -> int:
    """Sends the sync task for appointments whose calendar step is due: retries whose
    time has come, and bookings whose task never ran (a broker that was down, a process
    that died). Scheduled by Celery beat; returns how many."""
    now = now or timezone.now()
    settled = now - dt.timedelta(minutes=2)
    # The task's own retry fires at the due time; the sweep is for retries that were lost.
    overdue = now - dt.timedelta(seconds=RESUME_GRACE_SECONDS)
    waiting = Q(status=AppointmentStatus.PENDING) | (
        Q(status=AppointmentStatus.CANCELLED) & ~Q(external_event_id="")
    )
    due = Q(sync_next_attempt_at__lte=overdue) | Q(
        sync_next_attempt_at__isnull=True, updated_at__lt=settled
    )
    ids = [
        str(pk)
        for pk in Appointment.objects.filter(waiting, due, sync_attempts__lt=SYNC_MAX_ATTEMPTS)
        .order_by("updated_at")
        .values_list("pk", flat=True)[:RESUME_BATCH]
    ]
    for appointment_id in ids:
        calendar_sync_after_commit(appointment_id)
    return len(ids)


# -- connections


def calendar_connection_connect(
    *, owner_id: int, agent_id: int, provider: str, authorized: Authorized
) -> CalendarConnection:
    """Stores a fresh OAuth grant (tokens encrypted) and makes it the agent's calendar.

    Connecting the same account again replaces its tokens and repairs a broken
    connection; the agent's future bookings go to it."""
    with transaction.atomic():
        connection = (
            CalendarConnection.objects.select_for_update()
            .filter(
                owner_id=owner_id,
                provider=provider,
                account_email__iexact=authorized.account_email,
            )
            .first()
        )
        if connection is None:
            connection = CalendarConnection(
                owner_id=owner_id, provider=provider, account_email=authorized.account_email
            )
        connection.token_data = authorized.token_data
        connection.scopes = list(authorized.scopes)
        connection.token_expires_at = authorized.expires_at
        connection.status = ConnectionStatus.ACTIVE
        connection.last_error = ""
        connection.save()
        Agent.objects.filter(pk=agent_id, owner_id=owner_id).update(
            calendar_connection=connection, updated_at=timezone.now()
        )
    logger.info("Agent %s now books into %s", agent_id, connection)
    return connection


def calendar_connection_disconnect(*, agent_id: int) -> CalendarConnection | None:
    """Stops the agent booking into its calendar. A connection no other agent uses is
    revoked at the provider (best effort) and its tokens are deleted."""
    agent = Agent.objects.select_related("calendar_connection").get(pk=agent_id)
    connection = agent.calendar_connection
    if connection is None:
        return None
    Agent.objects.filter(pk=agent_id).update(calendar_connection=None, updated_at=timezone.now())
    if connection.agents.exists():
        return connection
    if connection.has_token:
        # After commit, from the background thread: the provider's answer (best effort)
        # must not hold the request, nor the thread every call's database work shares.
        tokens = Tokens(data=dict(connection.token_data or {}))  # type: ignore[call-overload]
        after_commit(
            functools.partial(_revoke, connection.provider, tokens, connection.pk),
            label=f"revoke calendar {connection.pk}",
        )
    CalendarConnection.objects.filter(pk=connection.pk).update(
        status=ConnectionStatus.REVOKED, token_data=None, updated_at=timezone.now()
    )
    logger.info("Calendar connection %s disconnected and its tokens deleted", connection.pk)
    return connection


def _revoke(provider: str, tokens: Tokens, connection_id: int) -> None:
    try:
        backend_for(provider).revoke(tokens=tokens)
    except Exception as exc:  # the grant is dropped here whatever the provider says
        logger.warning("Revoking calendar connection %s failed: %s", connection_id, exc)
