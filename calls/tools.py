"""Tools of the calls app: steering the call itself."""

from __future__ import annotations

from typing import Any

from calls.realtime.config import ToolDeclaration
from calls.realtime.hooks import ToolContext
from calls.tool_registry import register


@register(
    ToolDeclaration(
        name="end_call",
        description=(
            "End the call after saying goodbye, when the caller is done or asks to hang up. "
            "The call ends once your goodbye has been played."
        ),
        parameters={
            "type": "object",
            "properties": {
                "reason": {"type": "string", "description": "Why the call ends, in a few words."}
            },
            "additionalProperties": False,
        },
        guidance="when the caller has nothing else, call it and then say a short goodbye.",
    ),
    label="End the call",
    order=90,
)
async def end_call(arguments: dict[str, Any], context: ToolContext) -> dict[str, Any]:
    context.request_end()
    return {"ok": True, "message": "Say a short, warm goodbye now; the call ends after it."}
