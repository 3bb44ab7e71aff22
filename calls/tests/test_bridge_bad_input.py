"""Bad frames get a clear error and lose nothing; abuse ends the call."""

from __future__ import annotations

import base64
import json

import pytest

from agents.models import Agent
from calls.models import CallLog
from calls.tests.conftest import CallClient
from calls.tests.fake_openai import FakeRealtimeServer

pytestmark = pytest.mark.django_db(transaction=True)

BAD_FRAMES = [
    ("{not json", "bad_request", "not valid JSON"),
    ("[" * 2048, "bad_request", "nested too deeply"),
    ('{"type": "text", "text": ' + "[" * 3000 + "]" * 3000 + "}", "bad_request", "nested"),
    ("[1, 2]", "bad_request", "JSON object"),
    ('{"text": "hi"}', "bad_request", "'type' is missing"),
    ('{"type": "dance"}', "bad_request", "unknown message type"),
    ('{"type": "text", "text": 5}', "bad_request", "'text' must be a non-empty string"),
    (json.dumps({"type": "text", "text": "x" * 2001}), "bad_request", "2000 characters"),
    ('{"type": "playback", "item_id": "i", "played_ms": -4}', "bad_request", "non-negative"),
    ('{"type": "cancel", "played_ms": "soon"}', "bad_request", "non-negative integer"),
    ('{"type": "ping", "id": {"a": 1}}', "bad_request", "'id' must be"),
    ('{"type": "audio", "audio": "AAA"}', "bad_audio", "not valid base64"),
    (
        json.dumps({"type": "audio", "audio": base64.b64encode(b"abc").decode()}),
        "bad_audio",
        "even",
    ),
    (
        json.dumps({"type": "audio", "audio": base64.b64encode(b"\0" * 96_002).decode()}),
        "bad_audio",
        "limited to 96000 bytes",
    ),
    (json.dumps({"type": "audio", "audio": 42}), "bad_audio", "base64 string"),
    (json.dumps({"type": "text", "text": "x" * 300_000}), "bad_request", "256 KiB"),
]


async def _ready(client: CallClient) -> str:
    assert await client.connect()
    return (await client.until("ready"))["call_id"]


@pytest.mark.parametrize("frame, code, message", BAD_FRAMES)
async def test_each_bad_frame_gets_an_error_and_the_call_goes_on(
    agent: Agent, fake: FakeRealtimeServer, frame: str, code: str, message: str
) -> None:
    client = CallClient()
    await _ready(client)
    await client.send_raw(text=frame)
    error = await client.until("error")
    assert error["code"] == code and message in error["message"]
    await client.send(type="ping", id="still-here")
    assert (await client.until("pong"))["id"] == "still-here"
    upstream = await fake.connection()
    assert upstream.of_type("input_audio_buffer.append") == []
    await client.close()


async def test_binary_frames_are_refused(agent: Agent, fake: FakeRealtimeServer) -> None:
    client = CallClient()
    await _ready(client)
    await client.send_raw(data=b"\x00\x01\x02")
    error = await client.until("error")
    assert error["code"] == "bad_request" and "binary" in error["message"]
    await client.close()


async def test_too_many_bad_frames_end_the_call(agent: Agent, fake: FakeRealtimeServer) -> None:
    client = CallClient()
    call_id = await _ready(client)
    for _ in range(51):
        await client.send_raw(text="nope")
    ended = await client.until("ended")
    assert ended["reason"] == "protocol_abuse"
    assert len(client.received("error")) == 51
    assert (await CallLog.objects.aget(pk=call_id)).end_reason == "protocol_abuse"


async def test_audio_far_faster_than_real_time_ends_the_call(
    agent: Agent, fake: FakeRealtimeServer
) -> None:
    client = CallClient()
    await _ready(client)
    two_seconds = base64.b64encode(b"\0" * 96_000).decode()
    for _ in range(10):  # 20 s of audio at once
        await client.send(type="audio", audio=two_seconds)
    assert (await client.until("ended"))["reason"] == "protocol_abuse"
    # The call is still closing its upstream (behind 2 MB of audio). Let it finish: a
    # consumer cancelled mid-close (the communicator's clean-up, once the test returns)
    # would leave the fake's connection half-closed, holding its shutdown for 20 s.
    await client.communicator.disconnect(timeout=5)


async def test_audio_before_ready_is_not_sent_upstream(
    agent: Agent, fake: FakeRealtimeServer
) -> None:
    fake.handshake_delay = 0.5
    client = CallClient()
    assert await client.connect()
    await client.send(type="audio", audio=base64.b64encode(b"\0\0" * 1200).decode())
    await client.until("ready")
    upstream = await fake.connection()
    assert upstream.of_type("input_audio_buffer.append") == []
    assert upstream.received[0]["type"] == "session.update"
    await client.close()
