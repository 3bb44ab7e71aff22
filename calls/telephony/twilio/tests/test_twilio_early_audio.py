"""What a phone caller hears first: the connection beep and a cached greeting, sent at
once while the engine connects; the web widget still gets `ready` before any audio."""

from __future__ import annotations

import asyncio
import base64
import time
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings

from calls import greetings
from calls.models import CallLog, CallStatus, TranscriptTurn
from calls.realtime.audio import connection_beep
from calls.selectors import agent_snapshot
from calls.telephony.twilio.tests.test_twilio import (
    TwilioStream,
    _hang_up,
    _token,
    streams_closed,
    twilio_settings,
)
from calls.telephony.twilio.tests.test_twilio_recording import ulaw_tone
from calls.tests.conftest import CallClient, calls_settled
from calls.tests.fake_openai import FakeConnection, FakeRealtimeServer, pcm_chunks
from calls.tests.test_recorded_call import Channels, read_stereo, stored_recording

pytestmark = pytest.mark.django_db(transaction=True)

__all__ = ["streams_closed", "twilio_settings"]  # fixtures this module uses

GREETING = [bytes([0x10 + i]) * 400 for i in range(6)]  # 300 ms of μ-law, chunks told apart
GREETING_TEXT = "Hello, front desk here. How can I help?"
BEEP = connection_beep(8000, 1)
AGENT = 1


async def _cache_greeting(agent: Any, audio: bytes, *, phone: bool = True) -> None:
    """The agent's greeting as a previous call left it in the cache."""

    def put() -> None:
        snapshot = agent_snapshot(
            agent=agent, default_model=settings.OPENAI_REALTIME_MODEL, phone=phone
        )
        key = snapshot.greeting_cache_key("openai", "pcmu" if phone else "pcm24k")
        greetings.greeting_put(key, audio, GREETING_TEXT)

    await sync_to_async(put)()


def _slow_session_update(fake: FakeRealtimeServer, delay: float) -> asyncio.Event:
    """The engine confirms its configuration only after ``delay``; set once it has."""
    configured = asyncio.Event()

    async def answer(connection: FakeConnection, event: dict[str, Any]) -> None:
        # An engine that gives up first (closes) is never answered; waiting out the
        # delay would only hold the fake's shutdown at the end of the test.
        try:
            await asyncio.wait_for(connection.websocket.wait_closed(), delay)
            return
        except TimeoutError:
            pass
        await connection.emit("session.updated", session=event["session"])
        configured.set()

    fake.on_session_update = answer
    return configured


async def _audio(stream: TwilioStream, size: int) -> bytes:
    """The media Twilio receives, until ``size`` bytes have come."""
    received = b""
    while len(received) < size:
        media = await stream.until("media")
        received += base64.b64decode(media["media"]["payload"])
    return received


async def test_a_cached_greeting_plays_before_the_engine_is_even_configured(
    agent: Any, twilio_settings: Any, fake: FakeRealtimeServer
) -> None:
    await _cache_greeting(agent, b"".join(GREETING))
    configured = _slow_session_update(fake, 1.0)
    stream = TwilioStream()
    assert await stream.open(await _token())
    first = await stream.until("media")
    assert not configured.is_set()  # the engine is still being configured
    assert base64.b64decode(first["media"]["payload"]) == GREETING[0]
    rest = await _audio(stream, len(b"".join(GREETING[1:])))
    assert rest == b"".join(GREETING[1:])
    assert not configured.is_set()  # all of it (no beep: calls/telephony/conftest.py)

    # Once the engine is ready the model learns it greeted, and is not asked to.
    await configured.wait()
    upstream = await fake.connection()
    created = (await upstream.wait_for("conversation.item.create"))[0]
    assert created["item"]["role"] == "assistant"
    assert created["item"]["content"][0] == {"type": "output_text", "text": GREETING_TEXT}
    assert [event["type"] for event in upstream.received[:2]] == [
        "session.update",
        "conversation.item.create",
    ]
    assert upstream.of_type("response.create") == []
    await _hang_up(stream)
    turn = await TranscriptTurn.objects.aget()
    assert (turn.seq, turn.role, turn.text) == (1, "assistant", GREETING_TEXT)
    assert turn.started_ms is not None and turn.started_ms < 50  # the timeline starts as it plays


async def test_the_beep_comes_first_then_the_cached_greeting(
    agent: Any, twilio_settings: Any, fake: FakeRealtimeServer
) -> None:
    agent.connection_beep = True
    await agent.asave()
    await _cache_greeting(agent, b"".join(GREETING))
    configured = _slow_session_update(fake, 1.0)
    stream = TwilioStream()
    assert await stream.open(await _token())
    heard = await _audio(stream, len(BEEP) + len(b"".join(GREETING)))
    assert not configured.is_set()
    assert heard == BEEP + b"".join(GREETING)
    await _hang_up(stream)
    # The beep is no turn of the conversation.
    assert [turn.text async for turn in TranscriptTurn.objects.all()] == [GREETING_TEXT]


