"""Reads of agents, scoped to who is asking."""

from __future__ import annotations

import numpy as np
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Max, QuerySet
from django.utils.html import escape

from agents.knowledge import (
    OPENAI_MODEL,
    Passage,
    VectorIndex,
    cached_index,
    embed,
    local_embedding,
)
from agents.models import Agent, KnowledgeChunk, Service, SourceStatus
from voiceagent.selectors import owned_by


def agents_for_user(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Agent]:
    """Superusers see every agent; everybody else only their own."""
    agents = Agent.objects.select_related("owner", "calendar_connection")
    return owned_by(agents, user=user, owner_lookup="owner")


def agent_get_active(*, public_id: str) -> Agent | None:
    return (
        Agent.objects.filter(public_id=public_id, is_active=True)
        .prefetch_related("services", "business_hours")
        .first()
    )


def agent_embed_snippet(*, agent: Agent, base_url: str) -> str:
    """The one tag a website adds to show this agent's call button."""
    origin = base_url.rstrip("/") or "https://YOUR-SERVER"
    return (
        f'<script src="{escape(origin)}/static/voiceagent/widget.js" '
        f'data-agent="{escape(agent.public_id)}" async></script>'
    )


class ServiceNotFound(LookupError):
    """No active service of the agent answers to the name; the message lists what is
    offered and can be read to a caller."""


def service_find(*, agent: Agent, name: str) -> Service:
    """The agent's active service called ``name`` as a caller says it: exactly (any
    case), else the one service whose name contains it or is contained in it."""
    services = list(agent.services.filter(is_active=True))
    wanted = name.strip().lower()
    for service in services:
        if service.name.lower() == wanted:
            return service
    matches = [
        s for s in services if wanted and (wanted in s.name.lower() or s.name.lower() in wanted)
    ]
    if len(matches) == 1:
        return matches[0]
    offered = ", ".join(f"{s.name} ({s.duration_minutes} min)" for s in services)
    raise ServiceNotFound(f"'{name}' is not a service we offer. We offer: {offered}.")


def knowledge_index_get(*, agent_id: int) -> VectorIndex | None:
    """The vector index of the agent's ready chunks (built once per change of its
    chunks, then cached in the process), or None when it has none. Database work
    only: embedding the query is the caller's step (``knowledge_search`` for sync
    code; calls embed with ``agents.knowledge.embed_query`` in their event loop)."""
    chunks = KnowledgeChunk.objects.filter(agent_id=agent_id, source__status=SourceStatus.READY)
    stats = chunks.aggregate(count=Count("id"), last=Max("source__ingested_at"))
    if not stats["count"]:
        return None
    version = f"{stats['count']}:{stats['last']}"

    def build() -> VectorIndex:
        rows = list(
            chunks.values_list(
                "id", "source__title", "heading", "text", "embedding", "source__embedding_model"
            )
        )
        models = {row[5] for row in rows}
        model = max(models, key=lambda m: sum(r[5] == m for r in rows))
        rows = [row for row in rows if row[5] == model]  # one vector space per index
        matrix = np.vstack([np.frombuffer(bytes(row[4]), dtype="<f4") for row in rows])
        return VectorIndex([r[0] for r in rows], matrix, [(r[1], r[2], r[3]) for r in rows], model)

    return cached_index(agent_id, version, build)


def knowledge_search(*, agent_id: int, query: str, k: int = 3) -> list[Passage]:
    """The ``k`` passages of the agent's ready sources closest to ``query``.

    For sync code outside calls (admin, API, scripts): with OpenAI embeddings it makes
    a blocking HTTP request. Calls use ``knowledge_index_get`` and embed asynchronously
    (``agents/tools.py``).
    """
    index = knowledge_index_get(agent_id=agent_id)
    if index is None:
        return []
    if index.model == OPENAI_MODEL:
        vector = embed([query], api_key=settings.OPENAI_API_KEY, base_url=settings.OPENAI_BASE_URL)[
            0
        ][0]
    else:
        vector = local_embedding(query)
    return index.search(vector, k)
