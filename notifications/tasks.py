"""Celery tasks of the outbox: thin wrappers over services."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="notifications.tasks.outbox_send_task", acks_late=True)
def outbox_send_task(message_id: str) -> str:
    """Sends one outbox message (idempotent: the row is claimed first). A failure that
    is worth retrying leaves the row due later; the beat task sends it then."""
    from notifications.services import outbox_send

    return outbox_send(message_id=message_id).status


@shared_task(name="notifications.tasks.outbox_due_task")
def outbox_due_task() -> int:
    """Sends what is due: retries, and messages a lost worker held (scheduled by beat)."""
    from notifications.services import outbox_due

    return outbox_due()
