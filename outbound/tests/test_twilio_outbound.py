"""Calls the agent places through Twilio, end to end on loopback: the REST request
(twilio-python's own request is the reference), Twilio's signed callbacks, the media
stream through the real consumer to the fake Realtime server, and answering machines."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from calls.models import CallLog, Direction
from calls.telephony.tests.fake_rest import Answer, FakeProviderRest, twilio_sdk_create
from calls.telephony.twilio.tests.test_twilio import ULAW_50MS, TwilioStream, _stream_of
from calls.telephony.twilio.tests.test_twilio_control import _ack_all_marks
from calls.tests.conftest import calls_settled
from calls.tests.fake_openai import FakeConnection, FakeRealtimeServer
from contacts.models import Contact, ContactStatus
from outbound.models import AttemptResult, AttemptStatus, CallAttempt, VoicemailAction
from outbound.services import outbound_call_request
from outbound.tests.conftest import (
    LEAD_NUMBER,
    OUR_NUMBER,
    PUBLIC,
    TWILIO_SID,
    TWILIO_TOKEN,
    twilio_post,
)
from voiceagent import background

pytestmark = pytest.mark.django_db(transaction=True)

# The stream fixture of the Twilio tests: every stream is closed in its test's loop.
from calls.telephony.twilio.tests.test_twilio import streams_closed  # noqa: E402

__all__ = ["streams_closed"]


def _place(lead: Contact, agent: Any) -> CallAttempt:
    attempt = outbound_call_request(contact=lead, agent=agent)
    assert background.wait_idle(10)
    attempt.refresh_from_db()
    return attempt


def _path(attempt: CallAttempt, step: str) -> str:
    return f"/twilio/outbound/{attempt.pk}/{step}/"


def _form(status: str, **extra: str) -> dict[str, str]:
    return {
        "CallSid": "CA00000001",
        "AccountSid": TWILIO_SID,
        "From": OUR_NUMBER,
        "To": LEAD_NUMBER,
        "CallStatus": status,
        "Direction": "outbound-api",
        **extra,
    }


def test_the_call_is_placed_as_twilio_python_places_it(
    agent: Any, policy: Any, line: Any, lead: Contact, twilio_rest: FakeProviderRest
) -> None:
    attempt = _place(lead, agent)
    (request,) = twilio_rest.requests
    links = {step: f"{PUBLIC}{_path(attempt, step)}" for step in ("answer", "status", "machine")}
    method, path, form = twilio_sdk_create(
        TWILIO_SID,
        "token",
        to=LEAD_NUMBER,
        from_=OUR_NUMBER,
        url=links["answer"],
        method="POST",
        status_callback=links["status"],
        status_callback_method="POST",
        status_callback_event=["initiated", "ringing", "answered", "completed"],
        timeout=30,
        time_limit=agent.max_call_seconds,
        machine_detection="DetectMessageEnd",
        async_amd="true",
        async_amd_status_callback=links["machine"],
        async_amd_status_callback_method="POST",
    )
    assert (request.method, request.path, request.form_lists) == (method, path, form)
    assert (request.user, request.password) == (TWILIO_SID, TWILIO_TOKEN)
    assert (attempt.status, attempt.provider_call_id, attempt.number) == (
        AttemptStatus.RINGING,
        "CA00000001",
        1,
    )


def test_a_provider_that_refuses_fails_the_attempt_and_schedules_a_retry(
    agent: Any, policy: Any, line: Any, lead: Contact, twilio_rest: FakeProviderRest
) -> None:
    twilio_rest.default = Answer(400, {"code": 21215, "message": "Geo permission missing"})
    attempt = _place(lead, agent)
    assert (attempt.status, attempt.result) == (AttemptStatus.DONE, AttemptResult.FAILED)
    assert "Geo permission missing" in attempt.error and "token" not in attempt.error
    retry = CallAttempt.objects.get(status=AttemptStatus.SCHEDULED)
    assert retry.number == 2
    assert retry.scheduled_for >= timezone.now() + dt.timedelta(minutes=29)


def test_callbacks_need_twilios_signature_and_an_attempt(
    agent: Any, policy: Any, line: Any, lead: Contact, twilio_rest: FakeProviderRest
) -> None:
    attempt = _place(lead, agent)
    forged = twilio_post(_path(attempt, "status"), _form("busy"), token="someone-elses")
    assert forged.status_code == 403
    missing = twilio_post(f"/twilio/outbound/{attempt.pk + 99}/status/", _form("busy"))
    assert missing.status_code == 404
    probed = twilio_post(
        f"/twilio/outbound/{attempt.pk + 99}/status/", _form("busy"), token="someone-elses"
    )
    assert probed.status_code == 403  # whether a call exists is nobody else's business
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.RINGING  # nothing recorded


@pytest.mark.parametrize(
    ("status", "result"),
    [("busy", AttemptResult.BUSY), ("no-answer", AttemptResult.NO_ANSWER)],
)
def test_busy_or_no_answer_is_retried_after_the_policys_spacing_until_the_last_attempt(
    agent: Any,
    policy: Any,
    line: Any,
    lead: Contact,
    twilio_rest: FakeProviderRest,
    status: str,
    result: str,
) -> None:
    attempt = _place(lead, agent)
    assert twilio_post(_path(attempt, "status"), _form("ringing")).status_code == 204
    assert twilio_post(_path(attempt, "status"), _form(status)).status_code == 204
    # Twilio delivers again: nothing changes twice.
    assert twilio_post(_path(attempt, "status"), _form(status)).status_code == 204
    attempt.refresh_from_db()
    assert (attempt.status, attempt.result, attempt.provider_status) == (
        AttemptStatus.DONE,
        result,
        status,
    )
    (retry,) = CallAttempt.objects.filter(status=AttemptStatus.SCHEDULED)
    assert retry.number == 2 and retry.contact_id == lead.pk
    # The last allowed attempt (3 by the policy) is not followed by another.
    CallAttempt.objects.filter(pk=retry.pk).update(number=3)
    from outbound.result_services import outbound_attempt_finish

    outbound_attempt_finish(attempt_id=retry.pk, result=result)
    assert not CallAttempt.objects.filter(status=AttemptStatus.SCHEDULED).exists()


async def _answered_call(
    attempt: CallAttempt, fake: FakeRealtimeServer
) -> tuple[TwilioStream, FakeConnection]:
    response = await sync_to_async(twilio_post)(_path(attempt, "answer"), _form("in-progress"))
    assert response.status_code == 200
    stream_url, token = _stream_of(response.content)
    assert stream_url == "wss://voice.example.com/ws/twilio/media/"
    fake.greeting_chunks = ULAW_50MS[:1]
    stream = TwilioStream()
    assert await stream.open(token, call_sid="CA00000001")
    upstream = await fake.connection()
    await stream.until("mark")
    return stream, upstream


async def test_an_answered_call_greets_the_lead_by_name_with_their_history(
    agent: Any,
    policy: Any,
    line: Any,
    lead: Contact,
    twilio_rest: FakeProviderRest,
    fake: FakeRealtimeServer,
) -> None:
    earlier = await CallLog.objects.acreate(
        agent=agent,
        channel="web",
        engine="offline",
        contact=lead,
        status="completed",
        summary="Ada asked whether a root canal hurts and what it costs.",
    )
    attempt = await sync_to_async(_place)(lead, agent)
    stream, upstream = await _answered_call(attempt, fake)

    instructions = upstream.session["instructions"]
    assert "OUTBOUND call" in instructions and "Ada Lovelace" in instructions
    assert "root canal hurts" in instructions  # the last call's summary
    assert "Asked about a root canal." in instructions  # the contact's notes
    assert "opt_out_of_calls" in {tool["name"] for tool in upstream.session["tools"]}
    (greeting,) = [
        event
        for event in upstream.of_type("response.create")
        if (event.get("response") or {}).get("metadata", {}).get("purpose") == "greeting"
    ]
    assert (
        f"Hi Ada Lovelace, this is {agent.name}, calling you back."
        in (greeting["response"]["instructions"])
    )
    # No connection beep on a call we placed: the first audio is the greeting.
    assert stream.of("media")[0]["media"]["payload"]

    call = await CallLog.objects.exclude(pk=earlier.pk).aget()
    assert (call.direction, call.channel, call.provider_call_id) == (
        Direction.OUTBOUND,
        "twilio",
        "CA00000001",
    )
    assert (call.caller_number, call.called_number, call.contact_id) == (
        LEAD_NUMBER,
        OUR_NUMBER,
        lead.pk,
    )
    assert call.metadata["outbound_attempt"] == attempt.pk
    await stream.send({"event": "stop", "sequenceNumber": "99", "streamSid": "MZ0001"})
    await calls_settled()
    response = await sync_to_async(twilio_post)(
        _path(attempt, "status"), _form("completed", CallDuration="42")
    )
    assert response.status_code == 204
    await attempt.arefresh_from_db()
    assert (attempt.status, attempt.result, attempt.call_id) == (
        AttemptStatus.DONE,
        AttemptResult.ANSWERED,
        call.pk,
    )
    await lead.arefresh_from_db()
    assert lead.status == ContactStatus.CONTACTED
    await call.arefresh_from_db()
    assert (call.provider_status, call.provider_duration_seconds) == ("completed", 42)
    assert not await CallAttempt.objects.filter(status=AttemptStatus.SCHEDULED).aexists()


def _say_the_message(fake: FakeRealtimeServer, said: list[str]) -> Any:
    async def handler(connection: FakeConnection, event: dict[str, Any]) -> None:
        said.append(event["response"]["instructions"])
        await connection.speak("(voicemail)", ULAW_50MS[:3], metadata=event["response"]["metadata"])

    return handler


async def test_a_machine_after_its_beep_gets_the_agents_message_then_the_line_is_hung_up(
    agent: Any,
    policy: Any,
    line: Any,
    lead: Contact,
    twilio_rest: FakeProviderRest,
    fake: FakeRealtimeServer,
) -> None:
    attempt = await sync_to_async(_place)(lead, agent)
    stream, upstream = await _answered_call(attempt, fake)
    said: list[str] = []
    fake.on_response_create = _say_the_message(fake, said)
    response = await sync_to_async(twilio_post)(
        _path(attempt, "machine"),
        _form("in-progress", AnsweredBy="machine_end_beep", MachineDetectionDuration="4100"),
    )
    assert response.status_code == 204
    await upstream.wait_for("response.create", count=2)
    # The model stops answering the machine: its turn detection creates no response.
    update = upstream.of_type("session.update")[-1]["session"]
    assert update["audio"]["input"]["turn_detection"]["create_response"] is False
    (instructions,) = said
    assert f'"Hi Ada Lovelace, this is {agent.name}, returning your call.' in instructions
    for _ in range(3):
        await stream.until("media")
    await _ack_all_marks(stream, upstream)
    (_create, hang_up) = await sync_to_async(twilio_rest.wait)(2)
    assert hang_up.path.endswith("/Calls/CA00000001.json")
    assert hang_up.form == {"Status": "completed"}
    await calls_settled()
    call = await CallLog.objects.aget()
    assert call.end_reason == "agent_ended"
    await sync_to_async(twilio_post)(_path(attempt, "status"), _form("completed"))
    await attempt.arefresh_from_db()
    assert (attempt.result, attempt.answered_by) == (
        AttemptResult.VOICEMAIL_LEFT,
        "machine_end_beep",
    )
    # A message was left: nobody calls again.
    assert not await CallAttempt.objects.filter(status=AttemptStatus.SCHEDULED).aexists()


async def test_the_hang_up_policy_hangs_up_on_a_machine_and_tries_again_later(
    agent: Any,
    policy: Any,
    line: Any,
    lead: Contact,
    twilio_rest: FakeProviderRest,
    fake: FakeRealtimeServer,
) -> None:
    policy.voicemail_action = VoicemailAction.HANG_UP
    await policy.asave()
    attempt = await sync_to_async(_place)(lead, agent)
    _stream, _upstream = await _answered_call(attempt, fake)
    await sync_to_async(twilio_post)(
        _path(attempt, "machine"), _form("in-progress", AnsweredBy="machine_start")
    )
    (_create, hang_up) = await sync_to_async(twilio_rest.wait)(2)
    assert hang_up.form == {"Status": "completed"}
    await calls_settled()
    await sync_to_async(twilio_post)(_path(attempt, "status"), _form("completed"))
    await attempt.arefresh_from_db()
    assert attempt.result == AttemptResult.VOICEMAIL
    retry = await CallAttempt.objects.aget(status=AttemptStatus.SCHEDULED)
    assert retry.number == 2


async def test_a_person_answering_changes_nothing(
    agent: Any,
    policy: Any,
    line: Any,
    lead: Contact,
    twilio_rest: FakeProviderRest,
    fake: FakeRealtimeServer,
) -> None:
    attempt = await sync_to_async(_place)(lead, agent)
    stream, upstream = await _answered_call(attempt, fake)
    await sync_to_async(twilio_post)(
        _path(attempt, "machine"), _form("in-progress", AnsweredBy="human")
    )
    await asyncio.sleep(0.3)
    assert len(twilio_rest.requests) == 1  # no hang-up
    assert not upstream.of_type("session.update")[1:]  # turn detection untouched
    await attempt.arefresh_from_db()
    assert (attempt.answered_by, attempt.result) == ("human", "")
    await stream.send({"event": "stop", "sequenceNumber": "99", "streamSid": "MZ0001"})
    await calls_settled()


def test_an_answer_for_an_attempt_that_is_over_hangs_up(
    agent: Any, policy: Any, line: Any, lead: Contact, twilio_rest: FakeProviderRest
) -> None:
    attempt = _place(lead, agent)
    CallAttempt.objects.filter(pk=attempt.pk).update(status=AttemptStatus.CANCELLED)
    response = twilio_post(_path(attempt, "answer"), _form("in-progress"))
    assert response.status_code == 200
    assert b"<Hangup" in response.content and b"<Stream" not in response.content


async def test_a_machine_reported_early_gets_the_message_once_its_greeting_is_over(
    agent: Any,
    policy: Any,
    line: Any,
    lead: Contact,
    twilio_rest: FakeProviderRest,
    fake: FakeRealtimeServer,
) -> None:
    """A verdict before the beep (Plivo's, or Twilio's ``machine_start``): the agent waits
    until the machine's greeting has stopped, however long it talks."""
    attempt = await sync_to_async(_place)(lead, agent)
    stream, upstream = await _answered_call(attempt, fake)
    said: list[str] = []
    fake.on_response_create = _say_the_message(fake, said)
    await upstream.emit("input_audio_buffer.speech_started", audio_start_ms=900, item_id="m1")
    await sync_to_async(twilio_post)(
        _path(attempt, "machine"), _form("in-progress", AnsweredBy="machine_start")
    )
    await asyncio.sleep(1.0)
    assert said == []  # the machine is still talking: nothing said over it
    await upstream.emit("input_audio_buffer.speech_stopped", audio_end_ms=4200, item_id="m1")
    await upstream.wait_for("response.create", count=2)
    assert len(said) == 1 and "returning your call" in said[0]
    # The machine's speech did not count as the caller talking over the agent.
    assert not stream.of("clear")
    await _ack_all_marks(stream, upstream)
    await sync_to_async(twilio_rest.wait)(2)
    await calls_settled()
