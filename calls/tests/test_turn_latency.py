"""Turn latency through the real consumer: stored on the agent turns and as the call's
p50/p95, with the fake OpenAI server and with the offline engine."""

from __future__ import annotations

import asyncio
import base64
import uuid

import numpy as np
import pytest
from pytest_django import Settings

from agents.models import Agent
from calls.models import CallLog, TranscriptTurn
from calls.tests.conftest import CallClient
from calls.tests.fake_openai import FakeRealtimeServer, pcm_chunks

pytestmark = pytest.mark.django_db(transaction=True)


async def _turns(call_id: str) -> list[TranscriptTurn]:
    turns = TranscriptTurn.objects.filter(call_id=uuid.UUID(call_id)).order_by("seq")
    return [t async for t in turns]


async def test_speech_stopped_to_first_audio_is_stored_per_turn_and_per_call(
    agent: Agent, fake: FakeRealtimeServer
) -> None:
    client = CallClient()
    assert await client.connect()
    ready = await client.until("ready")
    await client.until("response_done")  # greeting
    upstream = await fake.connection()
    delays = [0.1, 0.3, 0.2]
    for index, delay in enumerate(delays):
        await upstream.caller_turn(f"Question {index}")
        await client.until("processing")
        await asyncio.sleep(delay)  # the model thinks
        await upstream.speak(f"Answer {index}.", pcm_chunks(3, seed=index))
        await client.until("transcript", role="assistant", final=True, text=f"Answer {index}.")
        await client.until("response_done")
    await client.send(type="end")
    await client.until("ended")
    await client.close()

    turns = await _turns(ready["call_id"])
    assert [t.role for t in turns] == ["assistant"] + ["user", "assistant"] * 3
    assert turns[0].latency_ms is None  # the greeting answers nobody
    assert all(t.latency_ms is None for t in turns if t.role == "user")
    measured = [t.latency_ms for t in turns[1:] if t.role == "assistant"]
    for latency, delay in zip(measured, delays, strict=True):
        assert latency is not None
        assert delay * 1000 - 5 <= latency <= delay * 1000 + 250, (latency, delay)
    call = await CallLog.objects.aget(pk=ready["call_id"])
    ordered = sorted(m for m in measured if m is not None)
    assert call.latency_p50_ms == ordered[1]
    assert call.latency_p95_ms is not None and ordered[1] <= call.latency_p95_ms <= ordered[2]


async def test_a_barge_in_before_any_audio_is_not_measured(
    agent: Agent, fake: FakeRealtimeServer
) -> None:
    client = CallClient()
    assert await client.connect()
    ready = await client.until("ready")
    await client.until("response_done")
    upstream = await fake.connection()
    await upstream.caller_turn("First part")
    await client.until("processing")
    response_id = await upstream.start_response()
    # The caller goes on before the reply's audio: the server cancels the response.
    await upstream.emit("input_audio_buffer.speech_started", audio_start_ms=2000, item_id="u2")
    await client.until("listening")
    await upstream.finish_response(response_id, [], status="cancelled")
    await client.until("response_done")
    await client.send(type="end")
    await client.until("ended")
    await client.close()
    call = await CallLog.objects.aget(pk=ready["call_id"])
    assert (call.latency_p50_ms, call.latency_p95_ms) == (None, None)
    assert all(t.latency_ms is None for t in await _turns(ready["call_id"]))


def _speech_then_silence() -> list[str]:
    """300 ms at a speaking level, then 700 ms quiet, in 50 ms frames of PCM16 24 kHz."""
    t = np.arange(1200) / 24000
    loud = (0.3 * 32767 * np.sin(2 * np.pi * 300 * t)).astype("<i2").tobytes()
    quiet = bytes(2400)
    return [base64.b64encode(loud if i < 6 else quiet).decode() for i in range(20)]


async def test_offline_engine_turns_spoken_and_typed_are_measured(
    agent: Agent, settings: Settings
) -> None:
    settings.VOICEAGENT_ENGINE = "offline"
    settings.OPENAI_API_KEY = ""
    client = CallClient()
    assert await client.connect()
    ready = await client.until("ready")
    await client.until("response_done", timeout=10)  # greeting
    for frame in _speech_then_silence():
        await client.send(type="audio", audio=frame)
        await asyncio.sleep(0.05)
    await client.until("processing")
    await client.until("response_done", timeout=10)  # "I can hear you, but…"
    await client.send(type="text", text="Hi, my name is Ada Lovelace")
    await client.until("user_info", timeout=10)
    await client.until("transcript", role="assistant", final=True, timeout=10)
    await client.until("response_done", timeout=10)
    await client.send(type="end")
    await client.until("ended", timeout=10)
    await client.close()

    turns = await _turns(ready["call_id"])
    agent_turns = [t for t in turns if t.role == "assistant"]
    assert agent_turns[0].latency_ms is None
    assert "type your answer" in agent_turns[1].text
    measured = [t.latency_ms for t in agent_turns[1:]]
    assert len(measured) >= 2 and all(m is not None and 0 <= m < 5000 for m in measured)
    call = await CallLog.objects.aget(pk=ready["call_id"])
    assert call.latency_p50_ms is not None and call.latency_p95_ms is not None
    assert call.latency_p50_ms <= call.latency_p95_ms
