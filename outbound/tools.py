"""The outbound app's tool: a person asks never to be called again."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from calls.realtime.config import ToolDeclaration
from calls.realtime.hooks import ToolContext
from calls.tool_registry import register
from outbound.services import call_contact_opt_out


@register(
    ToolDeclaration(
        name="opt_out_of_calls",
        description='The person asks not to be called again ("don\'t call me again", '
        '"take me off your list"). Marks them so that they are never called again.',
        parameters={
            "type": "object",
            "properties": {
                "reason": {"type": "string", "description": "Their words, briefly."},
            },
            "additionalProperties": False,
        },
        guidance="when someone asks not to be called again: call it at once, confirm they "
        "will not be called again, apologise for the trouble, and end the call politely.",
    ),
    label='Opt out of calls ("don\'t call me again")',
    order=70,
)
async def opt_out_of_calls(arguments: dict[str, Any], context: ToolContext) -> dict[str, Any]:
    reason = arguments.get("reason")
    if reason is not None and not isinstance(reason, str):
        return {"ok": False, "error": "reason must be text"}
    opted_out = await database_sync_to_async(call_contact_opt_out)(
        call_id=context.call_id, phone=str(context.user_info.get("phone") or "")
    )
    if not opted_out:
        return {
            "ok": False,
            "error": "There is no phone number for this person: ask for it, save it with "
            "save_contact, then call opt_out_of_calls again.",
        }
    return {"ok": True, "opted_out": True}
