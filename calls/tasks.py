"""Celery tasks of the calls app: thin wrappers over services."""

from __future__ import annotations

from celery import Task, shared_task
from django.conf import settings

from voiceagent.retry import backoff_seconds


@shared_task(name="calls.tasks.call_logs_purge_expired_task")
def call_logs_purge_expired_task() -> int:
    """Deletes call logs past their agent's retention, and SIP webhook receipts past
    OpenAI's retries (scheduled by Celery beat)."""
    from calls.services import call_logs_purge_expired
    from calls.sip.services import webhook_receipts_purge

    webhook_receipts_purge()
    return call_logs_purge_expired()


@shared_task(name="calls.tasks.call_logs_close_orphans_task")
def call_logs_close_orphans_task() -> int:
    """Fails calls that a dead server process left live (scheduled by Celery beat)."""
    from calls.services import call_logs_close_orphans

    return call_logs_close_orphans()


@shared_task(
    name="calls.tasks.call_summary_task",
    bind=True,
    acks_late=True,
    max_retries=4,
    soft_time_limit=60,
    time_limit=90,
)
def call_summary_task(self: Task, call_id: str) -> None:
    """Summarises a finished call (idempotent: a repeated task changes nothing)."""
    from calls.services import call_summary_make
    from calls.summary import SummaryUnavailable

    while True:
        try:
            call_summary_make(call_id=call_id)
            return
        except SummaryUnavailable as exc:
            if self.request.is_eager:
                # No broker (the embedded default): try again at once. Celery would raise
                # its Retry out of an eager task; the attempts are bounded by the service,
                # whose last attempt stores the extractive summary instead of raising.
                continue
            # Exponential backoff with jitter: 30 s, 1 min, 2 min... (SUMMARY_RETRY_SECONDS)
            delay = backoff_seconds(
                self.request.retries + 1, base=settings.SUMMARY_RETRY_SECONDS, cap=600
            )
            raise self.retry(exc=exc, countdown=delay) from None


@shared_task(name="calls.tasks.call_summaries_resume_task")
def call_summaries_resume_task() -> int:
    """Asks again for summaries still missing (scheduled by Celery beat)."""
    from calls.services import call_summaries_resume

    return call_summaries_resume()
