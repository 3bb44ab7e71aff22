"""A phone provider is one folder: this module is a whole (made-up) provider, and a call
through it works with no change anywhere else.

The provider "fakephone" speaks its own framing (``hello``/``audio``/``played``/``bye`` in,
``play``/``checkpoint``/``flush`` out) and answers its webhook with JSON. It touches no
central file: the registry line is the only addition a real provider makes, done here by
patching ``registry.PROVIDERS``. Its channel is ``plivo``, a value the call log already
accepts (a provider with a new channel adds that value too).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import Client
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt

from calls import services
from calls.models import CallLog, Channel
from calls.telephony import registry
from calls.telephony.base import PhoneMediaConsumer
from calls.telephony.events import StreamEvent, StreamMark, StreamMedia, StreamStart, StreamStop
from calls.telephony.webhook import phone_call_answer, stream_url
from calls.tests.conftest import calls_settled
from calls.tests.fake_openai import FakeRealtimeServer

pytestmark = pytest.mark.django_db(transaction=True)

# -- The provider: framing, webhook, urls.

NAME = "fakephone"
STREAM_PATH = "/ws/fakephone/stream/"
SECRET = "fakephone-handshake-secret"


class FakePhoneConsumer(PhoneMediaConsumer):
    provider = NAME
    channel = Channel.PLIVO

    def handshake_valid(self, headers: Mapping[str, str]) -> bool:
        return headers.get("x-fakephone-signature") == SECRET

    def parse_event(self, message: dict[str, Any]) -> StreamEvent | None:
        kind = message.get("kind")
        if kind == "hello":
            return StreamStart(
                call_id=str(message.get("call") or ""),
                stream_id=str(message.get("stream") or ""),
                token=str(message.get("token") or ""),
            )
        if kind == "audio":
            data = message.get("data")
            return StreamMedia(payload=data if isinstance(data, str) else "")
        if kind == "played":
            return StreamMark(name=str(message.get("name")))
        if kind == "bye":
            return StreamStop()
        return None

    def media_frame(self, audio: str) -> str:
        return json.dumps({"kind": "play", "stream": self.stream_id, "data": audio})

    def mark_frame(self, name: str) -> str:
        return json.dumps({"kind": "checkpoint", "stream": self.stream_id, "name": name})

    def clear_frame(self) -> str:
        return json.dumps({"kind": "flush", "stream": self.stream_id})


@csrf_exempt
def answer(request: HttpRequest, agent_public_id: str) -> HttpResponse:
    if request.headers.get("X-Fakephone-Signature") != SECRET:
        return HttpResponse(status=403)
    answered = phone_call_answer(
        provider=NAME,
        agent_public_id=agent_public_id,
        call_id=request.POST.get("call", ""),
        caller=request.POST.get("from", ""),
        called=request.POST.get("to", ""),
    )
    if isinstance(answered, services.Refusal):
        return JsonResponse({"hangup": True})
    return JsonResponse({"stream": stream_url(STREAM_PATH), "token": answered})


urlpatterns: list[URLPattern] = [
    path("fakephone/answer/<str:agent_public_id>/", answer),
]
websocket_urlpatterns: list[URLPattern] = [
    path(STREAM_PATH.lstrip("/"), FakePhoneConsumer.as_asgi()),
]

# -- The tests.

ULAW_50MS = [bytes([0x7F - i]) * 400 for i in range(6)]


@pytest.fixture
def provider_registered(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The registry line a real provider adds, and the project's urls rebuilt from it."""
    monkeypatch.setitem(registry.PROVIDERS, NAME, __name__)
    settings.ROOT_URLCONF = __name__  # whose urlpatterns the registry lists (below)
    settings.PUBLIC_BASE_URL = "https://voice.example.com"
    return URLRouter(registry.websocket_urlpatterns())


class FakePhone:
    """The provider's side of the stream."""

    def __init__(self, application: Any, signature: str = SECRET) -> None:
        headers = [(b"host", b"voice.example.com"), (b"x-fakephone-signature", signature.encode())]
        self.communicator = WebsocketCommunicator(application, STREAM_PATH, headers)

    async def send(self, **frame: Any) -> None:
        await self.communicator.send_to(text_data=json.dumps(frame))

    async def until(self, kind: str) -> dict[str, Any]:
        while True:
            frame = json.loads(await self.communicator.receive_from(timeout=5))
            if frame["kind"] == kind:
                return frame


@pytest.fixture
async def phones() -> AsyncIterator[list[FakePhone]]:
    opened: list[FakePhone] = []
    yield opened
    for phone in opened:
        with contextlib.suppress(Exception):
            await phone.communicator.disconnect(timeout=5)


async def _answered(call: str) -> dict[str, Any]:
    response = await sync_to_async(Client().post)(
        "/fakephone/answer/front-desk/",
        {"call": call, "from": "+15551230001", "to": "+15559870002"},
        HTTP_X_FAKEPHONE_SIGNATURE=SECRET,
    )
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_registry_line_is_all_the_project_needs(provider_registered: Any) -> None:
    http = [str(p.pattern) for p in registry.http_urlpatterns()]
    websocket = [str(p.pattern) for p in registry.websocket_urlpatterns()]
    assert "fakephone/answer/<str:agent_public_id>/" in http
    assert "twilio/voice/<str:agent_public_id>/" in http  # the others are still there
    assert STREAM_PATH.lstrip("/") in websocket


