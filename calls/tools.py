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

import phonenumbers
from channels.db import database_sync_to_async
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from calls.realtime.config import ToolDeclaration
from calls.realtime.hooks import ToolContext
from calls.services import call_log_user_info_update

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


def _region_of(language: str) -> str | None:
    parts = language.split("-")
    return parts[1].upper() if len(parts) > 1 and len(parts[1]) == 2 else None


def _normalised_phone(raw: str, region: str | None) -> str | None:
    try:
        number = phonenumbers.parse(raw, region or "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@register(
    ToolDeclaration(
        name="update_user_info",
        description=(
            "Record the caller's name, email address and/or phone number as soon as they "
            "say them. Pass only the fields you learned; call again to correct one. "
            'Example: {"name": "Ada Lovelace"} or {"email": "ada@example.com"}.'
        ),
        parameters={
            "type": "object",
            "properties": {
                "name": {"type": "string", "description": "Full name as the caller gave it."},
                "email": {"type": "string", "description": "Email address, e.g. ada@example.com"},
                "phone": {
                    "type": "string",
                    "description": "Phone number with country code if given, e.g. +44 20 7183 8750",
                },
            },
            "additionalProperties": False,
        },
        guidance="call it whenever the caller tells you their name, email or phone; "
        "ask for them in that order, one at a time, and spell the email back.",
    )
)
async def update_user_info(arguments: dict[str, Any], context: ToolContext) -> dict[str, Any]:
    problems: list[str] = []
    changes: dict[str, str] = {}
    name = str(arguments.get("name") or "").strip()
    if name:
        changes["name"] = name[:200]
    email = str(arguments.get("email") or "").strip().lower()
    if email:
        try:
            validate_email(email)
            changes["email"] = email
        except ValidationError:
            problems.append(f"'{email}' is not a valid email address; ask for it again")
    phone = str(arguments.get("phone") or "").strip()
    if phone:
        normalised = _normalised_phone(phone, _region_of(context.extra.get("language", "")))
        if normalised:
            changes["phone"] = normalised
        else:
            problems.append(f"'{phone}' is not a valid phone number; ask for it again")
    if not changes and not problems:
        return {"ok": False, "error": "Pass at least one of name, email or phone."}
    if changes:
        context.user_info.update(changes)
        await database_sync_to_async(call_log_user_info_update)(
            call_id=context.call_id, user_info=dict(context.user_info)
        )
        await context.send_to_client({"type": "user_info", "user_info": dict(context.user_info)})
    result: dict[str, Any] = {"ok": not problems, "user_info": dict(context.user_info)}
    if problems:
        result["error"] = "; ".join(problems)
    return result


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
    )
)
async def end_call(arguments: dict[str, Any], context: ToolContext) -> dict[str, Any]:
    context.request_end()
    return {"ok": True, "message": "Say a short, warm goodbye now; the call ends after it."}
