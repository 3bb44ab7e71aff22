"""Plivo call control: hang-up and transfers through Plivo's REST API (a loopback fake;
plivo-python's own requests are the reference), the transfer XML Plivo fetches, and the
caller's return to the agent when nobody answers."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from calls.models import CallLog, CallStatus, TransferStatus
from calls.telephony.plivo.tests.test_plivo_stream import (
    ULAW_50MS,
    PlivoStream,
    greeted_call,
    streams_closed,
)
from calls.telephony.plivo.tests.test_plivo_webhook import PUBLIC, plivo_settings, post
from calls.telephony.tests.fake_rest import Answer, FakeProviderRest, plivo_sdk_requests
from calls.telephony.tests.phone_framing import PlivoFraming
from calls.tests.conftest import calls_settled
from calls.tests.fake_openai import FakeConnection, FakeRealtimeServer

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["plivo_settings", "streams_closed"]  # fixtures: settings, streams closed

AUTH_ID = "MAODUXMZRLNGRKZTQ1ZT"
CALL = "0c2f5c8a-7b2e-4e6a-9d6e-1c1d1e1f1a1b"
TARGET = "+15557654321"


@pytest.fixture
def rest(settings: Any) -> Iterator[FakeProviderRest]:
    server = FakeProviderRest(Answer(202, {"message": "call transferred", "api_id": "x"})).start()
    settings.PLIVO_API_BASE_URL = server.url
    yield server
    server.stop()


@pytest.fixture
def phone(agent: Any, plivo_settings: Any, rest: FakeProviderRest) -> Any:
    plivo_settings.PLIVO_AUTH_ID = AUTH_ID
    plivo_settings.TELEPHONY_API_TIMEOUT = 1.0
    agent.transfer_number = TARGET
    agent.save()
    return agent


def _xml(body: bytes) -> ET.Element:
    return ET.fromstring(body)  # noqa: S314 (our own server's XML)


async def _play_all(stream: PlivoStream) -> None:
    """Plivo plays everything it was sent: each checkpoint is acknowledged."""
    while not await stream.communicator.receive_nothing(timeout=0.5):
        output = await stream.communicator.receive_output(timeout=1)
        if output["type"] != "websocket.send":
            return
        message = json.loads(output["text"])
        stream.events.append(message)
        if message["event"] == "checkpoint":
            await stream.send(stream.framing.played(message["name"]))


async def _tool_then_sentence(
    fake: FakeRealtimeServer, name: str, arguments: dict[str, Any]
) -> tuple[PlivoStream, FakeConnection]:
    stream = await greeted_call(fake, CALL)
    upstream = await fake.connection()

    async def sentence(connection: FakeConnection, event: dict[str, Any]) -> None:
        fake.on_response_create = None
        await connection.speak("One moment.", ULAW_50MS[:2])

    fake.on_response_create = sentence
    await upstream.call_functions([(name, arguments)])
    return stream, upstream


async def test_end_call_hangs_up_through_plivo_after_the_goodbye(
    phone: Any, fake: FakeRealtimeServer, rest: FakeProviderRest
) -> None:
    stream, _ = await _tool_then_sentence(fake, "end_call", {})
    await _play_all(stream)
    (request,) = await sync_to_async(rest.wait)(1)
    ((method, path, body),) = plivo_sdk_requests(AUTH_ID, "t", "hangup", CALL)
    assert (request.method, request.path, request.json) == (method, path, body)
    assert request.user == AUTH_ID
    await calls_settled()
    call = await CallLog.objects.aget()
    assert (call.end_reason, call.error_message) == ("agent_ended", "")


async def test_cold_transfer_moves_the_a_leg_to_our_dial_xml(
    phone: Any, fake: FakeRealtimeServer, rest: FakeProviderRest
) -> None:
    phone.transfer_mode = "cold"
    await phone.asave()
    stream, _ = await _tool_then_sentence(
        fake, "transfer_call", {"reason": "a person", "summary": "Ana needs help."}
    )
    await _play_all(stream)
    (request,) = await sync_to_async(rest.wait)(1)
    call = await CallLog.objects.aget()
    base = f"{PUBLIC}/plivo/transfer/{call.pk}"
    ((method, path, body),) = plivo_sdk_requests(
        AUTH_ID, "t", "transfer", CALL, legs="aleg", aleg_url=f"{base}/dial/", aleg_method="POST"
    )
    assert (request.method, request.path, request.json) == (method, path, body)
    await stream.communicator.disconnect(code=1000)  # Plivo ends the stream: the transfer
    await calls_settled()
    call = await CallLog.objects.aget()
    assert (call.status, call.transfer_status) == (CallStatus.TRANSFERRED, TransferStatus.DIALLING)

    dial = _xml(
        (
            await sync_to_async(post)({"CallUUID": CALL}, path=f"/plivo/transfer/{call.pk}/dial/")
        ).content
    )
    element = dial.find("Dial")
    assert element is not None and element.get("action") == f"{base}/result/"
    assert element.get("dialMusic") == f"{base}/hold/" and element.get("confirmSound") is None
    assert dial.findtext("Dial/Number") == TARGET
    hold = await sync_to_async(post)({"CallUUID": CALL}, path=f"/plivo/transfer/{call.pk}/hold/")
    assert _xml(hold.content).find("Play") is not None
    done = await sync_to_async(post)(
        {"CallUUID": CALL, "DialStatus": "completed", "DialBLegUUID": "b-leg"},
        path=f"/plivo/transfer/{call.pk}/result/",
    )
    assert _xml(done.content).find("Hangup") is not None
    assert (await CallLog.objects.aget()).transfer_status == TransferStatus.ANSWERED


async def test_warm_transfer_not_accepted_brings_the_caller_back(
    phone: Any, fake: FakeRealtimeServer, rest: FakeProviderRest
) -> None:
    stream, _ = await _tool_then_sentence(
        fake, "transfer_call", {"reason": "a person", "summary": "Ana needs help."}
    )
    await _play_all(stream)
    await sync_to_async(rest.wait)(1)
    await stream.communicator.disconnect(code=1000)
    await calls_settled()
    call = await CallLog.objects.aget()
    dial = _xml(
        (
            await sync_to_async(post)({"CallUUID": CALL}, path=f"/plivo/transfer/{call.pk}/dial/")
        ).content
    )
    element = dial.find("Dial")
    assert element is not None and element.get("confirmKey") == "1"
    whisper = await sync_to_async(post)(
        {"CallUUID": "b"}, path=f"/plivo/transfer/{call.pk}/whisper/"
    )
    assert "Ana needs help. Press 1" in (_xml(whisper.content).findtext("Speak") or "")
    tampered = await sync_to_async(post)(
        {"CallUUID": CALL, "DialStatus": "no-answer"},
        path=f"/plivo/transfer/{call.pk}/result/",
        sign="bm90IGEgc2lnbmF0dXJl",
    )
    assert tampered.status_code == 403
    back = await sync_to_async(post)(
        {"CallUUID": CALL, "DialStatus": "no-answer"}, path=f"/plivo/transfer/{call.pk}/result/"
    )
    answered = PlivoFraming("", CALL, "s2").read_answer(back.content)
    assert answered is not None
    again = PlivoStream(CALL)
    assert await again.open(answered.token)
    upstream = await fake.connection(1)
    await upstream.wait_for("response.create")
    assert (await CallLog.objects.aget()).status == CallStatus.ACTIVE
    await again.send(again.framing.stop())
    await calls_settled()
    call = await CallLog.objects.aget()
    assert (call.end_reason, call.transfer_status) == ("caller_hung_up", TransferStatus.NO_ANSWER)