async def test_a_call_through_a_provider_defined_in_one_module(
    agent: Any, fake: FakeRealtimeServer, provider_registered: Any, phones: list[FakePhone]
) -> None:
    answer = await _answered("FP-1")
    assert answer["stream"] == "wss://voice.example.com/ws/fakephone/stream/"
    fake.greeting_chunks = ULAW_50MS[:1]
    phone = FakePhone(provider_registered)
    phones.append(phone)
    connected, _ = await phone.communicator.connect(timeout=5)
    assert connected
    await phone.send(kind="hello", call="FP-1", stream="S-1", token=answer["token"])
    upstream = await fake.connection()
    await upstream.wait_for("session.update")
    assert upstream.session["audio"]["output"]["format"] == {"type": "audio/pcmu"}

    # The greeting: the provider's own play frame, then a checkpoint after it.
    play = await phone.until("play")
    assert play["stream"] == "S-1"
    assert base64.b64decode(play["data"]) == ULAW_50MS[0]
    await phone.until("checkpoint")

    # The caller's audio goes upstream untouched.
    caller = bytes(range(96, 256))
    await phone.send(kind="audio", data=base64.b64encode(caller).decode())
    append = (await upstream.wait_for("input_audio_buffer.append"))[0]
    assert base64.b64decode(append["audio"]) == caller

    # The agent speaks; the provider reports two chunks played; the caller barges in.
    response_id, item_id = await upstream.speak("A long answer.", ULAW_50MS, finish=False)
    checkpoints = [await phone.until("checkpoint") for _ in ULAW_50MS]
    assert all(c["name"].startswith(f"{item_id}:") for c in checkpoints)
    await phone.send(kind="played", name=checkpoints[1]["name"])
    await asyncio.sleep(0.3)  # more than 100 ms passes: the provider's report wins
    await upstream.emit("input_audio_buffer.speech_started", audio_start_ms=900, item_id="u1")
    assert (await phone.until("flush"))["stream"] == "S-1"
    truncate = (await upstream.wait_for("conversation.item.truncate"))[0]
    assert truncate["item_id"] == item_id
    assert 100 <= truncate["audio_end_ms"] <= 120
    await upstream.finish_response(response_id, [], status="cancelled")

    await phone.send(kind="bye")
    await calls_settled()
    call = await CallLog.objects.aget()
    assert (call.channel, call.end_reason) == (Channel.PLIVO, "caller_hung_up")
    assert (call.provider_call_id, call.provider_stream_id, call.caller_number) == (
        "FP-1",
        "S-1",
        "+15551230001",
    )


async def _stream(application: Any, phones: list[FakePhone], **hello: str) -> FakePhone:
    phone = FakePhone(application)
    phones.append(phone)
    assert (await phone.communicator.connect(timeout=5))[0]
    await phone.send(kind="hello", stream="S-2", **hello)
    return phone


async def test_the_base_refuses_for_the_provider(
    agent: Any, fake: FakeRealtimeServer, provider_registered: Any, phones: list[FakePhone]
) -> None:
    unsigned = FakePhone(provider_registered, signature="wrong")
    phones.append(unsigned)
    assert not (await unsigned.communicator.connect(timeout=5))[0]  # 403, before accept

    token = (await _answered("FP-2"))["token"]
    other = await _stream(provider_registered, phones, call="FP-3", token=token)
    assert (await other.communicator.receive_output(timeout=5))["code"] == 1008

    first = await _stream(provider_registered, phones, call="FP-2", token=token)
    await first.until("play")  # the token's first use is a call
    replay = await _stream(provider_registered, phones, call="FP-2", token=token)
    assert (await replay.communicator.receive_output(timeout=5))["code"] == 1008
    await first.send(kind="bye")
    await calls_settled()
    assert await CallLog.objects.acount() == 1


class ImpatientPhoneConsumer(FakePhoneConsumer):
    start_timeout = 0.1


async def test_a_stream_without_a_valid_start_is_closed(provider_registered: Any) -> None:
    application = URLRouter([path("ws/impatient/", ImpatientPhoneConsumer.as_asgi())])
    headers = [(b"x-fakephone-signature", SECRET.encode())]
    communicator = WebsocketCommunicator(application, "/ws/impatient/", headers)
    assert (await communicator.connect(timeout=5))[0]
    await communicator.send_to(text_data=json.dumps({"kind": "hello", "call": "FP-9"}))  # no token
    assert (await communicator.receive_output(timeout=5))["code"] == 1008
    communicator = WebsocketCommunicator(application, "/ws/impatient/", headers)
    assert (await communicator.connect(timeout=5))[0]
    assert (await communicator.receive_output(timeout=2))["type"] == "websocket.close"
    await communicator.disconnect()


def test_a_provider_must_name_itself_and_its_channel() -> None:
    with pytest.raises(TypeError, match="provider, channel"):

        class Nameless(PhoneMediaConsumer):
            def handshake_valid(self, headers: Mapping[str, str]) -> bool:
                return True

            def parse_event(self, message: dict[str, Any]) -> StreamEvent | None:
                return None

            def media_frame(self, audio: str) -> str:
                return audio

            def mark_frame(self, name: str) -> str:
                return name

            def clear_frame(self) -> str:
                return ""
