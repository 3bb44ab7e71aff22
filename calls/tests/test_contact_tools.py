"""Contact tools through the bridge: messy arguments become clean, deduplicated rows."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from calls.models import CallLog
from calls.tests.conftest import CallClient
from calls.tests.fake_openai import FakeRealtimeServer
from contacts.models import Contact

pytestmark = pytest.mark.django_db(transaction=True)


async def _call(fake: FakeRealtimeServer) -> tuple[CallClient, Any, str]:
    client = CallClient()
    assert await client.connect()
    call_id = (await client.until("ready"))["call_id"]
    await client.until("response_done")
    return client, await fake.connection(), call_id


async def _last_output(upstream: Any, count: int) -> dict[str, Any]:
    outputs = await upstream.wait_for("conversation.item.create", count=count)
    return json.loads(outputs[-1]["item"]["output"])


async def test_save_contact_with_messy_arguments_gives_a_clean_row(
    agent: Any, fake: FakeRealtimeServer
) -> None:
    agent.country = "GB"
    await agent.asave()
    client, upstream, call_id = await _call(fake)
    await upstream.call_functions(
        [
            (
                "save_contact",
                {
                    "name": "my name is A-D-A lovelace",
                    "email": "ada dot lovelace at example dot co dot uk",
                    "phone": "oh two oh seven one eight three eight seven five oh",
                },
            )
        ]
    )
    saved = await client.until("contact_saved")
    contact = await Contact.objects.aget()
    assert (contact.name, contact.email, contact.phone) == (
        "Ada Lovelace",
        "ada.lovelace@example.co.uk",
        "+442071838750",
    )
    assert saved["contact"] == {
        "id": contact.pk,
        "name": "Ada Lovelace",
        "email": "ada.lovelace@example.co.uk",
        "phone": "+442071838750",
    }
    assert contact.source_call_id is not None and str(contact.source_call_id) == call_id
    assert (await CallLog.objects.aget(pk=call_id)).contact_id == contact.pk
    result = await _last_output(upstream, 1)
    assert result["ok"] is True and result["created"] is True

    # A correction updates the same row.
    await upstream.call_functions([("update_contact", {"phone": "+1 415 555 0134"})])
    await client.until("contact_saved")
    await contact.arefresh_from_db()
    assert contact.phone == "+14155550134"
    assert await Contact.objects.acount() == 1
    await client.close()


async def test_invalid_values_store_nothing_and_tell_the_model(
    agent: Any, fake: FakeRealtimeServer
) -> None:
    client, upstream, _ = await _call(fake)
    await upstream.call_functions([("save_contact", {"name": "Ada", "email": "ada at example"})])
    result = await _last_output(upstream, 1)
    assert result["ok"] is False and "not a complete domain" in result["error"]
    await upstream.call_functions([("save_contact", {"name": "Ada"})])
    result = await _last_output(upstream, 2)
    assert result["ok"] is False and "email address or a phone number" in result["error"]
    await upstream.call_functions([("update_contact", {"name": "Ada"})])
    result = await _last_output(upstream, 3)
    assert result["ok"] is False and "save_contact" in result["error"]
    await asyncio.sleep(0.1)
    assert await Contact.objects.acount() == 0
    assert client.received("contact_saved") == []
    await client.close()


async def test_a_returning_caller_is_updated_not_duplicated(
    agent: Any, fake: FakeRealtimeServer
) -> None:
    existing = await Contact.objects.acreate(
        owner_id=agent.owner_id, name="Ada", email="ada@example.com", status="contacted"
    )
    client, upstream, _ = await _call(fake)
    await upstream.call_functions(
        [
            (
                "save_contact",
                {"name": "ada lovelace", "email": "ADA@example.com", "phone": "+1 (415) 555-0134"},
            )
        ]
    )
    saved = await client.until("contact_saved")
    assert saved["contact"]["id"] == existing.pk
    await existing.arefresh_from_db()
    assert (existing.name, existing.phone, existing.status) == (
        "Ada Lovelace",
        "+14155550134",
        "contacted",
    )
    result = await _last_output(upstream, 1)
    assert result["created"] is False
    assert await Contact.objects.acount() == 1
    await client.close()


async def test_uncertain_values_ask_for_confirmation_in_the_agents_language(
    agent: Any, fake: FakeRealtimeServer
) -> None:
    agent.language = "de"
    agent.country = "DE"
    await agent.asave()
    client, upstream, call_id = await _call(fake)
    await upstream.call_functions(
        [
            (
                "update_user_info",
                {
                    "email": "max at gmial punkt com",
                    "phone": "null dreißig, neun null eins acht zwo null",
                },
            )
        ]
    )
    result = await _last_output(upstream, 1)
    assert result["ok"] is True
    # The doubtful email is held back until the caller says yes; the phone is kept.
    assert result["user_info"].get("email") is None
    assert result["not_saved_until_confirmed"] == {"email": "max@gmial.com"}
    assert result["user_info"]["phone"] == "+4930901820"
    assert list(result["needs_confirmation"]) == ["email"]
    assert "gmail" in result["needs_confirmation"]["email"]
    assert "confirmed: true" in result["next"]
    log = await CallLog.objects.aget(pk=call_id)
    assert not log.user_info.get("email")  # nothing a follow-up could be sent to

    # Saving it unconfirmed stores nothing.
    await upstream.call_functions(
        [("save_contact", {"name": "Max Weber", "email": "max at gmial punkt com"})]
    )
    refused = await _last_output(upstream, 2)
    assert refused["ok"] is False and refused["not_saved_until_confirmed"]
    assert await Contact.objects.acount() == 0

    # The caller said yes: passed again with confirmed, it is kept, and stays confirmed.
    await upstream.call_functions(
        [("update_user_info", {"email": "max at gmial punkt com", "confirmed": True})]
    )
    confirmed = await _last_output(upstream, 3)
    assert confirmed["user_info"]["email"] == "max@gmial.com"
    assert "not_saved_until_confirmed" not in confirmed
    await upstream.call_functions(
        [("save_contact", {"name": "Max Weber", "email": "max at gmial punkt com"})]
    )
    saved = await _last_output(upstream, 4)
    assert saved["ok"] is True
    assert await Contact.objects.filter(email="max@gmial.com").aexists()

    # A clear value needs no confirmation.
    await upstream.call_functions([("update_user_info", {"email": "max klammeraffe web punkt de"})])
    result = await _last_output(upstream, 5)
    assert result["user_info"]["email"] == "max@web.de"
    assert "needs_confirmation" not in result
    await client.close()
