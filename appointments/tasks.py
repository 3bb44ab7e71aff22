"""Celery tasks of the appointments app: thin wrappers over services."""

from __future__ import annotations

from celery import shared_task


@shared_task(
    name="appointments.tasks.appointment_calendar_sync_task",
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def appointment_calendar_sync_task(appointment_id: str) -> None:
    """Creates, moves or cancels the appointment's calendar event (idempotent)."""
    from appointments.services import appointment_calendar_sync

    appointment_calendar_sync(appointment_id=appointment_id)
