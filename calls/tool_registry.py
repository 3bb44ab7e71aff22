"""The tool registry: the one list of what the model may call during a call.

Each app declares its own tools in ``<app>/tools.py`` (imported by its
``AppConfig.ready()``) with ``@register(ToolDeclaration(...), label=...)``: the
declaration the model sees (name, description, JSON schema, guidance for the
instructions), the label the admin shows, whether new agents get it, and an async
handler. The agent admin's choices, ``agents.models.default_tools()``, the agents'
system check and the call's declared tools all read this registry, so adding a tool
is one file (docs/calls.md, "Adding a tool").

This module imports no app code (only the framework-free ``calls.realtime`` types),
so that any app's tools, models and admin can import it without an import cycle.

Handlers are async and return a JSON-able dict; they may raise, the session turns that
into a result the model can speak about. They reach the ORM only through selectors and
services wrapped in ``database_sync_to_async`` (one shared thread for every call: no
network I/O there; HTTP goes through async clients in the event loop).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from calls.realtime.config import ToolDeclaration
from calls.realtime.fillers import CATEGORIES as FILLER_CATEGORIES
from calls.realtime.hooks import ToolContext

Handler = Callable[[dict[str, Any], ToolContext], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Tool:
    declaration: ToolDeclaration
    handler: Handler
    label: str = ""  # shown in the agent admin; the name when empty
    default: bool = True  # enabled on new agents
    order: int = 50  # place in the admin and in new agents' lists (then registration order)
    # Facts the call must have for the tool to be offered (e.g. "phone": a phone call).
    requires: frozenset[str] = frozenset()
    # What the agent says when the tool is slow: a category of calls/realtime/fillers.py
    # ("calendar", "knowledge", "contact"); empty for the generic "One moment, please."
    filler: str = ""


REGISTRY: dict[str, Tool] = {}


def register(
    declaration: ToolDeclaration,
    *,
    label: str,
    default: bool = True,
    order: int = 50,
    requires: frozenset[str] = frozenset(),
    filler: str = "",
) -> Callable[[Handler], Handler]:
    """Registers the decorated handler as the tool ``declaration.name``. ``order`` places
    it in the admin's list and in new agents' tools (apps load in INSTALLED_APPS order,
    which says nothing about how a person reads the list). ``requires`` names the facts
    of a call (``call_facts``) without which the tool is not offered to the model.
    ``filler`` names the phrases said while the tool is slow (``calls/realtime/fillers.py``)."""
    if filler and filler not in FILLER_CATEGORIES:
        raise ValueError(
            f"The tool {declaration.name!r} names the filler {filler!r}; "
            f"one of: {', '.join(sorted(FILLER_CATEGORIES))}."
        )

    def decorator(handler: Handler) -> Handler:
        if declaration.name in REGISTRY:
            # Two apps claiming one name would silently swap handlers by import order.
            raise ValueError(f"The tool {declaration.name!r} is registered twice.")
        REGISTRY[declaration.name] = Tool(
            declaration, handler, label, default, order, requires, filler
        )
        return handler

    return decorator


def _ordered() -> list[Tool]:
    return sorted(REGISTRY.values(), key=lambda tool: tool.order)  # stable: ties keep order


def tool_choices() -> list[tuple[str, str]]:
    """(name, label) of every registered tool, for the agent admin's checkboxes."""
    return [(tool.declaration.name, tool.label or tool.declaration.name) for tool in _ordered()]


def tool_defaults() -> list[str]:
    """The tools a new agent gets."""
    return [tool.declaration.name for tool in _ordered() if tool.default]


def tools_unknown(names: list[str]) -> list[str]:
    """The names in ``names`` that no app registers."""
    return [name for name in names if name not in REGISTRY]


def declarations_for(
    enabled: list[str], facts: frozenset[str] = frozenset()
) -> tuple[ToolDeclaration, ...]:
    """The enabled tools that exist and that this call can use (their ``requires`` are
    among ``facts``), in the order they were enabled (the agents' system check and
    validation report names that do not exist)."""
    return tuple(
        REGISTRY[name].declaration
        for name in enabled
        if name in REGISTRY and REGISTRY[name].requires <= facts
    )


def tool_filler(name: str) -> str:
    """The filler category of the tool ``name`` ("" for the default phrases)."""
    tool = REGISTRY.get(name)
    return tool.filler if tool else ""


async def tool_run(name: str, arguments: dict[str, Any], context: ToolContext) -> dict[str, Any]:
    tool = REGISTRY.get(name)
    if tool is None:
        return {"ok": False, "error": f"There is no tool called {name}."}
    return await tool.handler(arguments, context)
