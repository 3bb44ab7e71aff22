"""Plivo's audio stream through the phone base: signed upgrade, start with the token,
audio both ways byte for byte, checkpoints, barge-in, bad frames, hang-up."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from calls.consumers import monitor_group
from calls.models import CallLog, CallStatus, Channel
from calls.telephony.plivo.tests.test_plivo_webhook import (
    AUTH_TOKEN,
    CALL_UUID,
    STREAM,
    form,
    plivo_settings,
    post,
)
from calls.telephony.tests.phone_framing import PlivoFraming
from calls.tests.conftest import calls_settled
from calls.tests.fake_openai import FakeRealtimeServer
from voiceagent.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["plivo_settings"]  # the fixture, shared with the webhook's tests

STREAM_ID = "b3f1c1de-0000-4000-8000-000000000001"
ULAW_50MS = [bytes([0x7F - i]) * 400 for i in range(10)]  # 10 chunks of 50 ms μ-law

OPEN_STREAMS: list[PlivoStream] = []


@pytest.fixture(autouse=True)
async def streams_closed() -> AsyncIterator[None]:
    """Every stream is disconnected before its test's event loop ends (channels-redis)."""
    yield
    while OPEN_STREAMS:
        stream = OPEN_STREAMS.pop()
        with contextlib.suppress(Exception):
            await stream.communicator.disconnect(timeout=5)


class PlivoStream:
    """Plivo's side of an audio stream, over channels' communicator."""

    def __init__(self, call_uuid: str = CALL_UUID, *, auth_token: str = AUTH_TOKEN) -> None:
        self.framing = PlivoFraming(auth_token, call_uuid, STREAM_ID)
        headers = [(b"host", b"voice.example.com")]
        if auth_token:
            signed = self.framing.handshake_headers(STREAM)
            headers += [(k.lower().encode(), v.encode()) for k, v in signed.items()]
        self.communicator = WebsocketCommunicator(application, "/ws/plivo/stream/", headers)
        self.communicator.scope["scheme"] = "wss"
        self.events: list[dict[str, Any]] = []
        OPEN_STREAMS.append(self)

    async def open(self, token: str) -> bool:
        connected, _ = await self.communicator.connect(timeout=5)
        if connected:
            for frame in self.framing.opening(token):
                await self.send(frame)
        return bool(connected)

    async def send(self, event: dict[str, Any]) -> None:
        await self.communicator.send_to(text_data=json.dumps(event))

    async def media(self, audio: bytes, chunk: int = 1) -> None:
        text = self.framing.media(base64.b64encode(audio).decode(), chunk)
        await self.communicator.send_to(text_data=text)

    async def until(self, event: str, timeout: float = 5) -> dict[str, Any]:
        while True:
            message = json.loads(await self.communicator.receive_from(timeout=timeout))
            self.events.append(message)
            if message["event"] == event:
                return message

    async def closed_with(self) -> int:
        output = await self.communicator.receive_output(timeout=5)
        assert output["type"] == "websocket.close", output
        return int(output["code"])


async def token(call_uuid: str = CALL_UUID) -> str:
    """The token of a fresh answer webhook for ``call_uuid``."""
    response = await sync_to_async(post)(form(call_uuid))
    framing = PlivoFraming(AUTH_TOKEN, call_uuid, STREAM_ID)
    answered = framing.read_answer(response.content)
    assert answered is not None, response.content
    return answered.token


async def greeted_call(fake: FakeRealtimeServer, call_uuid: str = CALL_UUID) -> PlivoStream:
    """A call that is up: its short greeting has reached Plivo."""
    fake.greeting_chunks = ULAW_50MS[:1]
    stream = PlivoStream(call_uuid)
    assert await stream.open(await token(call_uuid))
    await stream.until("checkpoint")
    return stream


async def test_audio_passes_through_untouched_both_ways(
    agent: Any, plivo_settings: Any, fake: FakeRealtimeServer
) -> None:
    fake.greeting_chunks = ULAW_50MS[:2]
    stream = PlivoStream()
    assert await stream.open(await token())
    upstream = await fake.connection()
    await upstream.wait_for("session.update")
    audio = upstream.session["audio"]
    assert audio["input"]["format"] == audio["output"]["format"] == {"type": "audio/pcmu"}

    play = await stream.until("playAudio")
    assert play["media"]["contentType"] == "audio/x-mulaw" and play["media"]["sampleRate"] == 8000
    assert base64.b64decode(play["media"]["payload"]) == ULAW_50MS[0]
    checkpoint = await stream.until("checkpoint")
    assert checkpoint["streamId"] == STREAM_ID and checkpoint["name"].endswith(":1")
    assert base64.b64decode((await stream.until("playAudio"))["media"]["payload"]) == ULAW_50MS[1]

    caller = bytes(range(96, 256))  # 160 bytes: 20 ms of μ-law
    await stream.media(caller)
    append = (await upstream.wait_for("input_audio_buffer.append"))[0]
    assert base64.b64decode(append["audio"]) == caller

    await stream.send(stream.framing.dtmf("5"))  # logged; the call goes on
    await stream.media(caller[::-1], chunk=2)
    append = (await upstream.wait_for("input_audio_buffer.append", count=2))[1]
    assert base64.b64decode(append["audio"]) == caller[::-1]

    await stream.send(stream.framing.stop())
    await calls_settled()
    call = await CallLog.objects.aget()
    assert (call.channel, call.end_reason, call.status) == (
        Channel.PLIVO,
        "caller_hung_up",
        CallStatus.COMPLETED,
    )
    assert (call.caller_number, call.provider_call_id, call.provider_stream_id) == (
        "+15551230001",
        CALL_UUID,
        STREAM_ID,
    )


