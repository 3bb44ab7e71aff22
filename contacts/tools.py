"""Tools of the contacts app: what the caller says becomes clean, deduplicated contact data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from channels.db import database_sync_to_async

from calls.realtime.config import ToolDeclaration
from calls.realtime.hooks import ToolContext
from calls.services import call_contact_save, call_log_user_info_update
from calls.tool_registry import register
from contacts.models import Contact
from contacts.normalize import (
    NormalizationError,
    Normalized,
    normalize_email,
    normalize_name,
    normalize_phone,
)
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


CONFIRMED = {
    "confirmed": {
        "type": "boolean",
        "description": "true once the caller said yes to the email or phone you read back "
        "to them (see needs_confirmation).",
    }
}
# Emails and phones are what follow-ups go to: a doubtful one waits for the caller's yes.
CONFIRMABLE = ("email", "phone")


class Details(NamedTuple):
    """The clean values of the fields given, what is wrong with the others, and which
    values may be misheard (field → why), to read back before saving."""

    values: dict[str, str]
    problems: list[str]
    needs_confirmation: dict[str, str]


def normalised_details(arguments: dict[str, Any], region: str, *, language: str = "en") -> Details:
    """Each field given, normalised in the agent's language; failures are never values."""
    normalisers: tuple[tuple[str, Callable[[str], Normalized]], ...] = (
        ("name", lambda text: normalize_name(text, language=language)),
        ("email", lambda text: normalize_email(text, language=language)),
        # The contact keeps the E.164 number; an extension is not stored.
        ("phone", lambda text: normalize_phone(text, region=region, language=language)),
    )
    details = Details({}, [], {})
    for field, normaliser in normalisers:
        raw = arguments.get(field)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        if not isinstance(raw, str):
            details.problems.append(f"{field} must be text")
            continue
        try:
            result = normaliser(raw)
        except NormalizationError as error:
            details.problems.append(str(error))
            continue
        details.values[field] = result.value
        if not result.certain:
            details.needs_confirmation[field] = "; ".join(result.doubts)
    return details


def details_for(arguments: dict[str, Any], context: ToolContext) -> Details:
    """``normalised_details`` with the region and language of the call."""
    return normalised_details(
        arguments,
        context.extra.get("region", "US"),
        language=context.extra.get("language", "en"),
    )


CONFIRM = (
    "Read these values back to the caller (an email letter by letter, a phone number digit "
    "by digit). If they say yes, call again with the same values and confirmed: true; "
    "if not, ask for the value again."
)


def held_back(details: Details, arguments: dict[str, Any], context: ToolContext) -> dict[str, str]:
    """The doubtful emails and phones the caller has not confirmed yet (field → value).

    They are not remembered, saved or used for a booking until then: a summary email to
    a misheard address is worse than asking again. A value confirmed once in the call
    (``confirmed: true``) stays confirmed for the rest of it."""
    confirmed: dict[str, str] = context.extra.setdefault("confirmed", {})
    held: dict[str, str] = {}
    for field in CONFIRMABLE:
        value = details.values.get(field)
        if value is None or field not in details.needs_confirmation:
            continue
        if arguments.get("confirmed") is True or confirmed.get(field) == value:
            confirmed[field] = value
        else:
            held[field] = value
    return held


def confirmation_request(details: Details, held: dict[str, str]) -> dict[str, Any]:
    """What the model reads back, and why (nothing when every value is certain)."""
    if not details.needs_confirmation:
        return {}
    request: dict[str, Any] = {"needs_confirmation": details.needs_confirmation, "next": CONFIRM}
    if held:
        request["not_saved_until_confirmed"] = held
    return request


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
        parameters={
            "type": "object",
            "properties": {**FIELDS, **CONFIRMED},
            "additionalProperties": False,
        },
        guidance="call it whenever the caller tells you their name, email or phone; ask for "
        "them in that order, one at a time, and read the cleaned email back letter by letter. "
        "When the result has needs_confirmation, read that email or phone back (letter by "
        "letter, digit by digit); it is kept only once you call again with confirmed: true "
        "after the caller's yes.",
    ),
    label="Capture name, email and phone",
    order=10,
    filler="contact",
)
async def update_user_info(arguments: dict[str, Any], context: ToolContext) -> dict[str, Any]:
    details = details_for(arguments, context)
    if not details.values and not details.problems:
        return {"ok": False, "error": "Pass at least one of name, email or phone."}
    held = held_back(details, arguments, context)
    values = {k: v for k, v in details.values.items() if k not in held}
    if values:
        await remember_details(context, values)
    result: dict[str, Any] = {"ok": not details.problems, "user_info": dict(context.user_info)}
    if details.problems:
        result["error"] = " ".join(details.problems)
    return result | confirmation_request(details, held)


async def _save(
    arguments: dict[str, Any], context: ToolContext, *, require_identity: bool
) -> dict[str, Any]:
    details = details_for(arguments, context)
    values, problems = details.values, details.problems
    if problems:
        # Nothing is stored while any value is wrong: the model asks again first.
        return {"ok": False, "error": " ".join(problems)}
    held = held_back(details, arguments, context)
    if held:
        # Nor while an email or phone may be misheard and the caller has not said yes.
        return {
            "ok": False,
            "error": "Not saved: read the values in needs_confirmation back to the caller "
            "first, then call again with confirmed: true.",
            **confirmation_request(details, held),
        }
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
    result: dict[str, Any] = {"ok": True, "created": created, "contact": payload}
    # A doubtful name is saved; it is still worth reading back.
    return result | confirmation_request(details, {})


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
            "properties": {**FIELDS, **CONFIRMED},
            "required": ["name"],
            "additionalProperties": False,
        },
        guidance="after reading the details back and the caller confirming them; an email "
        "or phone marked needs_confirmation is read back letter by letter or digit by digit "
        "and passed with confirmed: true after the caller's yes.",
    ),
    label="Save the caller as a contact",
    order=11,
    filler="contact",
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
        parameters={
            "type": "object",
            "properties": {**FIELDS, **CONFIRMED},
            "additionalProperties": False,
        },
        guidance="when the caller corrects a detail after the contact was saved.",
    ),
    label="Correct a saved contact",
    order=12,
    filler="contact",
)
async def update_contact(arguments: dict[str, Any], context: ToolContext) -> dict[str, Any]:
    if "contact_id" not in context.extra:
        return {"ok": False, "error": "No contact was saved in this call yet; use save_contact."}
    return await _save(arguments, context, require_identity=False)
