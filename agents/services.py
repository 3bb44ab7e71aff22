"""Writes to agents, their services and business hours."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone as dj_timezone

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
