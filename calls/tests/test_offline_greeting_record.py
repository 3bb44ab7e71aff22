"""Everything the caller saw or heard of the greeting is in the stored transcript, even
when they type before it has finished (the usual way to use the offline demo)."""

from __future__ import annotations

import pytest
from pytest_django import Settings

from agents.models import Agent
from calls.models import CallLog
from calls.tests.conftest import CallClient, calls_settled

pytestmark = [pytest.mark.django_db(transaction=True)]


async def test_a_message_typed_over_the_greeting_keeps_what_was_shown_of_it(
    agent: Agent, settings: Settings
) -> None:
    settings.VOICEAGENT_ENGINE = "offline"
    settings.OPENAI_API_KEY = ""
    client = CallClient()
    assert await client.connect()
    ready = await client.until("ready")
    # The caller types as soon as the greeting starts: its first caption is on screen.
    first = await client.until("transcript", role="assistant")
    await client.send(type="text", text="Hi, my name is Ada Lovelace")
    await client.until("user_info", timeout=10)
    await client.send(type="end")
    await client.until("ended", timeout=10)
    await client.close()
    await calls_settled()

    shown = "".join(
        m["text"]
        for m in client.received("transcript")
        if m["item_id"] == first["item_id"] and not m["final"]
    )
    assert shown
    call = await CallLog.objects.aget(pk=ready["call_id"])
    turns = [t async for t in call.turns.order_by("seq")]
    assert [t.role for t in turns[:2]] == ["assistant", "user"]
    greeting = turns[0]
    assert greeting.item_id == first["item_id"]
    assert greeting.text == shown.strip() and agent.greeting.startswith(greeting.text)
    assert greeting.interrupted is True
    assert turns[1].text == "Hi, my name is Ada Lovelace"


async def test_an_uninterrupted_greeting_is_stored_whole(agent: Agent, settings: Settings) -> None:
    settings.VOICEAGENT_ENGINE = "offline"
    settings.OPENAI_API_KEY = ""
    client = CallClient()
    assert await client.connect()
    ready = await client.until("ready")
    await client.until("response_done", timeout=10)
    await client.send(type="text", text="Hi, my name is Ada Lovelace")
    await client.until("user_info", timeout=10)
    await client.send(type="end")
    await client.until("ended", timeout=10)
    await client.close()
    await calls_settled()
    call = await CallLog.objects.aget(pk=ready["call_id"])
    greeting = await call.turns.order_by("seq").afirst()
    assert greeting is not None
    assert (greeting.role, greeting.text, greeting.interrupted) == (
        "assistant",
        agent.greeting,
        False,
    )


async def test_hanging_up_over_the_greeting_keeps_what_was_shown_of_it(
    agent: Agent, settings: Settings
) -> None:
    settings.VOICEAGENT_ENGINE = "offline"
    settings.OPENAI_API_KEY = ""
    client = CallClient()
    assert await client.connect()
    ready = await client.until("ready")
    await client.until("transcript", role="assistant")
    await client.send(type="end")
    await client.until("ended", timeout=10)
    await client.close()
    await calls_settled()
    call = await CallLog.objects.aget(pk=ready["call_id"])
    turns = [t async for t in call.turns.order_by("seq")]
    assert [t.role for t in turns] == ["assistant"]
    assert turns[0].text and agent.greeting.startswith(turns[0].text)
