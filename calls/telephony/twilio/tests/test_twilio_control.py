"""Twilio call control: the agent hangs up and transfers through Twilio's REST API (a
loopback fake that records requests; twilio-python's own requests are the reference),
the dial's outcome comes back signed, and an unanswered transfer returns the caller to
the agent on a new stream."""

from __future__ import annotations

import asyncio
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from twilio.request_validator import RequestValidator

from calls.models import CallLog, CallStatus, TranscriptTurn, TransferStatus
from calls.telephony.tests.fake_rest import Answer, FakeProviderRest, twilio_sdk_request
from calls.telephony.twilio.tests.test_twilio import (
    AUTH_TOKEN,
    PUBLIC,
    ULAW_50MS,
    TwilioStream,
    _greeted_call,
    _hang_up,
    _stream_of,
    streams_closed,
)
from calls.tests.conftest import calls_settled
from calls.tests.fake_openai import FakeConnection, FakeRealtimeServer
from contacts.models import Contact, ContactStatus

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["streams_closed"]  # the fixture that disconnects every stream in the test's loop

ACCOUNT_SID = "AC" + "0" * 32
TARGET = "+15557654321"


@pytest.fixture
def rest(settings: Any) -> Iterator[FakeProviderRest]:
    server = FakeProviderRest(Answer(200, {"sid": "CA0001", "status": "in-progress"})).start()
    settings.TWILIO_API_BASE_URL = server.url
    yield server
    server.stop()


@pytest.fixture
def phone(agent: Any, settings: Any, rest: FakeProviderRest) -> Any:
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.PUBLIC_BASE_URL = PUBLIC
    settings.ALLOWED_HOSTS = ["voice.example.com", "testserver"]
    settings.TELEPHONY_API_TIMEOUT = 1.0
    agent.transfer_number = TARGET
    agent.save()
    return agent


def _signed_post(path: str, form: dict[str, str]) -> Any:
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"{PUBLIC}{path}", form)
    return Client().post(
        path, form, HTTP_X_TWILIO_SIGNATURE=signature, HTTP_HOST="voice.example.com", secure=True
    )


async def _ack_all_marks(stream: TwilioStream, upstream: FakeConnection) -> None:
    """Twilio plays everything: every mark sent so far comes back (until the stream
    has been quiet for half a second, or is closed)."""
    while True:
        # receive_nothing, not a timed-out receive: that would cancel the consumer.
        if await stream.communicator.receive_nothing(timeout=0.5):
            return
        output = await stream.communicator.receive_output(timeout=1)
        if output["type"] != "websocket.send":
            return  # closed
        message = json.loads(output["text"])
        stream.events.append(message)
        if message["event"] == "mark":
            await stream.send({"event": "mark", "streamSid": "MZ0001", "mark": message["mark"]})


def _speak_after_tools(fake: FakeRealtimeServer, text: str) -> Any:
    """The model's next response (once): ``text``."""

    async def handler(connection: FakeConnection, event: dict[str, Any]) -> None:
        fake.on_response_create = None
        await connection.speak(text, ULAW_50MS[:3])

    return handler


async def _tool_then_sentence(
    fake: FakeRealtimeServer, name: str, arguments: dict[str, Any], sentence: str
) -> tuple[TwilioStream, FakeConnection]:
    stream = await _greeted_call(fake)
    upstream = await fake.connection()
    fake.on_response_create = _speak_after_tools(fake, sentence)
    await upstream.call_functions([(name, arguments)])
    return stream, upstream


# -- hang-up


async def test_end_call_plays_the_goodbye_then_hangs_up_through_twilio(
    phone: Any, fake: FakeRealtimeServer, rest: FakeProviderRest
) -> None:
    stream, upstream = await _tool_then_sentence(fake, "end_call", {}, "Goodbye, take care.")
    for _ in range(3):
        await stream.until("media")
    await asyncio.sleep(0.3)
    # The goodbye has not been heard yet (no mark came back): Twilio is not asked.
    assert rest.requests == []
    await _ack_all_marks(stream, upstream)
    (request,) = await sync_to_async(rest.wait)(1)
    method, path, form = twilio_sdk_request(ACCOUNT_SID, AUTH_TOKEN, "CA0001", status="completed")
    assert (request.method, request.path, request.form) == (method, path, form)
    assert (request.user, request.password) == (ACCOUNT_SID, AUTH_TOKEN)
    await calls_settled()
    call = await CallLog.objects.aget()
    assert (call.status, call.end_reason, call.error_message) == ("completed", "agent_ended", "")


async def test_a_failed_hang_up_still_ends_the_call_and_is_recorded(
    phone: Any, fake: FakeRealtimeServer, rest: FakeProviderRest
) -> None:
    rest.default = Answer(500, {"code": 20500, "message": "Internal Server Error"})
    stream, upstream = await _tool_then_sentence(fake, "end_call", {}, "Goodbye.")
    await _ack_all_marks(stream, upstream)
    await calls_settled()
    call = await CallLog.objects.aget()
    assert call.end_reason == "agent_ended"
    assert "Internal Server Error" in call.error_message and AUTH_TOKEN not in call.error_message
    assert len(rest.requests) == 1


