"""Writes to agents, their services and business hours."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone as dj_timezone

from agents.demo_knowledge import DEMO_KNOWLEDGE_TITLE, demo_knowledge_markdown
from agents.knowledge import (
    LOCAL_MODEL,
    OPENAI_MODEL,
    ExtractionError,
    chunk_text,
    embed,
    fetch_url,
    text_from_html,
    text_from_markdown,
    text_from_pdf,
)
from agents.models import (
    Agent,
    BusinessHours,
    KnowledgeChunk,
    KnowledgeSource,
    Service,
    SourceKind,
    SourceStatus,
    Weekday,
    default_tools,
    new_webhook_secret,
)
from voiceagent.crypto import Secret
from voiceagent.validators import validate_timezone

logger = logging.getLogger(__name__)

DEMO_AGENT_PUBLIC_ID = "front-desk"

DEMO_GREETING = "Hi, thanks for calling! I'm the front desk assistant. How can I help you today?"

DEMO_INSTRUCTIONS = """\
You are the friendly front desk assistant of a small business. Speak briefly and \
naturally, one question at a time.

Your jobs:
1. Answer questions about the business using the knowledge base. If you do not \
know, say so and offer to take a message; never invent facts.
2. Collect the caller's details in this order: first their name, then their email \
address, then their phone number. Spell the email back letter by letter and read \
the phone number back in groups, and correct anything the caller corrects. Save \
the contact once you have them.
3. Book appointments. We offer a Consultation (30 minutes) and a Product demo \
(45 minutes), Monday to Friday from 9:00 to 17:00. Check availability before \
offering a time, read the booking back (service, day, date and time) and book it \
only after the caller confirms.

