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
from agents.models import Agent, KnowledgeChunk, SourceStatus
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


def knowledge_search(*, agent_id: int, query: str, k: int = 3) -> list[Passage]:
    """The ``k`` passages of the agent's ready sources closest to ``query``."""
    chunks = KnowledgeChunk.objects.filter(agent_id=agent_id, source__status=SourceStatus.READY)
    stats = chunks.aggregate(count=Count("id"), last=Max("source__ingested_at"))
    if not stats["count"]:
        return []
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

    index = cached_index(agent_id, version, build)
    if index.model == OPENAI_MODEL:
        vector = embed([query], api_key=settings.OPENAI_API_KEY, base_url=settings.OPENAI_BASE_URL)[
            0
        ][0]
    else:
        vector = local_embedding(query)
    return index.search(vector, k)