async def test_a_normal_close_without_stop_is_a_hang_up_and_a_drop_is_not(
    agent: Any, plivo_settings: Any, fake: FakeRealtimeServer
) -> None:
    stream = await greeted_call(fake)
    await stream.communicator.disconnect(code=1000)  # Plivo closed: the caller hung up
    await calls_settled()
    assert (await CallLog.objects.aget()).end_reason == "caller_hung_up"

    dropped = await greeted_call(fake, "c2")
    await dropped.communicator.disconnect(code=1006)  # the line dropped
    await calls_settled()
    assert (await CallLog.objects.aget(provider_call_id="c2")).end_reason == "connection_lost"


async def test_checkpoints_give_the_played_position_and_barge_in_clears_plivo(
    agent: Any, plivo_settings: Any, fake: FakeRealtimeServer
) -> None:
    stream = await greeted_call(fake)
    upstream = await fake.connection()
    response_id, item_id = await upstream.speak("A long answer.", ULAW_50MS, finish=False)
    checkpoints: list[dict[str, Any]] = []
    while len(checkpoints) < len(ULAW_50MS):
        checkpoints.append(await stream.until("checkpoint"))
    assert all(c["name"].startswith(f"{item_id}:") for c in checkpoints)
    # Plivo played three chunks (150 ms), then its playback lags behind wall-clock time.
    await stream.send(stream.framing.played(checkpoints[2]["name"]))
    await asyncio.sleep(0.6)
    await upstream.emit("input_audio_buffer.speech_started", audio_start_ms=900, item_id="u1")
    clear = await stream.until("clearAudio")
    assert clear == {"event": "clearAudio", "streamId": STREAM_ID}
    truncate = (await upstream.wait_for("conversation.item.truncate"))[0]
    assert truncate["item_id"] == item_id
    assert 150 <= truncate["audio_end_ms"] <= 170  # what Plivo played, not the 500 ms sent
    # Plivo acknowledges the clear; a late "played" for a cleared checkpoint is ignored.
    await stream.send({"event": "clearedAudio", "sequenceNumber": 9, "streamId": STREAM_ID})
    await stream.send({"event": "played", "streamId": STREAM_ID, "name": checkpoints[9]["name"]})
    await upstream.finish_response(response_id, [], status="cancelled")
    await asyncio.sleep(0.1)
    assert len(upstream.of_type("conversation.item.truncate")) == 1
    await stream.send(stream.framing.stop())
    await calls_settled()


async def test_the_upgrade_and_the_token_are_checked_before_any_call(
    agent: Any, plivo_settings: Any, fake: FakeRealtimeServer
) -> None:
    assert not await PlivoStream(auth_token="").open(await token("c1"))  # unsigned: 403
    assert not await PlivoStream(auth_token="other-token").open(await token("c2"))

    forged = PlivoStream("c3")
    assert await forged.open("not-a-token")
    assert await forged.closed_with() == 1008

    other_call = PlivoStream("c5")
    assert await other_call.open(await token("c4"))  # a token for another call
    assert await other_call.closed_with() == 1008
    assert await CallLog.objects.acount() == 0

    reused = await token("c6")
    first = PlivoStream("c6")
    assert await first.open(reused)
    await first.until("playAudio")
    replay = PlivoStream("c6")
    assert await replay.open(reused)
    assert await replay.closed_with() == 1008
    await first.send(first.framing.stop())
    await calls_settled()
    assert await CallLog.objects.acount() == 1


async def test_malformed_frames_are_counted_and_the_call_goes_on(
    agent: Any, plivo_settings: Any, fake: FakeRealtimeServer
) -> None:
    stream = await greeted_call(fake)
    upstream = await fake.connection()
    call = await CallLog.objects.aget()
    layer = get_channel_layer()
    monitor = await layer.new_channel()
    await layer.group_add(monitor_group(str(call.pk)), monitor)
    await stream.send({"event": "media", "media": {"payload": 'AAAA","type":"response.create'}})
    await stream.send({"event": "media", "media": "not an object"})
    await stream.communicator.send_to(text_data="{not json")
    await stream.communicator.send_to(text_data="[1, 2]")
    await stream.send({"event": "playedStream", "name": 7})  # not a checkpoint: ignored
    await stream.send({"event": "start", "start": []})  # a second start: ignored
    await stream.media(b"\xff" * 160)
    append = (await upstream.wait_for("input_audio_buffer.append"))[0]
    assert base64.b64decode(append["audio"]) == b"\xff" * 160
    assert upstream.of_type("response.create")[1:] == []  # nothing was injected
    # Each bad frame is counted by the session (an error event to the call's monitors;
    # Plivo itself gets nothing it does not understand).
    codes: list[str] = []
    async with asyncio.timeout(5):
        while len(codes) < 4:
            event = (await layer.receive(monitor))["event"]
            if event.get("type") == "error":
                codes.append(event["code"])
    assert sorted(codes) == ["bad_audio", "bad_audio", "bad_request", "bad_request"]
    await stream.send(stream.framing.stop())
    await calls_settled()
    call = await CallLog.objects.aget()
    assert (call.status, call.end_reason) == (CallStatus.COMPLETED, "caller_hung_up")