When the caller is done, thank them, say goodbye and end the call.\
"""

DEMO_SERVICES = (
    ("Consultation", 30, "A 30-minute call to talk through your needs."),
    ("Product demo", 45, "A 45-minute guided tour of the product."),
)

DEMO_HOURS = (dt.time(9, 0), dt.time(17, 0))
WORKDAYS = (Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY)


@transaction.atomic
def agent_demo_ensure(*, owner: User, timezone: str = "UTC") -> tuple[Agent, bool]:
    """Creates the demo agent "Front desk" if it is missing; returns (agent, created).

    An existing demo agent is left as it is, so that edits made in the admin
    survive running ``bootstrap`` again.
    """
    validate_timezone(timezone)
    agent, created = Agent.objects.get_or_create(
        public_id=DEMO_AGENT_PUBLIC_ID,
        defaults={
            "owner": owner,
            "name": "Front desk",
            "greeting": DEMO_GREETING,
            "instructions": DEMO_INSTRUCTIONS,
            "timezone": timezone,
            "enabled_tools": default_tools(),
            # The owner gets each call's summary (printed in the console by default).
            "summary_recipients": owner.email,
        },
    )
    if not created:
        return agent, False
    Service.objects.bulk_create(
        Service(agent=agent, name=name, duration_minutes=minutes, description=description)
        for name, minutes, description in DEMO_SERVICES
    )
    opens_at, closes_at = DEMO_HOURS
    BusinessHours.objects.bulk_create(
        BusinessHours(agent=agent, weekday=day, opens_at=opens_at, closes_at=closes_at)
        for day in WORKDAYS
    )
    logger.info("Created the demo agent %s", agent.public_id)
    return agent, True


def agent_demo_knowledge_ensure(*, agent: Agent) -> KnowledgeSource | None:
    """Gives the demo agent its sample knowledge source when it has no source at all;
    returns the new source (pending: ``knowledge_source_ingest`` makes it ready), or None.

    A demo agent with any source, the sample included (edited or not), is left as it
    is: running ``bootstrap`` again never overwrites or re-adds what a user changed. The
    one exception: a sample still pending (a ``bootstrap`` stopped before ingesting it)
    is returned again, to be ingested this time.
    """
    if agent.knowledge_sources.exists():
        return agent.knowledge_sources.filter(
            title=DEMO_KNOWLEDGE_TITLE, status=SourceStatus.PENDING
        ).first()
    content = demo_knowledge_markdown(
        services=DEMO_SERVICES,
        hours=DEMO_HOURS,
        days=f"{WORKDAYS[0].label} to {WORKDAYS[-1].label}",
        timezone=agent.timezone,
    )
    source = KnowledgeSource.objects.create(
        agent=agent, title=DEMO_KNOWLEDGE_TITLE, kind=SourceKind.MARKDOWN, content=content
    )
    logger.info("Added the sample knowledge source to the demo agent %s", agent.public_id)
    return source


def knowledge_source_save(*, source: KnowledgeSource) -> KnowledgeSource:
    """Saves a source and queues its ingestion after commit."""
    with transaction.atomic():
        source.status = SourceStatus.PENDING
        source.error = ""
        source.save()
        transaction.on_commit(lambda: _ingest_later(source.pk))
    return source


def _ingest_later(source_id: int) -> None:
    from agents.tasks import knowledge_source_ingest_task

    knowledge_source_ingest_task.delay(source_id)


def _source_text(source: KnowledgeSource) -> str:
    if source.kind == SourceKind.TEXT:
        return source.content
    if source.kind == SourceKind.MARKDOWN:
        return text_from_markdown(source.content)
    if source.kind == SourceKind.HTML:
        return text_from_html(source.content)
    if source.kind == SourceKind.PDF:
        if not source.file:
            raise ExtractionError("Upload a PDF file for this source.")
        with source.file.open("rb") as handle:
            return text_from_pdf(handle.read())
    if source.kind == SourceKind.URL:
        if not settings.KNOWLEDGE_ALLOW_URL_FETCH:
            raise ExtractionError("Fetching web pages is disabled (KNOWLEDGE_ALLOW_URL_FETCH).")
        content_type, body = fetch_url(source.url)
        return text_from_html(body) if "html" in content_type else body
    raise ExtractionError(f"Unknown source kind {source.kind}.")


def knowledge_source_ingest(*, source_id: int) -> KnowledgeSource | None:
    """Extracts, chunks and embeds a source; skips the work when nothing changed.

    The status row makes it safe to run twice: a source already processing is left
    alone, and unchanged content with the same embedding model is not re-embedded.
    """
    claimed = (
        KnowledgeSource.objects.filter(pk=source_id)
        .exclude(status=SourceStatus.PROCESSING)
        .update(status=SourceStatus.PROCESSING, error="")
    )
    if not claimed:
        return KnowledgeSource.objects.filter(pk=source_id).first()
    source = KnowledgeSource.objects.get(pk=source_id)
    try:
        text = _source_text(source).strip()
        if not text:
            raise ExtractionError("The source has no text.")
        digest = hashlib.sha256(text.encode()).hexdigest()
        model = knowledge_embedding_model()
        if digest == source.content_hash and model == source.embedding_model and source.chunk_count:
            source.status = SourceStatus.READY
            source.save(update_fields=["status", "updated_at"])
            return source
        chunks = chunk_text(text)
        vectors, used_model = embed(
            [f"{source.title}. {c.heading}. {c.text}" for c in chunks],
            api_key=settings.OPENAI_API_KEY,
            base_url=settings.OPENAI_BASE_URL,
        )
    except Exception as exc:
        logger.warning("Ingesting knowledge source %s failed: %s", source_id, type(exc).__name__)
        message = str(exc) if isinstance(exc, ExtractionError) else f"{type(exc).__name__}: {exc}"
        KnowledgeSource.objects.filter(pk=source_id).update(
            status=SourceStatus.FAILED, error=message[:2000]
        )
        return KnowledgeSource.objects.get(pk=source_id)
    with transaction.atomic():
        source.chunks.all().delete()
        KnowledgeChunk.objects.bulk_create(
            KnowledgeChunk(
                source=source,
                agent_id=source.agent_id,
                position=position,
                heading=chunk.heading,
                text=chunk.text,
                token_count=chunk.tokens,
                embedding=vector.astype("<f4").tobytes(),
            )
            for position, (chunk, vector) in enumerate(zip(chunks, vectors, strict=True))
        )
        source.status = SourceStatus.READY
        source.content_hash = digest
        source.embedding_model = used_model
        source.chunk_count = len(chunks)
        source.ingested_at = dj_timezone.now()
        source.save()
    logger.info("Ingested knowledge source %s: %d chunks", source_id, len(chunks))
    return source


def knowledge_embedding_model() -> str:
    return OPENAI_MODEL if settings.OPENAI_API_KEY else LOCAL_MODEL


def agent_webhook_secret_rotate(*, agent_ids: list[int]) -> int:
    """Gives each agent a new webhook signing secret; deliveries from now on use it."""
    for agent_id in agent_ids:
        Agent.objects.filter(pk=agent_id).update(webhook_secret=new_webhook_secret())
    return len(agent_ids)


def agents_webhook_secrets_reencrypt() -> int:
    """Re-encrypts every agent's webhook secret with the first key of
    FIELD_ENCRYPTION_KEY (see ``rotate_encryption_keys``); returns how many."""
    count = 0
    for agent_id, secret in Agent.objects.values_list("pk", "webhook_secret"):
        # The ciphertext decrypts with whichever listed key matches; the plaintext is
        # encrypted again with the first.
        fresh = Secret(plaintext=secret.reveal())
        Agent.objects.filter(pk=agent_id).update(webhook_secret=fresh)
        count += 1
    return count


class AgentInUse(Exception):
    """The agent has call logs, appointments or phone numbers, which keep it; deactivate
    it (or move its numbers to another agent) instead."""


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    duration_minutes: int
    description: str = ""
    is_active: bool = True


@dataclass(frozen=True)
class HoursSpec:
    weekday: int
    opens_at: dt.time
    closes_at: dt.time


@transaction.atomic
def agent_save(
    *,
    agent: Agent,
    changes: dict[str, Any],
    services: list[ServiceSpec] | None = None,
    hours: list[HoursSpec] | None = None,
) -> Agent:
    """Creates (``agent.pk`` unset, owner set) or changes an agent, validated as the
    admin validates it; raises Django's ``ValidationError``.

    ``services`` and ``hours``, when given, become the agent's whole list. Services
    are matched by name (any case): a service left out is deactivated, not deleted,
    so the appointments booked for it keep it.
    """
    for field, value in changes.items():
        setattr(agent, field, value)
    agent.full_clean()
    agent.save()
    if services is not None:
        _services_replace(agent, services)
    if hours is not None:
        _hours_replace(agent, hours)
    return agent


def _row_clean(row: Service | BusinessHours, *, listed_as: str) -> None:
    """A row's own validation, reported under its list's name (a row's "__all__"
    would otherwise read as the agent's)."""
    try:
        row.full_clean(exclude=["agent"])
    except ValidationError as error:
        raise ValidationError({listed_as: error.messages}) from None


def _services_replace(agent: Agent, specs: list[ServiceSpec]) -> None:
    names = [spec.name.strip().lower() for spec in specs]
    if len(set(names)) != len(names):
        raise ValidationError({"services": "Two services have the same name."})
    existing = {service.name.lower(): service for service in agent.services.all()}
    for spec in specs:
        service = existing.pop(spec.name.strip().lower(), None) or Service(agent=agent)
        service.name = spec.name.strip()
        service.duration_minutes = spec.duration_minutes
        service.description = spec.description
        service.is_active = spec.is_active
        _row_clean(service, listed_as="services")
        service.save()
    Service.objects.filter(pk__in=[s.pk for s in existing.values()]).update(is_active=False)


def _hours_replace(agent: Agent, specs: list[HoursSpec]) -> None:
    starts = [(spec.weekday, spec.opens_at) for spec in specs]
    if len(set(starts)) != len(starts):
        raise ValidationError({"business_hours": "Two periods open on the same day and time."})
    agent.business_hours.all().delete()
    rows = [
        BusinessHours(
            agent=agent, weekday=spec.weekday, opens_at=spec.opens_at, closes_at=spec.closes_at
        )
        for spec in specs
    ]
    for row in rows:
        _row_clean(row, listed_as="business_hours")
    BusinessHours.objects.bulk_create(rows)


def agent_delete(*, agent: Agent) -> None:
    """Deletes an agent that never took a call or a booking, with its knowledge base."""
    try:
        with transaction.atomic():
            agent.delete()
    except ProtectedError:
        raise AgentInUse(
            "This agent has call logs, appointments or phone numbers; deactivate it "
            "(is_active: false) instead, or give its numbers another agent. Its calls are "
            "deleted with their agent's retention."
        ) from None


def knowledge_source_delete(*, source: KnowledgeSource) -> None:
    """Deletes a source with its passages (the agent's index is rebuilt on next use)
    and its uploaded file, once the deletion is committed."""
    file_name, storage = source.file.name, source.file.storage
    with transaction.atomic():
        source.delete()
        if file_name:
            transaction.on_commit(lambda: storage.delete(file_name))
