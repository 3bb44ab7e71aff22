"""Celery tasks of the outbound app: thin, they call the services."""

from __future__ import annotations

from celery import shared_task

from outbound.dispatch_services import outbound_dispatch
from outbound.services import outbound_attempt_dial


@shared_task(name="outbound.tasks.outbound_attempt_dial_task")
def outbound_attempt_dial_task(attempt_id: int) -> None:
    outbound_attempt_dial(attempt_id=attempt_id)


@shared_task(name="outbound.tasks.outbound_dispatch_task")
def outbound_dispatch_task() -> int:
    return outbound_dispatch()
