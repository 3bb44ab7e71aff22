"""System checks of the agents app."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error, Tags, register
from django.db import connections
from django.db.migrations.loader import MigrationLoader

from calls.tool_registry import tools_unknown


def _agents_migrated(alias: str) -> bool:
    """Whether the agents app's migrations are all applied on ``alias``: ``migrate`` runs
    the database checks before migrating, and must be able to run the data migration
    that fixes what this check reports (and a fresh database has no agents table)."""
    loader = MigrationLoader(connections[alias], ignore_no_migrations=True)
    return all(node in loader.applied_migrations for node in loader.graph.leaf_nodes("agents"))


@register(Tags.database)
def agents_name_existing_tools(
    *, app_configs: Sequence[AppConfig] | None, databases: Sequence[str] | None, **kwargs: Any
) -> list[CheckMessage]:
    """An agent that enables a tool no app registers (calls.tool_registry) would lose it
    silently in every call; runs only with databases (``check --database default``,
    ``migrate``)."""
    from agents.models import Agent

    errors: list[CheckMessage] = []
    for alias in databases or []:
        if not _agents_migrated(alias):
            continue
        agents = Agent.objects.using(alias).only("pk", "name", "enabled_tools")
        for agent in agents.order_by("pk"):
            tools = agent.enabled_tools or []
            names = [str(t) for t in tools] if isinstance(tools, list) else [repr(tools)]
            for name in tools_unknown(names):
                errors.append(
                    Error(
                        f"Agent {agent.name!r} (id {agent.pk}) enables the tool {name!r}, "
                        "which does not exist.",
                        hint="Remove it from the agent's tools in the admin, or register "
                        "the tool (docs/calls.md, 'Adding a tool').",
                        id="agents.E001",
                    )
                )
    return errors