# -- transfer


async def test_cold_transfer_dials_the_person_after_the_hand_off_sentence(
    phone: Any, fake: FakeRealtimeServer, rest: FakeProviderRest
) -> None:
    phone.transfer_mode = "cold"
    await phone.asave()
    contact = await Contact.objects.acreate(owner_id=phone.owner_id, name="Ana", phone="+15550001")
    stream, upstream = await _tool_then_sentence(
        fake,
        "transfer_call",
        {"reason": "wants a person", "summary": "Ana wants to move her Friday booking."},
        "Putting you through now.",
    )
    tool_output = (await upstream.wait_for("conversation.item.create"))[-1]
    assert "putting them through" in tool_output["item"]["output"]
    offered = {tool["name"] for tool in upstream.session["tools"]}
    assert {"transfer_call", "end_call"} <= offered
    await CallLog.objects.filter(provider_call_id="CA0001").aupdate(contact=contact)
    await _ack_all_marks(stream, upstream)
    (request,) = await sync_to_async(rest.wait)(1)
    call = await CallLog.objects.aget()
    links = f"{PUBLIC}/twilio/transfer/{call.pk}"
    method, path, _ = twilio_sdk_request(ACCOUNT_SID, AUTH_TOKEN, "CA0001", twiml="<Response/>")
    assert (request.method, request.path, set(request.form)) == (method, path, {"Twiml"})
    dial = ET.fromstring(request.form["Twiml"]).find("Dial")  # noqa: S314 (our own TwiML)
    assert dial is not None and dial.get("action") == f"{links}/result/"
    number = dial.find("Number")
    assert number is not None and number.text == TARGET and number.get("url") is None

    # Twilio stops the stream when the new TwiML runs: that is the transfer, not a hang-up.
    await stream.send({"event": "stop", "sequenceNumber": "9", "streamSid": "MZ0001"})
    await calls_settled()
    call = await CallLog.objects.aget()
    assert (call.status, call.end_reason) == (CallStatus.TRANSFERRED, "transferred")
    assert (call.transfer_target, call.transfer_mode, call.transfer_reason) == (
        TARGET,
        "cold",
        "wants a person",
    )
    assert call.transfer_status == TransferStatus.DIALLING
    assert call.summary_status == ""  # post-call work waits for the dial's outcome

    answered = await sync_to_async(_signed_post)(
        f"/twilio/transfer/{call.pk}/result/",
        {"CallSid": "CA0001", "DialCallStatus": "completed", "DialCallDuration": "42"},
    )
    assert b"<Hangup" in answered.content
    call = await CallLog.objects.aget()
    assert call.transfer_status == TransferStatus.ANSWERED
    assert call.summary_status != ""
    assert (await Contact.objects.aget(pk=contact.pk)).status == ContactStatus.TRANSFERRED


async def test_warm_transfer_nobody_answers_and_the_caller_comes_back_to_the_agent(
    phone: Any, fake: FakeRealtimeServer, rest: FakeProviderRest
) -> None:
    stream, upstream = await _tool_then_sentence(
        fake,
        "transfer_call",
        {"reason": "billing question", "summary": "Ana has a billing question."},
        "One moment, I will put you through.",
    )
    await upstream.caller_turn("Can I talk to someone about my bill?")
    await _ack_all_marks(stream, upstream)
    (request,) = await sync_to_async(rest.wait)(1)
    call = await CallLog.objects.aget()
    number = ET.fromstring(request.form["Twiml"]).find("Dial/Number")  # noqa: S314
    assert (
        number is not None and number.get("url") == f"{PUBLIC}/twilio/transfer/{call.pk}/whisper/"
    )
    await stream.send({"event": "stop", "sequenceNumber": "9", "streamSid": "MZ0001"})
    await calls_settled()

    whisper = await sync_to_async(_signed_post)(
        f"/twilio/transfer/{call.pk}/whisper/", {"CallSid": "CA0002"}
    )
    assert b"Ana has a billing question." in whisper.content
    unsigned = await sync_to_async(Client().post)(
        f"/twilio/transfer/{call.pk}/result/", {"DialCallStatus": "no-answer"}, secure=True
    )
    assert unsigned.status_code == 403
    returned = await sync_to_async(_signed_post)(
        f"/twilio/transfer/{call.pk}/result/", {"CallSid": "CA0001", "DialCallStatus": "no-answer"}
    )
    url, token = _stream_of(returned.content)
    assert url == "wss://voice.example.com/ws/twilio/media/"
    call = await CallLog.objects.aget()
    assert (call.status, call.transfer_status) == (CallStatus.CONNECTING, TransferStatus.NO_ANSWER)
    turns_before = await TranscriptTurn.objects.filter(call=call).acount()

    back = TwilioStream()
    assert await back.open(token, call_sid="CA0001")
    again = await fake.connection(1)
    items = await again.wait_for("response.create")
    created = [e["item"] for e in again.of_type("conversation.item.create")]
    assert [item["role"] for item in created][-1] == "system"
    assert "nobody took the call" in created[-1]["content"][0]["text"]
    assert any("bill" in item["content"][0]["text"] for item in created if item["role"] == "user")
    assert items
    await again.speak("Sorry, nobody could take your call. Can I take a message?", ULAW_50MS[:2])
    for _ in range(2):
        await back.until("mark")
    await _hang_up(back)
    call = await CallLog.objects.aget()  # still one call log: the same call
    assert (call.status, call.end_reason) == (CallStatus.COMPLETED, "caller_hung_up")
    turns = [t async for t in TranscriptTurn.objects.filter(call=call).order_by("seq")]
    assert len(turns) > turns_before
    assert turns[-1].text.startswith("Sorry, nobody could take your call")
    assert len({t.seq for t in turns}) == len(turns)
    assert call.usage["responses"] >= 3  # both sessions' responses


