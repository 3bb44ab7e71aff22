"""Greeting, audio relay, typed text and transcripts through the real consumer."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest

from agents.models import Agent
from calls.models import CallLog, TranscriptTurn
from calls.tests.conftest import CallClient
from calls.tests.fake_openai import FakeRealtimeServer, pcm_chunks

pytestmark = pytest.mark.django_db(transaction=True)


async def test_session_is_configured_in_the_ga_shape(
    agent: Agent, fake: FakeRealtimeServer
) -> None:
    client = CallClient()
    assert await client.connect()
    ready = await client.until("ready")
    assert ready["input_sample_rate"] == 24000 and ready["agent"]["name"] == "Front desk"
    upstream = await fake.connection()
    update = upstream.of_type("session.update")[0]["session"]
    assert update["type"] == "realtime"
    assert update["audio"]["input"]["format"] == {"type": "audio/pcm", "rate": 24000}
    assert update["audio"]["output"]["voice"] == "marin"
    assert update["audio"]["input"]["turn_detection"]["type"] == "server_vad"
    assert update["audio"]["input"]["transcription"]["model"]
    assert {t["name"] for t in update["tools"]} == {
        "update_user_info",
        "save_contact",
        "update_contact",
        "search_knowledge_base",
        "check_availability",
        "schedule_appointment",
        "reschedule_appointment",
        "cancel_appointment",
        "end_call",
        "opt_out_of_calls",
    }
    assert "Current date and time:" in update["instructions"]
    assert "Europe/London" in update["instructions"]
    # The first thing upstream sees is the session configuration.
    assert upstream.received[0]["type"] == "session.update"
    assert fake.handshakes[0]["authorization"] == "Bearer sk-test-not-a-real-key"
    assert "model=gpt-realtime" in fake.handshakes[0]["path"]
    await client.close()


async def test_greeting_is_spoken_once_then_served_from_the_cache(
    agent: Agent, fake: FakeRealtimeServer
) -> None:
    first = CallClient()
    assert await first.connect()
    await first.until("ready")
    done = await first.until("response_done")
    assert first.audio_bytes() == fake.greeting_chunks
    final = [m for m in first.received("transcript") if m["final"]]
    assert final[-1]["text"] == fake.greeting_text
    assert len((await fake.connection(0)).of_type("response.create")) == 1
    await first.send(type="end")
    await first.until("ended")
    await first.close()

    second = CallClient()
    assert await second.connect()
    await second.until("ready")
    await second.until("response_done")
    cached_audio = b"".join(second.audio_bytes())
    assert cached_audio == b"".join(fake.greeting_chunks)
    upstream = await fake.connection(1)
    await upstream.wait_for("conversation.item.create")
    item = upstream.of_type("conversation.item.create")[0]["item"]
    assert item["role"] == "assistant"
    assert item["content"][0] == {"type": "output_text", "text": fake.greeting_text}
    assert upstream.of_type("response.create") == []  # nothing waited for the model
    assert done["type"] == "response_done"
    await second.close()


async def test_caller_audio_goes_upstream_byte_exact_and_in_order(
    agent: Agent, fake: FakeRealtimeServer
) -> None:
    client = CallClient()
    assert await client.connect()
    await client.until("ready")
    frames = pcm_chunks(12, seed=3)
    for frame in frames:
        await client.send(type="audio", audio=base64.b64encode(frame).decode())
    upstream = await fake.connection()
    appended = await upstream.wait_for("input_audio_buffer.append", count=len(frames))
    assert [base64.b64decode(e["audio"]) for e in appended] == frames
    await client.close()


async def test_a_caller_turn_and_the_reply_reach_the_client_and_the_database(
    agent: Agent, fake: FakeRealtimeServer
) -> None:
    reply_chunks = pcm_chunks(5, seed=11)

    async def reply(connection: Any, event: dict[str, Any]) -> None:
        await connection.speak("We open at nine.", reply_chunks)

    fake.on_response_create = reply
    client = CallClient()
    assert await client.connect()
    ready = await client.until("ready")
    await client.until("response_done")  # greeting
    upstream = await fake.connection()
    await upstream.caller_turn("When do you open?")
    await client.until("listening")
    await client.until("processing")
    user_final = await client.until("transcript", role="user", final=True)
    assert user_final["text"] == "When do you open?"
    # VAD answered by itself upstream; the fake creates the reply on request here.
    await upstream.speak("We open at nine.", reply_chunks)
    reply_done = await client.until(
        "transcript", role="assistant", final=True, text="We open at nine."
    )
    assert client.audio_bytes(reply_done["item_id"]) == reply_chunks
    await client.until("response_done")

    await asyncio.sleep(1.3)  # transcripts are persisted within two seconds
    turns = [
        (t.role, t.text)
        async for t in TranscriptTurn.objects.filter(call_id=ready["call_id"]).order_by("seq")
    ]
    assert turns == [
        ("assistant", fake.greeting_text),
        ("user", "When do you open?"),
        ("assistant", "We open at nine."),
    ]
    await client.send(type="end")
    ended = await client.until("ended")
    assert ended == {"type": "ended", "call_id": ready["call_id"], "reason": "client_ended"}
    call = await CallLog.objects.aget(pk=ready["call_id"])
    assert (call.status, call.end_reason) == ("completed", "client_ended")
    assert call.usage["responses"] == 2
    assert call.usage["output_audio_tokens"] == 16
    assert float(call.cost_usd) > 0
    await client.close()


async def test_typed_text_becomes_a_user_turn_and_a_response(
    agent: Agent, fake: FakeRealtimeServer
) -> None:
    client = CallClient()
    assert await client.connect()
    await client.until("ready")
    await client.until("response_done")
    await client.send(type="text", text="  Do you have parking?  ")
    echoed = await client.until("transcript", role="user")
    assert echoed["text"] == "Do you have parking?" and echoed["final"] is True
    upstream = await fake.connection()
    await upstream.wait_for("response.create", count=2)
    created = upstream.of_type("conversation.item.create")[-1]["item"]
    assert created == {
        "type": "message",
        "role": "user",
        "content": [{"type": "input_text", "text": "Do you have parking?"}],
    }
    await client.close()


async def test_ping_is_answered_with_the_same_id(agent: Agent, fake: FakeRealtimeServer) -> None:
    client = CallClient()
    assert await client.connect()
    await client.send(type="ping", id="p-1")
    assert (await client.until("pong")) == {"type": "pong", "id": "p-1"}
    await client.close()


async def test_monitor_group_receives_client_visible_events(
    agent: Agent, fake: FakeRealtimeServer
) -> None:
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    client = CallClient()
    assert await client.connect()
    ready = await client.until("ready")
    channel = await layer.new_channel()
    await layer.group_add(f"call.{ready['call_id']}", channel)
    await client.send(type="text", text="hello")
    seen = []
    async with asyncio.timeout(5):
        while "transcript" not in seen:
            message = await layer.receive(channel)
            assert message["type"] == "call.event"
            seen.append(message["event"]["type"])
    assert json.dumps(seen)
    await client.close()
