"""Writes to call logs."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from agents.models import Agent
from calls.models import CallLog

logger = logging.getLogger(__name__)


def call_logs_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Deletes call logs (with their transcripts) older than their agent's retention.

    Agents with ``retention_days = 0`` keep their calls forever. No call lasts
    longer than a day (``max_call_seconds`` is at most four hours), so nothing
    older than a retention period of a day or more can still be live. Returns the
    number of call logs deleted.
    """
    now = now or timezone.now()
    deleted_total = 0
    retention_by_agent = Agent.objects.filter(retention_days__gt=0).values_list(
        "id", "retention_days"
    )
    for agent_id, retention_days in retention_by_agent:
        cutoff = now - dt.timedelta(days=retention_days)
        expired = CallLog.objects.filter(agent_id=agent_id, started_at__lt=cutoff)
        with transaction.atomic():
            _, per_model = expired.delete()
        count = per_model.get(CallLog._meta.label, 0)
        if count:
            logger.info("Purged %d call logs of agent %s", count, agent_id)
        deleted_total += count
    return deleted_total
