"""Tools of the contacts app: what the caller says becomes clean, deduplicated contact data."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from calls.realtime.config import ToolDeclaration
from calls.realtime.hooks import ToolContext
from calls.services import call_contact_save, call_log_user_info_update
from calls.tool_registry import register
from contacts.models import Contact
from contacts.normalize import NormalizationError, normalize_email, normalize_name, normalize_phone
from contacts.services import ContactChanges

FIELDS = {
    "name": {
        "type": "string",
        "description": "The caller's name as said, e.g. 'ada lovelace' or 'J-O-H-N'.",
    },
    "email": {
        "type": "string",
        "description": "Email as said or written, e.g. 'john dot doe at gmail dot com'.",
    },
    "phone": {
        "type": "string",
        "description": "Phone number as said, e.g. 'oh two oh seven one eight three...' or "
        "'+44 20 7183 8750'; include the country code if the caller gave one.",
    },
}


def normalised_details(arguments: dict[str, Any], region: str) -> tuple[dict[str, str], list[str]]:
    """Clean values for the fields given, and what is wrong with the others."""
    values: dict[str, str] = {}
    problems: list[str] = []
    for field, normaliser in (
        ("name", normalize_name),
        ("email", normalize_email),
        ("phone", lambda text: str(normalize_phone(text, region=region)).split(";ext=")[0]),
    ):
        raw = arguments.get(field)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        if not isinstance(raw, str):
            problems.append(f"{field} must be text")
            continue
        try:
            values[field] = normaliser(raw)
        except NormalizationError as error:
            problems.append(str(error))
    return values, problems


def _contact_payload(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "name": contact.name or None,
        "email": contact.email or None,
        "phone": contact.phone or None,
    }


async def remember_details(context: ToolContext, values: dict[str, str]) -> None:
    context.user_info.update(values)
    await database_sync_to_async(call_log_user_info_update)(
        call_id=context.call_id, user_info=dict(context.user_info)
    )
    await context.send_to_client({"type": "user_info", "user_info": dict(context.user_info)})


@register(
    ToolDeclaration(
        name="update_user_info",
        description=(
            "Record the caller's name, email address and/or phone number as soon as they "
            "say them. Pass only the fields you learned, as the caller said them; call again "
            'to correct one. Example: {"email": "ada at example dot com"}.'
        ),
        parameters={"type": "object", "properties": FIELDS, "additionalProperties": False},
        guidance="call it whenever the caller tells you their name, email or phone; ask for "
        "them in that order, one at a time, and read the cleaned email back letter by letter.",
    ),
    label="Capture name, email and phone",
    order=10,
)
async def update_user_info(arguments: dict[str, Any], context: ToolContext) -> dict[str, Any]:
    values, problems = normalised_details(arguments, context.extra.get("region", "US"))
    if not values and not problems:
        return {"ok": False, "error": "Pass at least one of name, email or phone."}
    if values:
        await remember_details(context, values)
    result: dict[str, Any] = {"ok": not problems, "user_info": dict(context.user_info)}
    if problems:
        result["error"] = " ".join(problems)
    return result


async def _save(
    arguments: dict[str, Any], context: ToolContext, *, require_identity: bool
) -> dict[str, Any]:
    values, problems = normalised_details(arguments, context.extra.get("region", "US"))
    if problems:
        # Nothing is stored while any value is wrong: the model asks again first.
        return {"ok": False, "error": " ".join(problems)}
    if require_identity and not ("email" in values or "phone" in values):
        return {
            "ok": False,
            "error": "An email address or a phone number is needed to save "
            "the contact; ask for one.",
        }
    if not values:
        return {"ok": False, "error": "Pass the fields to change."}
    contact, created = await database_sync_to_async(call_contact_save)(
        call_id=context.call_id,
        owner_id=context.extra["owner_id"],
        agent_id=context.agent_id,
        changes=ContactChanges(**values),
        contact_id=context.extra.get("contact_id"),
    )
    context.extra["contact_id"] = contact.pk
    await remember_details(context, values)
    payload = _contact_payload(contact)
    await context.send_to_client({"type": "contact_saved", "contact": payload})
    return {"ok": True, "created": created, "contact": payload}


@register(
    ToolDeclaration(
        name="save_contact",
        description=(
            "Save the caller as a contact once you have their name and an email or phone "
            "number, and they confirmed them. Pass the values as the caller said them. "
            "A returning caller (same email or phone) is updated, not duplicated."
        ),
        parameters={
            "type": "object",
            "properties": FIELDS,
            "required": ["name"],
            "additionalProperties": False,
        },
        guidance="after reading the details back and the caller confirming them.",
    ),
    label="Save the caller as a contact",
    order=11,
)
async def save_contact(arguments: dict[str, Any], context: ToolContext) -> dict[str, Any]:
    return await _save(arguments, context, require_identity=True)


@register(
    ToolDeclaration(
        name="update_contact",
        description=(
            "Correct the saved contact when the caller changes a detail. Pass only the "
            'changed fields, e.g. {"phone": "+1 415 555 0134"}.'
        ),
        parameters={"type": "object", "properties": FIELDS, "additionalProperties": False},
        guidance="when the caller corrects a detail after the contact was saved.",
    ),
    label="Correct a saved contact",
    order=12,
)
async def update_contact(arguments: dict[str, Any], context: ToolContext) -> dict[str, Any]:
    if "contact_id" not in context.extra:
        return {"ok": False, "error": "No contact was saved in this call yet; use save_contact."}
    return await _save(arguments, context, require_identity=False)