async def test_a_refused_transfer_keeps_the_caller_with_the_agent(
    phone: Any, fake: FakeRealtimeServer, rest: FakeProviderRest
) -> None:
    rest.default = Answer(400, {"code": 21220, "message": "Call is not in-progress"})
    stream, upstream = await _tool_then_sentence(
        fake, "transfer_call", {"reason": "person", "summary": "A caller."}, "Putting you through."
    )
    await _ack_all_marks(stream, upstream)
    await upstream.wait_for("response.create", count=3)
    system = [
        e["item"]
        for e in upstream.of_type("conversation.item.create")
        if e["item"].get("role") == "system"
    ]
    assert system and "could not put them through" in system[-1]["content"][0]["text"]
    call = await CallLog.objects.aget()
    assert (call.status, call.end_reason) == (CallStatus.ACTIVE, "")
    assert call.transfer_status == TransferStatus.FAILED
    assert "Call is not in-progress" in call.transfer_error
    await _hang_up(stream)


async def test_a_provider_that_hangs_fails_the_transfer_in_time(
    phone: Any, fake: FakeRealtimeServer, rest: FakeProviderRest
) -> None:
    rest.default = Answer(200, {}, delay=5.0)
    stream, upstream = await _tool_then_sentence(
        fake, "transfer_call", {"reason": "person", "summary": "A caller."}, "Putting you through."
    )
    await _ack_all_marks(stream, upstream)
    await upstream.wait_for("response.create", count=3, timeout=5)
    call = await CallLog.objects.aget()
    assert "did not answer in time" in call.transfer_error
    await _hang_up(stream)


async def _transferred_call(fake: FakeRealtimeServer, rest: FakeProviderRest) -> CallLog:
    stream, upstream = await _tool_then_sentence(
        fake, "transfer_call", {"reason": "person", "summary": "A caller."}, "One moment."
    )
    await _ack_all_marks(stream, upstream)
    await sync_to_async(rest.wait)(1)
    await stream.send({"event": "stop", "sequenceNumber": "9", "streamSid": "MZ0001"})
    await calls_settled()
    return await CallLog.objects.aget()


async def test_a_caller_who_hangs_up_while_the_transfer_rings_is_not_brought_back(
    phone: Any, fake: FakeRealtimeServer, rest: FakeProviderRest
) -> None:
    call = await _transferred_call(fake, rest)
    gone = await sync_to_async(_signed_post)(
        f"/twilio/transfer/{call.pk}/result/", {"CallSid": "CA0001", "DialCallStatus": "canceled"}
    )
    assert b"<Hangup" in gone.content and b"<Connect" not in gone.content
    call = await CallLog.objects.aget()
    assert (call.status, call.transfer_status) == (CallStatus.TRANSFERRED, TransferStatus.NO_ANSWER)
    assert call.summary_status != ""


async def test_a_return_the_caller_never_reached_is_ended_by_the_final_status(
    phone: Any, fake: FakeRealtimeServer, rest: FakeProviderRest
) -> None:
    call = await _transferred_call(fake, rest)
    await sync_to_async(_signed_post)(
        f"/twilio/transfer/{call.pk}/result/", {"CallSid": "CA0001", "DialCallStatus": "busy"}
    )
    assert (await CallLog.objects.aget()).status == CallStatus.CONNECTING
    # The caller hangs up before the new stream starts: Twilio's status callback ends it.
    await sync_to_async(_signed_post)(
        "/twilio/status/",
        {"CallSid": "CA0001", "CallStatus": "completed", "CallDuration": "95"},
    )
    call = await CallLog.objects.aget()
    assert (call.status, call.end_reason) == (CallStatus.COMPLETED, "caller_hung_up")
    assert call.provider_duration_seconds == 95
