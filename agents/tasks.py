"""Celery tasks of the agents app: thin wrappers over services."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="agents.tasks.knowledge_source_ingest_task", acks_late=True)
def knowledge_source_ingest_task(source_id: int) -> None:
    """Extracts, chunks and embeds a knowledge source (status shown in the admin)."""
    from agents.services import knowledge_source_ingest

    knowledge_source_ingest(source_id=source_id)
