"""The cascade's speech-to-text stage against the loopback transcription fake: a caller's
turn on the phone and on the web, the agent's VAD in a session the package types accept,
refusals, a failing service, and a clean close."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from calls.realtime.config import PHONE_AUDIO, WEB_AUDIO, AgentSnapshot
from calls.realtime.engines.cascade.stt import (
    OpenAITranscription,
    SpeechToTextError,
    transcription_config,
    transcription_url,
)
from calls.tests.fake_cascade.transcription import FakeTranscriptionServer

pytestmark = pytest.mark.embedded_pass_only

KEY = "sk-test-not-real-0123456789"
COMPLETED = "conversation.item.input_audio_transcription.completed"
AGENT = AgentSnapshot(
    agent_id=7, public_id="agt", name="A", greeting="", instructions="", voice="marin",
    model="m", language="en-GB", timezone="UTC", vad_threshold=0.6,
    vad_silence_duration_ms=400,
)  # fmt: skip


@pytest.fixture
async def stt() -> AsyncIterator[FakeTranscriptionServer]:
    fake = FakeTranscriptionServer()
    await fake.start()
    yield fake
    await fake.stop()


def _chunk(audio_format: Any, ms: int) -> str:
    silence = b"\xff" if audio_format is PHONE_AUDIO else b"\x00"
    return base64.b64encode(silence * audio_format.bytes_per_ms * ms).decode()


async def _until(session: OpenAITranscription, kind: str) -> list[dict[str, Any]]:
    events = []
    async for event in session.events():
        events.append(event)
        if event["type"] == kind:
            break
    return events


async def test_a_phone_turn_is_transcribed_with_the_agents_vad(
    stt: FakeTranscriptionServer,
) -> None:
    stt.say("Book me for Monday", at_ms=300, speech_ms=1000)
    session = OpenAITranscription(url=stt.url, api_key=KEY)
    await session.start(transcription_config(AGENT, audio_format=PHONE_AUDIO))
    for _ in range(20):  # 2 s: speech 300-1300 ms, then the VAD's 400 ms of silence
        await session.send_audio(_chunk(PHONE_AUDIO, 100))
    events = await _until(session, COMPLETED)
    await session.close()

    assert [event["type"] for event in events] == [
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        *["conversation.item.input_audio_transcription.delta"] * 4,
        COMPLETED,
    ]
    assert "".join(event["delta"] for event in events[3:7]) == "Book me for Monday"
    assert events[-1]["transcript"] == "Book me for Monday"
    assert events[1]["audio_end_ms"] == 1300
    update = (await stt.connection()).received[0]
    assert update["session"] == {
        "type": "transcription",
        "audio": {
            "input": {
                "format": {"type": "audio/pcmu"},
                "transcription": {"model": "gpt-4o-transcribe", "language": "en"},
                "noise_reduction": {"type": "near_field"},
                "turn_detection": {
                    "type": "server_vad",
                    "threshold": 0.6,
                    "prefix_padding_ms": 300,
                    "silence_duration_ms": 400,
                },
            }
        },
    }
    assert session.usage.input_tokens == 10 and session.usage.output_tokens == 4
    assert session.usage.audio_sent_ms == 2000
    handshake = stt.handshakes[0]
    assert handshake["authorization"] == f"Bearer {KEY}"
    assert "model=" not in handshake["path"] and "intent=transcription" in handshake["path"]
    assert stt.violations == []


async def test_a_web_turn_with_semantic_vad_and_whisper(stt: FakeTranscriptionServer) -> None:
    stt.stop_delay_ms = 200
    stt.say("Is the clinic open on Saturday?", at_ms=100, speech_ms=800)
    agent = replace(AGENT, turn_detection="semantic_vad", vad_eagerness="high")
    agent = replace(agent, noise_reduction="off", language="")
    session = OpenAITranscription(url=stt.url, api_key=KEY)
    await session.start(transcription_config(agent, audio_format=WEB_AUDIO, model="whisper-1"))
    for _ in range(12):
        await session.send_audio(_chunk(WEB_AUDIO, 100))
    events = await _until(session, COMPLETED)
    await session.close()

    deltas = [event["delta"] for event in events if event["type"].endswith(".delta")]
    assert deltas == ["Is the clinic open on Saturday?"]  # whisper-1: the whole turn at once
    assert events[0]["type"] == "input_audio_buffer.speech_started"
    assert events[-1]["transcript"] == "Is the clinic open on Saturday?"
    audio_input = (await stt.connection()).received[0]["session"]["audio"]["input"]
    assert audio_input["format"] == {"type": "audio/pcm", "rate": 24000}
    assert audio_input["turn_detection"] == {"type": "semantic_vad", "eagerness": "high"}
    assert audio_input["transcription"] == {"model": "whisper-1"}
    assert "noise_reduction" not in audio_input
    assert session.usage.seconds == 0.8 and session.usage.audio_sent_ms == 1200
    assert stt.violations == []


async def test_a_failed_transcription_is_an_event_not_the_end(
    stt: FakeTranscriptionServer,
) -> None:
    stt.stop_delay_ms = 100
    stt.say("mumble", at_ms=0, speech_ms=200, fail="failed")
    stt.say("Hello there", at_ms=600, speech_ms=300)
    session = OpenAITranscription(url=stt.url, api_key=KEY)
    await session.start(transcription_config(AGENT, audio_format=PHONE_AUDIO))
    for _ in range(12):
        await session.send_audio(_chunk(PHONE_AUDIO, 100))
    events = await _until(session, COMPLETED)
    await session.close()
    kinds = [event["type"] for event in events]
    assert "conversation.item.input_audio_transcription.failed" in kinds
    assert events[-1]["transcript"] == "Hello there"
    assert stt.violations == []


async def test_a_handshake_without_a_key_is_refused(stt: FakeTranscriptionServer) -> None:
    session = OpenAITranscription(url=stt.url, api_key="")
    with pytest.raises(SpeechToTextError, match="HTTP 401") as raised:
        await session.start(transcription_config(AGENT, audio_format=PHONE_AUDIO))
    assert "missing_api_key" in str(raised.value)
    assert stt.violations == ["no Authorization: Bearer header"]


async def test_a_model_url_makes_a_session_that_refuses_the_update(
    stt: FakeTranscriptionServer,
) -> None:
    url = stt.url.replace("intent=transcription", "model=gpt-realtime")
    session = OpenAITranscription(url=url, api_key=KEY)
    with pytest.raises(SpeechToTextError, match="Passing a transcription") as raised:
        await session.start(transcription_config(AGENT, audio_format=PHONE_AUDIO))
    assert KEY not in str(raised.value)
    assert stt.violations == ["model in the URL: a conversation session, not transcription"]


async def test_no_handshake_in_time_is_an_error() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # accepts TCP, never answers the upgrade

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    session = OpenAITranscription(
        url=f"ws://127.0.0.1:{port}/v1/realtime", api_key=KEY, connect_timeout=0.2
    )
    async with server:
        with pytest.raises(SpeechToTextError, match="no transcription connection"):
            await session.start(transcription_config(AGENT, audio_format=WEB_AUDIO))
        server.close()


async def test_the_service_failing_mid_call_ends_the_events(
    stt: FakeTranscriptionServer,
) -> None:
    stt.say("Hello", at_ms=0, speech_ms=100, fail="error")
    session = OpenAITranscription(url=stt.url, api_key=KEY)
    await session.start(transcription_config(AGENT, audio_format=PHONE_AUDIO))
    await session.send_audio(_chunk(PHONE_AUDIO, 700))
    events: list[dict[str, Any]] = []
    with pytest.raises(SpeechToTextError, match=r"closed \(1011\)"):
        async for event in session.events():
            events.append(event)
    assert [event["type"] for event in events][-2:] == ["input_audio_buffer.committed", "error"]
    assert events[-1]["error"]["code"] == "server_error"
    with pytest.raises(SpeechToTextError):
        await session.send_audio(_chunk(PHONE_AUDIO, 20))
    assert stt.violations == []


async def test_closing_ends_the_events_cleanly(stt: FakeTranscriptionServer) -> None:
    session = OpenAITranscription(url=stt.url, api_key=KEY)
    await session.start(transcription_config(AGENT, audio_format=WEB_AUDIO))
    await session.send_audio(_chunk(WEB_AUDIO, 100))
    collected: list[dict[str, Any]] = []

    async def collect() -> None:
        async for event in session.events():  # silence: nothing comes, and that is fine
            collected.append(event)

    reader = asyncio.create_task(collect())
    await asyncio.sleep(0)
    await session.close()
    await reader  # returns, does not raise
    assert collected == []
    with pytest.raises(SpeechToTextError):
        await session.send_audio(_chunk(WEB_AUDIO, 20))
    assert stt.violations == []


def test_the_url_asks_for_a_transcription_session() -> None:
    assert (
        transcription_url("wss://api.openai.com/v1/realtime")
        == "wss://api.openai.com/v1/realtime?intent=transcription"
    )
    assert transcription_url("ws://h/v1/realtime?intent=transcription").count("intent") == 1
