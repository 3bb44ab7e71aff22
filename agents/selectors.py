"""Reads of agents, scoped to who is asking."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils.html import escape

from agents.models import Agent
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
