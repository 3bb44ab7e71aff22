"""The offline engine speaks the GA protocol faithfully and understands typed details."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
from typing import Any

import numpy as np

from calls.realtime.audio import SAMPLE_RATE, float_to_pcm16
from calls.realtime.config import WEB_AUDIO_FORMAT, AgentSnapshot, session_update
from calls.realtime.engines.offline.dialogue import NO_RECOGNISER, DialogueState, reply_to_user
from calls.realtime.engines.offline.engine import OfflineUpstream
from calls.tests.fake_openai import validate_server_event
from calls.tool_registry import declarations_for


async def _send_frame(upstream: OfflineUpstream, frame: str) -> None:
    """What a WebSocket frame would carry, handed over as the session does (a dict)."""
    await upstream.send(json.loads(frame))


async def _drain(upstream: OfflineUpstream, until: str, timeout: float = 5) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    async with asyncio.timeout(timeout):
        while True:
            # Through JSON, as on the wire: the in-process events must be what OpenAI would send.
            event = json.loads(json.dumps(await upstream.recv()))
            validate_server_event(event)  # every event must be a valid GA server event
            events.append(event)
            if event["type"] == until:
                return events


def _agent() -> AgentSnapshot:
    return AgentSnapshot(
        agent_id=1,
        public_id="a",
        name="A",
        greeting="Hi",
        instructions="Be nice.",
        voice="marin",
        model="gpt-realtime",
        language="en",
        timezone="UTC",
        tools=declarations_for(["update_user_info", "end_call"]),
    )


def _tone(ms: int, amplitude: float) -> str:
    t = np.arange(int(SAMPLE_RATE * ms / 1000)) / SAMPLE_RATE
    return base64.b64encode(float_to_pcm16(amplitude * np.sin(2 * np.pi * 300 * t))).decode()


async def test_configuration_and_a_spoken_reply_are_valid_ga_events() -> None:
    upstream = OfflineUpstream()
    await _drain(upstream, "session.created")
    update = session_update(_agent(), now=dt.datetime.now(dt.UTC), audio_format=WEB_AUDIO_FORMAT)
    await _send_frame(upstream, json.dumps(update))
    updated = await _drain(upstream, "session.updated")
    assert updated[-1]["session"]["tools"][0]["name"] == "update_user_info"
    await _send_frame(
        upstream,
        json.dumps(
            {
                "type": "response.create",
                "response": {
                    "instructions": 'Say exactly this greeting: "Hello caller"',
                    "metadata": {"purpose": "greeting"},
                },
            }
        ),
    )
    events = await _drain(upstream, "response.done")
    kinds = [e["type"] for e in events]
    assert kinds[0] == "response.created" and "response.output_audio.delta" in kinds
    done = events[-1]["response"]
    assert done["status"] == "completed" and done["metadata"] == {"purpose": "greeting"}
    transcript = next(e for e in events if e["type"] == "response.output_audio_transcript.done")
    assert transcript["transcript"] == "Hello caller"
    audio = b"".join(
        base64.b64decode(e["delta"]) for e in events if e["type"] == "response.output_audio.delta"
    )
    assert len(audio) > 0 and len(audio) % 2 == 0
    await upstream.close()


async def test_energy_turn_detection_finds_speech_and_its_end() -> None:
    upstream = OfflineUpstream()
    await _send_frame(
        upstream,
        json.dumps(
            session_update(_agent(), now=dt.datetime.now(dt.UTC), audio_format=WEB_AUDIO_FORMAT)
        ),
    )
    await _drain(upstream, "session.updated")
    for _ in range(10):  # 500 ms of silence: nothing happens
        await _send_frame(
            upstream, json.dumps({"type": "input_audio_buffer.append", "audio": _tone(50, 0.0)})
        )
    for _ in range(6):  # 300 ms of speech
        await _send_frame(
            upstream, json.dumps({"type": "input_audio_buffer.append", "audio": _tone(50, 0.5)})
        )
    started = await _drain(upstream, "input_audio_buffer.speech_started")
    assert 400 <= started[-1]["audio_start_ms"] <= 600
    for _ in range(12):  # 600 ms of silence ends the turn (silence_duration_ms 500)
        await _send_frame(
            upstream, json.dumps({"type": "input_audio_buffer.append", "audio": _tone(50, 0.0)})
        )
    events = await _drain(upstream, "response.done")
    kinds = [e["type"] for e in events]
    assert kinds.index("input_audio_buffer.speech_stopped") < kinds.index("response.created")
    assert "input_audio_buffer.committed" in kinds
    await upstream.close()


async def test_barge_in_cancels_the_offline_reply() -> None:
    upstream = OfflineUpstream()
    await _drain(upstream, "session.created")
    await _send_frame(
        upstream,
        json.dumps(
            {
                "type": "response.create",
                "response": {
                    "instructions": 'Say exactly this greeting: "'
                    + "A very long greeting. " * 30
                    + '"'
                },
            }
        ),
    )
    await _drain(upstream, "response.output_audio.delta")
    await _send_frame(upstream, json.dumps({"type": "response.cancel"}))
    events = await _drain(upstream, "response.done")
    assert events[-1]["response"]["status"] == "cancelled"
    await upstream.close()


async def _speak_once(upstream: OfflineUpstream) -> list[dict[str, Any]]:
    """300 ms of speech then 600 ms of silence: one spoken turn, and what follows it."""
    for amplitude, frames in ((0.5, 6), (0.0, 12)):
        for _ in range(frames):
            await upstream.send(
                {"type": "input_audio_buffer.append", "audio": _tone(50, amplitude)}
            )
    return await _drain(upstream, "response.done")


async def test_speech_is_explained_once_then_met_with_silence() -> None:
    upstream = OfflineUpstream()
    await upstream.send(
        session_update(_agent(), now=dt.datetime.now(dt.UTC), audio_format=WEB_AUDIO_FORMAT)
    )
    await _drain(upstream, "session.updated")
    first = await _speak_once(upstream)
    spoken = [
        e["transcript"] for e in first if e["type"] == "response.output_audio_transcript.done"
    ]
    assert spoken == [NO_RECOGNISER]
    second = await _speak_once(upstream)
    kinds = [e["type"] for e in second]
    assert "conversation.item.input_audio_transcription.failed" in kinds
    # An empty, completed response: nothing said, and the caller's side stops waiting.
    assert "response.output_audio.delta" not in kinds
    assert (
        second[-1]["response"]["status"] == "completed" and second[-1]["response"]["output"] == []
    )
    await upstream.close()


def test_goodbye_calls_end_call_when_enabled() -> None:
    state = DialogueState(tools={"end_call"})
    action = reply_to_user("thanks, bye", state)
    assert getattr(action, "name", None) == "end_call"
