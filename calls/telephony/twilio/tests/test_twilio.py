"""Twilio phone calls: the signed voice webhook, the stream token and the Media Streams framing
through the phone base."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.core.cache import cache
from django.test import Client
from twilio.request_validator import RequestValidator

from calls import services
from calls.consumers import monitor_group
from calls.models import CallLog, CallStatus, Channel
from calls.telephony import grants
from calls.telephony.twilio.consumer import TwilioMediaConsumer
from calls.tests.conftest import calls_settled
from calls.tests.fake_openai import FakeRealtimeServer
from voiceagent.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)

AUTH_TOKEN = "twilio-test-auth-token-not-real"
PUBLIC = "https://voice.example.com"
WEBHOOK = f"{PUBLIC}/twilio/voice/front-desk/"
STREAM = "wss://voice.example.com/ws/twilio/media/"
ULAW_50MS = [bytes([0x7F - i]) * 400 for i in range(10)]  # 10 chunks of 50 ms μ-law


@pytest.fixture
def twilio_settings(settings: Any) -> Any:
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.PUBLIC_BASE_URL = PUBLIC
    settings.ALLOWED_HOSTS = ["voice.example.com", "testserver"]
    return settings


def _form(call_sid: str = "CA0001") -> dict[str, str]:
    return {
        "CallSid": call_sid,
        "AccountSid": "AC0001",
        "From": "+15551230001",
        "To": "+15559870002",
        "CallStatus": "ringing",
        "Direction": "inbound",
    }


def _post_webhook(form: dict[str, str], *, signature: str | None = None, path: str = "") -> Any:
    url = f"{PUBLIC}{path or '/twilio/voice/front-desk/'}"
    if signature is None:
        signature = RequestValidator(AUTH_TOKEN).compute_signature(url, form)
    return Client().post(
        path or "/twilio/voice/front-desk/",
        form,
        HTTP_X_TWILIO_SIGNATURE=signature,
        HTTP_HOST="voice.example.com",
        secure=True,
    )


def _xml(twiml: bytes) -> ET.Element:
    return ET.fromstring(twiml)  # noqa: S314 (our own server's TwiML)


def _stream_of(twiml: bytes) -> tuple[str, str]:
    root = _xml(twiml)
    stream = root.find("./Connect/Stream")
    assert stream is not None, twiml
    parameters = {p.get("name"): p.get("value") for p in stream.findall("Parameter")}
    return stream.get("url") or "", parameters["call_token"] or ""


# -- the voice webhook


def test_webhook_answers_with_a_bidirectional_stream_and_a_token(
    agent: Any, twilio_settings: Any
) -> None:
    response = _post_webhook(_form())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    url, token = _stream_of(response.content)
    assert url == STREAM  # wss, no query string: what Twilio requires
    grant = grants.stream_grant(provider="twilio", token=token, call_id="CA0001")
    assert grant is not None
    assert (grant.agent_public_id, grant.caller_number) == ("front-desk", "+15551230001")


def test_webhook_refuses_a_bad_signature_and_an_unconfigured_server(
    agent: Any, twilio_settings: Any
) -> None:
    assert _post_webhook(_form(), signature="bm90IGEgc2lnbmF0dXJl").status_code == 403
    tampered = RequestValidator(AUTH_TOKEN).compute_signature(WEBHOOK, _form())
    assert _post_webhook(_form("CA0002"), signature=tampered).status_code == 403
    twilio_settings.TWILIO_AUTH_TOKEN = ""
    response = _post_webhook(_form())
    assert response.status_code == 503
    assert b"TWILIO_AUTH_TOKEN" in response.content
    assert AUTH_TOKEN.encode() not in response.content


def test_webhook_says_sorry_for_an_unknown_agent_or_a_full_line(
    agent: Any, twilio_settings: Any
) -> None:
    response = _post_webhook(_form(), path="/twilio/voice/nobody/")
    root = _xml(response.content)
    assert root.find("Say") is not None and root.find("Hangup") is not None
    agent.max_concurrent_calls = 1
    agent.save()
    CallLog.objects.create(
        agent=agent, channel=Channel.WEB, engine="offline", status=CallStatus.ACTIVE
    )
    root = _xml(_post_webhook(_form()).content)
    assert root.find("Connect") is None and root.find("Say") is not None


async def test_stream_tokens_are_bound_to_their_call_single_use_and_expire(
    twilio_settings: Any,
) -> None:
    token = _stream_token(call_sid="CA1")
    assert _grant(token, "CA2") is None  # another call's token
    assert _grant(token + "x", "CA1") is None  # forged
    assert grants.stream_grant(provider="plivo", token=token, call_id="CA1") is None
    assert _grant(token, "CA1") is not None
    assert await grants.stream_grant_claim(provider="twilio", call_id="CA1")
    assert not await grants.stream_grant_claim(provider="twilio", call_id="CA1")  # used
    stale = _stream_token(call_sid="CA3")
    grants.TOKEN_MAX_AGE_SECONDS, saved = -1, grants.TOKEN_MAX_AGE_SECONDS
    try:
        assert _grant(stale, "CA3") is None
    finally:
        grants.TOKEN_MAX_AGE_SECONDS = saved


def _stream_token(call_sid: str, agent_public_id: str = "a") -> str:
    return grants.stream_token(
        provider="twilio",
        agent_public_id=agent_public_id,
        call_id=call_sid,
        caller="+1",
        called="+2",
    )


def _grant(token: str, call_sid: str) -> grants.StreamGrant | None:
    return grants.stream_grant(provider="twilio", token=token, call_id=call_sid)


def test_webhook_refuses_a_call_that_already_streamed(agent: Any, twilio_settings: Any) -> None:
    CallLog.objects.create(
        agent=agent, channel=Channel.TWILIO, engine="openai", provider_call_id="CA0001"
    )
    root = _xml(_post_webhook(_form("CA0001")).content)  # a captured webhook, replayed
    assert root.find("Connect") is None and root.find("Hangup") is not None


def test_phone_calls_need_the_public_address_too(agent: Any, twilio_settings: Any) -> None:
    twilio_settings.PUBLIC_BASE_URL = ""
    twilio_settings.DEV_BASE_URL = ""  # production: no development address either
    response = _post_webhook(_form())
    assert response.status_code == 503
    assert b"PUBLIC_BASE_URL" in response.content


# -- the media stream


OPEN_STREAMS: list[TwilioStream] = []


@pytest.fixture(autouse=True)
async def streams_closed() -> AsyncIterator[None]:
    """Every stream is disconnected before its test's event loop ends: a consumer left
    waiting would keep a channel-layer receive bound to a dead loop (channels-redis)."""
    yield
    while OPEN_STREAMS:
        await OPEN_STREAMS.pop().close()


class TwilioStream:
    """Twilio's side of a Media Stream, over channels' communicator."""

    def __init__(self, signature: str | None = None) -> None:
        if signature is None:
            signature = RequestValidator(AUTH_TOKEN).compute_signature(STREAM, {})
        headers = [(b"host", b"voice.example.com")]
        if signature:
            headers.append((b"x-twilio-signature", signature.encode()))
        self.communicator = WebsocketCommunicator(application, "/ws/twilio/media/", headers)
        self.communicator.scope["scheme"] = "wss"
        self.events: list[dict[str, Any]] = []
        OPEN_STREAMS.append(self)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.communicator.disconnect(timeout=5)

    async def open(self, token: str, call_sid: str = "CA0001") -> bool:
        connected, _ = await self.communicator.connect(timeout=5)
        if not connected:
            return False
        await self.send({"event": "connected", "protocol": "Call", "version": "1.0.0"})
        await self.send(
            {
                "event": "start",
                "sequenceNumber": "1",
                "streamSid": "MZ0001",
                "start": {
                    "streamSid": "MZ0001",
                    "accountSid": "AC0001",
                    "callSid": call_sid,
                    "tracks": ["inbound"],
                    "customParameters": {"call_token": token},
                    "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
                },
            }
        )
        return True

    async def send(self, event: dict[str, Any]) -> None:
        await self.communicator.send_to(text_data=json.dumps(event))

    async def media(self, payload: bytes, chunk: int = 1) -> None:
        await self.send(
            {
                "event": "media",
                "sequenceNumber": str(chunk + 1),
                "streamSid": "MZ0001",
                "media": {
                    "track": "inbound",
                    "chunk": str(chunk),
                    "timestamp": str(chunk * 20),
                    "payload": base64.b64encode(payload).decode(),
                },
            }
        )

    async def until(self, event: str, timeout: float = 5) -> dict[str, Any]:
        while True:
            message = json.loads(await self.communicator.receive_from(timeout=timeout))
            self.events.append(message)
            if message["event"] == event:
                return message

    def of(self, event: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["event"] == event]


async def _greeted_call(fake: FakeRealtimeServer, call_sid: str = "CA0001") -> TwilioStream:
    """A phone call that is up: its short greeting has reached Twilio."""
    fake.greeting_chunks = ULAW_50MS[:1]
    stream = TwilioStream()
    assert await stream.open(await _token(call_sid), call_sid=call_sid)
    await stream.until("mark")
    return stream


async def _hang_up(stream: TwilioStream) -> None:
    await stream.send({"event": "stop", "sequenceNumber": "99", "streamSid": "MZ0001"})
    await calls_settled()


async def _token(call_sid: str = "CA0001") -> str:
    response = await sync_to_async(_post_webhook)(_form(call_sid))
    return _stream_of(response.content)[1]


async def test_phone_call_relays_mulaw_untouched_both_ways(
    agent: Any, twilio_settings: Any, fake: FakeRealtimeServer
) -> None:
    fake.greeting_chunks = ULAW_50MS[:2]
    stream = TwilioStream()
    assert await stream.open(await _token())
    upstream = await fake.connection()
    await upstream.wait_for("session.update")
    audio = upstream.session["audio"]
    assert audio["input"]["format"] == {"type": "audio/pcmu"}
    assert audio["output"]["format"] == {"type": "audio/pcmu"}

    greeting = await stream.until("media")
    assert greeting["streamSid"] == "MZ0001"
    assert base64.b64decode(greeting["media"]["payload"]) == ULAW_50MS[0]
    mark = await stream.until("mark")
    assert mark["mark"]["name"].endswith(":1")

    caller = bytes(range(96, 256))  # 160 bytes: 20 ms of μ-law
    await stream.media(caller)
    append = (await upstream.wait_for("input_audio_buffer.append"))[0]
    assert base64.b64decode(append["audio"]) == caller

    await _hang_up(stream)
    call = await CallLog.objects.aget()
    assert call.channel == Channel.TWILIO
    assert call.end_reason == "caller_hung_up"
    assert (call.caller_number, call.provider_call_id, call.provider_stream_id) == (
        "+15551230001",
        "CA0001",
        "MZ0001",
    )


async def test_barge_in_clears_twilio_and_truncates_at_the_last_played_mark(
    agent: Any, twilio_settings: Any, fake: FakeRealtimeServer
) -> None:
    stream = await _greeted_call(fake)
    upstream = await fake.connection()
    response_id, item_id = await upstream.speak("A long answer.", ULAW_50MS, finish=False)
    marks: list[dict[str, Any]] = []
    while len(marks) < len(ULAW_50MS):
        marks.append(await stream.until("mark"))
    # Twilio says the first three chunks (150 ms) have played, then its playback lags:
    # by wall-clock time all 500 ms would be heard, but seven marks are still pending.
    await stream.send({"event": "mark", "streamSid": "MZ0001", "mark": marks[2]["mark"]})
    await asyncio.sleep(0.6)
    await upstream.emit("input_audio_buffer.speech_started", audio_start_ms=900, item_id="u1")
    clear = await stream.until("clear")
    assert clear["streamSid"] == "MZ0001"
    truncate = (await upstream.wait_for("conversation.item.truncate"))[0]
    assert truncate["item_id"] == item_id
    # What Twilio played (plus the ms or two between the report and the truncation), not
    # the 500 ms that wall-clock time suggests.
    assert 150 <= truncate["audio_end_ms"] <= 170
    # Marks Twilio echoes after the clear mean "cleared", not "played": ignored.
    await stream.send({"event": "mark", "streamSid": "MZ0001", "mark": marks[9]["mark"]})
    await upstream.finish_response(response_id, [], status="cancelled")
    await _hang_up(stream)


async def test_stream_without_a_valid_signature_or_token_gets_no_call(
    agent: Any, twilio_settings: Any, fake: FakeRealtimeServer
) -> None:
    unsigned = TwilioStream(signature="")
    assert not await unsigned.open(await _token())

    wrong = TwilioStream(signature=RequestValidator("other").compute_signature(STREAM, {}))
    assert not await wrong.open(await _token("CA0002"))

    forged = TwilioStream()
    assert await forged.open("not-a-token", call_sid="CA0003")
    closed = await forged.communicator.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 1008}

    token = await _token("CA0004")
    replay = TwilioStream()
    assert await replay.open(token, call_sid="CA0005")  # a token for another call
    assert (await replay.communicator.receive_output(timeout=5))["code"] == 1008
    assert await CallLog.objects.acount() == 0


async def test_a_stream_during_a_redis_or_layer_outage_is_told_to_try_again(
    agent: Any, twilio_settings: Any, fake: FakeRealtimeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def cache_down(**_: Any) -> bool:
        raise ConnectionError("Error 111 connecting to redis:6379")

    monkeypatch.setattr(grants, "stream_grant_claim", cache_down)
    stream = TwilioStream()
    assert await stream.open(await _token("CA0011"), call_sid="CA0011")
    assert (await stream.communicator.receive_output(timeout=5))["code"] == 1013
    monkeypatch.undo()

    async def layer_down(self: Any, call_id: str) -> bool:
        return False

    monkeypatch.setattr(TwilioMediaConsumer, "join_control_group", layer_down)
    stream = TwilioStream()
    assert await stream.open(await _token("CA0012"), call_sid="CA0012")
    assert (await stream.communicator.receive_output(timeout=5))["code"] == 1013
    assert await CallLog.objects.acount() == 0


async def test_a_call_streams_once_even_after_its_token_key_expires(
    agent: Any, twilio_settings: Any, fake: FakeRealtimeServer
) -> None:
    await _hang_up(await _greeted_call(fake, "CA0007"))
    await sync_to_async(cache.delete)("twilio-stream-used:CA0007")  # as if 10 minutes passed
    again = TwilioStream()
    assert await again.open(_stream_token("CA0007", "front-desk"), call_sid="CA0007")
    assert (await again.communicator.receive_output(timeout=5))["code"] == 1008
    assert await CallLog.objects.acount() == 1


async def test_pushed_messages_reach_monitors_of_a_phone_call(
    agent: Any, twilio_settings: Any, fake: FakeRealtimeServer
) -> None:
    stream = await _greeted_call(fake)
    call = await CallLog.objects.aget()
    layer = get_channel_layer()
    monitor = await layer.new_channel()
    await layer.group_add(monitor_group(str(call.pk)), monitor)
    pushed = {"type": "appointment", "appointment": {"id": "a1", "status": "confirmed"}}
    await sync_to_async(services.call_client_message_send)(call_id=str(call.pk), message=pushed)
    # Monitor events are published from a queue of their own: the greeting's last events
    # may still arrive after the monitor joined. The pushed message follows them.
    async with asyncio.timeout(5):
        while (event := await layer.receive(monitor))["event"]["type"] != "appointment":
            assert event["type"] == "call.event"
    assert event == {"type": "call.event", "event": pushed}
    # Twilio itself gets nothing it would reject: no JSON besides media, mark and clear.
    assert await stream.communicator.receive_nothing(timeout=0.2)
    await _hang_up(stream)


async def test_bad_media_frames_are_counted_and_lose_nothing(
    agent: Any, twilio_settings: Any, fake: FakeRealtimeServer
) -> None:
    stream = await _greeted_call(fake)
    upstream = await fake.connection()
    await stream.send({"event": "media", "media": {"payload": 'AAAA","type":"response.create'}})
    await stream.communicator.send_to(text_data="{not json")
    await stream.media(b"\xff" * 160)
    append = (await upstream.wait_for("input_audio_buffer.append"))[0]
    assert base64.b64decode(append["audio"]) == b"\xff" * 160
    assert upstream.of_type("response.create")[1:] == []  # nothing was injected
    await _hang_up(stream)
    assert (await CallLog.objects.aget()).status == CallStatus.COMPLETED


async def test_offline_engine_speaks_mulaw_on_the_phone(agent: Any, twilio_settings: Any) -> None:
    twilio_settings.VOICEAGENT_ENGINE = "offline"
    stream = TwilioStream()
    assert await stream.open(await _token())
    media = await stream.until("media", timeout=10)
    chunk = base64.b64decode(media["media"]["payload"])
    assert len(chunk) == 400  # 50 ms at 8 kHz, one byte a sample
    await _hang_up(stream)
    call = await CallLog.objects.aget()
    assert (call.channel, call.engine) == (Channel.TWILIO, "offline")
