"""Celery tasks of the calls app: thin wrappers over services."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="calls.tasks.call_logs_purge_expired_task")
def call_logs_purge_expired_task() -> int:
    """Deletes call logs past their agent's retention (scheduled by Celery beat)."""
    from calls.services import call_logs_purge_expired

    return call_logs_purge_expired()


@shared_task(name="calls.tasks.call_logs_close_orphans_task")
def call_logs_close_orphans_task() -> int:
    """Fails calls that a dead server process left live (scheduled by Celery beat)."""
    from calls.services import call_logs_close_orphans

    return call_logs_close_orphans()