async def test_without_a_cached_greeting_the_beep_plays_then_the_model_greets(
    agent: Any, twilio_settings: Any, fake: FakeRealtimeServer
) -> None:
    agent.connection_beep = True
    await agent.asave()
    fake.greeting_chunks = GREETING[:2]
    configured = _slow_session_update(fake, 0.5)
    stream = TwilioStream()
    assert await stream.open(await _token())
    assert await _audio(stream, len(BEEP)) == BEEP
    assert not configured.is_set()
    assert await _audio(stream, len(b"".join(GREETING[:2]))) == b"".join(GREETING[:2])
    upstream = await fake.connection()
    requested = upstream.of_type("response.create")
    assert [event["response"]["metadata"] for event in requested] == [{"purpose": "greeting"}]
    await _hang_up(stream)


async def test_web_calls_never_beep_and_get_ready_before_any_audio(
    agent: Any, fake: FakeRealtimeServer
) -> None:
    agent.connection_beep = True
    await agent.asave()
    chunks = pcm_chunks(3, seed=5)
    await _cache_greeting(agent, b"".join(chunks), phone=False)
    client = CallClient()
    assert await client.connect()
    assert (await client.receive())["type"] == "ready"
    await client.until("response_done")
    assert b"".join(client.audio_bytes()) == b"".join(chunks)  # the greeting, no beep
    await client.close()


async def test_a_recorded_call_holds_what_was_heard_before_the_engine_was_ready(
    agent: Any, twilio_settings: Any, fake: FakeRealtimeServer
) -> None:
    agent.record_calls = True
    agent.connection_beep = True
    await agent.asave()
    greeting = ulaw_tone(300, hz=300)
    await _cache_greeting(agent, greeting)
    configured = _slow_session_update(fake, 0.5)
    stream = TwilioStream()
    assert await stream.open(await _token())
    await _audio(stream, len(BEEP) + len(greeting))
    await configured.wait()
    await asyncio.sleep(0.6)
    await _hang_up(stream)
    call = await stored_recording(str((await CallLog.objects.aget()).pk))
    rate, frames = await asyncio.to_thread(read_stereo, call.recording.path)
    audio = Channels(rate, frames)
    # From the start of the call: the beep (400 ms), its gap (150 ms), the greeting.
    assert audio.loud(AGENT, 0.02, 0.38)
    assert audio.quiet(AGENT, 0.42, 0.53)
    assert audio.loud(AGENT, 0.57, 0.83)
    assert audio.quiet(AGENT, 0.9, len(frames) / rate)


async def test_an_engine_that_never_gets_ready_fails_the_call_as_before(
    agent: Any, twilio_settings: Any, fake: FakeRealtimeServer
) -> None:
    twilio_settings.REALTIME_CONNECT_TIMEOUT = 0.5
    await _cache_greeting(agent, b"".join(GREETING))
    _slow_session_update(fake, 30)
    stream = TwilioStream()
    assert await stream.open(await _token())
    assert await _audio(stream, len(b"".join(GREETING))) == b"".join(GREETING)
    closed = await stream.communicator.receive_output(timeout=5)
    while closed["type"] != "websocket.close":  # its marks come first
        closed = await stream.communicator.receive_output(timeout=5)
    await calls_settled()
    call = await CallLog.objects.aget()
    assert (call.status, call.end_reason) == (CallStatus.FAILED, "upstream_unavailable")


async def test_a_caller_who_hangs_up_while_the_opening_plays_ends_the_call_cleanly(
    agent: Any, twilio_settings: Any, fake: FakeRealtimeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent.connection_beep = True
    await agent.asave()
    await _cache_greeting(agent, b"".join(GREETING))
    cache_read = greetings.greeting_get

    def slow_cache_read(key: str) -> tuple[bytes, str] | None:
        time.sleep(0.5)  # a slow disk: the engine is ready before the greeting is read
        return cache_read(key)

    monkeypatch.setattr(greetings, "greeting_get", slow_cache_read)
    stream = TwilioStream()
    assert await stream.open(await _token())
    assert await _audio(stream, len(BEEP)) == BEEP
    upstream = await fake.connection()
    await upstream.wait_for("session.update")
    await asyncio.sleep(0.1)  # ready, and waiting for the opening audio to finish
    await _hang_up(stream)
    await stream.communicator.disconnect(timeout=5)  # raises if the consumer failed
    call = await CallLog.objects.aget()
    assert (call.status, call.end_reason) == (CallStatus.COMPLETED, "caller_hung_up")
