"""Barge-in: listening first, late audio dropped, truncate clamped, cancel only when needed."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from agents.models import Agent
from calls.models import TranscriptTurn
from calls.tests.conftest import CallClient
from calls.tests.fake_openai import FakeConnection, FakeRealtimeServer, pcm_chunks

pytestmark = pytest.mark.django_db(transaction=True)

SECOND_OF_AUDIO = pcm_chunks(20, seed=5)  # 20 × 50 ms


async def _speaking(
    fake: FakeRealtimeServer, *, finish: bool
) -> tuple[CallClient, FakeConnection, uuid.UUID, str, str]:
    client = CallClient()
    assert await client.connect()
    ready = await client.until("ready")
    await client.until("response_done")  # greeting
    upstream = await fake.connection()
    response_id, item_id = await upstream.speak(
        "A long answer that the caller will interrupt.", SECOND_OF_AUDIO, finish=finish
    )
    while len(client.audio_bytes(item_id)) < len(SECOND_OF_AUDIO):
        await client.receive()
    return client, upstream, uuid.UUID(ready["call_id"]), response_id, item_id


async def test_speech_interrupts_at_the_reported_playback_position(
    agent: Agent, fake: FakeRealtimeServer
) -> None:
    client, upstream, call_id, response_id, item_id = await _speaking(fake, finish=False)
    await client.send(type="playback", item_id=item_id, played_ms=300)
    await asyncio.sleep(0.05)
    await upstream.emit("input_audio_buffer.speech_started", audio_start_ms=5000, item_id="item_u")
    assert (await client.until("listening"))["type"] == "listening"
    truncate = (await upstream.wait_for("conversation.item.truncate"))[0]
    assert truncate["item_id"] == item_id and truncate["content_index"] == 0
    assert 300 <= truncate["audio_end_ms"] <= 600
    # interrupt_response is on: the server cancels by itself.
    assert upstream.of_type("response.cancel") == []

    # Late audio of the interrupted response never reaches the caller.
    await upstream.emit(
        "response.output_audio.delta",
        response_id=response_id,
        item_id=item_id,
        output_index=0,
        content_index=0,
        delta="AAAA",
    )
    await upstream.emit(
        "response.output_audio_transcript.done",
        response_id=response_id,
        item_id=item_id,
        output_index=0,
        content_index=0,
        transcript="A long answer that the caller will interrupt.",
    )
    await upstream.finish_response(response_id, [], status="cancelled")
    await client.until("response_done")
    listening_at = client.messages.index(client.received("listening")[0])
    assert not [m for m in client.messages[listening_at:] if m["type"] == "audio"]

    await asyncio.sleep(1.2)
    turn = await TranscriptTurn.objects.aget(call_id=call_id, item_id=item_id)
    assert turn.interrupted is True
    await client.close()


async def test_client_cancel_cancels_and_truncates_at_its_position(
    agent: Agent, fake: FakeRealtimeServer
) -> None:
    client, upstream, _, _, _item_id = await _speaking(fake, finish=False)
    await client.send(type="cancel", played_ms=450)
    truncate = (await upstream.wait_for("conversation.item.truncate"))[0]
    assert 450 <= truncate["audio_end_ms"] < 600
    # The client asked to cancel: the bridge cancels the response itself.
    await upstream.wait_for("response.cancel")
    await client.close()


async def test_a_report_beyond_the_audio_sent_means_nothing_to_truncate(
    agent: Agent, fake: FakeRealtimeServer
) -> None:
    client, upstream, _, _, _item_id = await _speaking(fake, finish=False)
    await client.send(type="cancel", played_ms=999_999)
    await upstream.wait_for("response.cancel")
    await asyncio.sleep(0.1)
    assert upstream.of_type("conversation.item.truncate") == []
    await client.close()


async def test_without_reports_the_wall_clock_estimate_is_used(
    agent: Agent, fake: FakeRealtimeServer
) -> None:
    client, upstream, _, _, _item_id = await _speaking(fake, finish=True)
    await asyncio.sleep(0.2)
    await upstream.emit("input_audio_buffer.speech_started", audio_start_ms=0, item_id="item_u")
    truncate = (await upstream.wait_for("conversation.item.truncate"))[0]
    assert 150 <= truncate["audio_end_ms"] < 1000
    # The response was already done: nothing to cancel.
    await asyncio.sleep(0.1)
    assert upstream.of_type("response.cancel") == []
    await client.close()


async def test_fully_played_audio_is_not_truncated(agent: Agent, fake: FakeRealtimeServer) -> None:
    client, upstream, _, _, item_id = await _speaking(fake, finish=True)
    await client.send(type="playback", item_id=item_id, played_ms=1000)
    await asyncio.sleep(0.05)
    await upstream.emit("input_audio_buffer.speech_started", audio_start_ms=0, item_id="item_u")
    await client.until("listening")
    await asyncio.sleep(0.2)
    assert upstream.of_type("conversation.item.truncate") == []
    await client.close()


async def test_bridge_cancels_when_the_server_does_not_interrupt(
    agent: Agent, fake: FakeRealtimeServer
) -> None:
    agent.interrupt_response = False
    await agent.asave()
    client, upstream, _, _, _ = await _speaking(fake, finish=False)
    update = upstream.of_type("session.update")[0]["session"]
    assert update["audio"]["input"]["turn_detection"]["interrupt_response"] is False
    await upstream.emit("input_audio_buffer.speech_started", audio_start_ms=0, item_id="item_u")
    await client.until("listening")
    await upstream.wait_for("response.cancel")
    await upstream.wait_for("conversation.item.truncate")
    await client.close()
