"""The tool registry: what the model may call during a call, and the handlers.

Each tool is declared once (name, description, JSON schema, guidance for the
instructions) and enabled per agent. Handlers are async, reach the ORM only
through services wrapped in ``database_sync_to_async``, and return a JSON-able
dict; they may raise, the session turns that into a result the model can speak
about.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from calls.realtime.config import ToolDeclaration
from calls.realtime.hooks import ToolContext

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any], ToolContext], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Tool:
    declaration: ToolDeclaration
    handler: Handler


REGISTRY: dict[str, Tool] = {}


def register(declaration: ToolDeclaration) -> Callable[[Handler], Handler]:
    def decorator(handler: Handler) -> Handler:
        REGISTRY[declaration.name] = Tool(declaration=declaration, handler=handler)
        return handler

    return decorator


def declarations_for(enabled: list[str]) -> tuple[ToolDeclaration, ...]:
    """The enabled tools that exist, in the order they were enabled."""
    return tuple(REGISTRY[name].declaration for name in enabled if name in REGISTRY)


async def tool_run(name: str, arguments: dict[str, Any], context: ToolContext) -> dict[str, Any]:
    tool = REGISTRY.get(name)
    if tool is None:
        return {"ok": False, "error": f"There is no tool called {name}."}
    return await tool.handler(arguments, context)


# The tools register themselves on import.
from calls.tools import booking, call_control, contact, knowledge  # noqa: E402, F401
