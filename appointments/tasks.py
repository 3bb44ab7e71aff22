"""Celery tasks of the appointments app: thin wrappers over services."""

from __future__ import annotations

from celery import Task, shared_task


@shared_task(
    name="appointments.tasks.appointment_calendar_sync_task",
    bind=True,
    acks_late=True,
    # A Google call may take three requests of up to 15 s each (refresh, write, re-read).
    soft_time_limit=60,
    time_limit=75,
)
def appointment_calendar_sync_task(self: Task, appointment_id: str) -> str:
    """Creates, moves or deletes the appointment's calendar event (idempotent: the
    provider gets a key derived from the appointment, so a repeat finds the event).

    A provider that is busy or down is tried again after the service's backoff
    (honouring Retry-After); the service bounds the attempts and then fails the
    booking with its reason. Without a broker the retry is left to the beat schedule,
    which the server keeps in-process.
    """
    from appointments.calendar_services import appointment_calendar_sync

    outcome = appointment_calendar_sync(appointment_id=appointment_id)
    if outcome.status == "retry" and outcome.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=outcome.retry_in, max_retries=None)
    return outcome.status


@shared_task(name="appointments.tasks.appointments_calendar_resume_task")
def appointments_calendar_resume_task() -> int:
    """Sends the calendar step of appointments whose retry is due (scheduled by beat)."""
    from appointments.calendar_services import appointments_calendar_resume

    return appointments_calendar_resume()
