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


TRANSFER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "reason": {
            "type": "string",
            "description": "Why the caller needs a person, in a few words.",
        },
        "summary": {
            "type": "string",
            "description": "One sentence for the person taking the call: who is calling "
            "and what they need, e.g. 'Ana Ruiz wants to move her Friday cleaning.'",
        },
    },
    "required": ["reason", "summary"],
    "additionalProperties": False,
}


@register(
    ToolDeclaration(
        name="transfer_call",
        description=(
            "Transfer the caller to a person on the team, when they ask for a person or "
            "need what you cannot do. The transfer starts once your next sentence has "
            "been played."
        ),
        parameters=TRANSFER_SCHEMA,
        guidance="when the caller asks for a person, call it, then say in one short "
        "sentence that you are putting them through; say nothing after that.",
    ),
    label="Transfer to a person (phone calls, with a transfer number)",
    order=85,
    requires=frozenset({"phone", "transfer_number"}),
)
async def transfer_call(arguments: dict[str, Any], context: ToolContext) -> dict[str, Any]:
    if context.request_transfer is None:
        return {"ok": False, "error": "This call cannot be transferred; offer to take a message."}
    reason = " ".join(str(arguments.get("reason") or "").split())[:300]
    summary = " ".join(str(arguments.get("summary") or "").split())[:300]
    if not summary:
        summary = reason or "A caller asked to speak to a person."
    context.request_transfer(reason, summary)
    return {
        "ok": True,
        "message": "Tell the caller in one short sentence that you are putting them through "
        "to a person now. The transfer starts when you have said it.",
    }
