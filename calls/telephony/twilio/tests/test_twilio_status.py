"""Twilio's status callback: signed, recorded on the call's log, never-connected calls
logged for their agent, redelivery and late callbacks harmless, one row under a race."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import close_old_connections
from django.test import Client, RequestFactory
from twilio.request_validator import RequestValidator

from agents.models import Agent
from calls.models import CallLog, CallStatus, Channel, Direction, EndReason
from calls.services import StatusRecorded, call_provider_status_record
from calls.telephony.twilio import status

pytestmark = pytest.mark.django_db

AUTH_TOKEN = "twilio-test-auth-token-not-real"
PUBLIC = "https://voice.example.com"


@pytest.fixture
def twilio_settings(settings: Any) -> Any:
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.PUBLIC_BASE_URL = PUBLIC
    settings.ALLOWED_HOSTS = ["voice.example.com", "testserver"]
    return settings


def _form(call_sid: str = "CA0001", call_status: str = "completed", **extra: str) -> dict[str, str]:
    form = {
        "CallSid": call_sid,
        "AccountSid": "AC0001",
        "From": "+15551230001",
        "To": "+15559870002",
        "CallStatus": call_status,
        "Direction": "inbound",
        "CallbackSource": "call-progress-events",
        "SequenceNumber": "3",
        "Timestamp": "Tue, 10 Dec 2024 21:46:53 +0000",
    }
    if call_status in status.FINAL_STATUSES:
        form["CallDuration"] = "0"
    return {**form, **extra}


def _post(
    form: dict[str, str], *, path: str = "/twilio/status/", signature: str | None = None
) -> Any:
    if signature is None:
        signature = RequestValidator(AUTH_TOKEN).compute_signature(f"{PUBLIC}{path}", form)
    headers = {"Host": "voice.example.com"}
    if signature:
        headers["X-Twilio-Signature"] = signature
    return Client().post(path, form, headers=headers, secure=True)


def _live_call(agent: Agent, call_sid: str = "CA0001") -> CallLog:
    return CallLog.objects.create(
        agent=agent,
        channel=Channel.TWILIO,
        engine="offline",
        status=CallStatus.ACTIVE,
        caller_number="+15551230001",
        provider_call_id=call_sid,
    )


def test_signatures_are_required_and_nothing_is_written_without_one(
    agent: Agent, twilio_settings: Any
) -> None:
    form = _form(call_status="busy")
    path = f"/twilio/status/{agent.public_id}/"
    good = RequestValidator(AUTH_TOKEN).compute_signature(f"{PUBLIC}{path}", form)
    assert _post(form, path=path, signature="").status_code == 403  # missing
    assert _post(form, path=path, signature="bm90IGEgc2lnbmF0dXJl").status_code == 403
    tampered = {**form, "CallStatus": "completed", "CallDuration": "3600"}
    assert _post(tampered, path=path, signature=good).status_code == 403
    other_url = RequestValidator(AUTH_TOKEN).compute_signature(f"{PUBLIC}/twilio/status/", form)
    assert _post(form, path=path, signature=other_url).status_code == 403
    assert not CallLog.objects.exists()
    assert _post(form, path=path, signature=good).status_code == 204
    assert CallLog.objects.count() == 1


def test_an_unconfigured_server_answers_503(agent: Agent, twilio_settings: Any) -> None:
    twilio_settings.TWILIO_AUTH_TOKEN = ""
    response = _post(_form())
    assert response.status_code == 503
    assert b"TWILIO_AUTH_TOKEN" in response.content
    assert not CallLog.objects.exists()


def test_the_status_is_recorded_on_a_live_call_without_ending_it(
    agent: Agent, twilio_settings: Any
) -> None:
    call = _live_call(agent)
    assert _post(_form(call_status="in-progress")).status_code == 204
    call.refresh_from_db()
    assert (call.provider_status, call.status) == ("in-progress", CallStatus.ACTIVE)
    assert _post(_form(call_status="completed", CallDuration="42")).status_code == 204
    call.refresh_from_db()
    assert (call.provider_status, call.provider_duration_seconds) == ("completed", 42)
    # The bridge ends the call; the provider's word does not.
    assert (call.status, call.end_reason, call.ended_at) == (CallStatus.ACTIVE, "", None)
    assert call.called_number == "+15559870002"  # filled in: the stream did not know it
    assert call.provider_price is None and call.provider_price_unit == ""  # Twilio sends none


@pytest.mark.parametrize("final", ["busy", "no-answer", "canceled", "failed"])
def test_a_call_that_never_reached_its_stream_is_logged_for_the_agent_of_its_url(
    agent: Agent, twilio_settings: Any, final: str
) -> None:
    response = _post(_form(call_status=final), path=f"/twilio/status/{agent.public_id}/")
    assert response.status_code == 204
    call = CallLog.objects.get()
    assert (call.agent, call.channel, call.direction) == (agent, Channel.TWILIO, "inbound")
    assert (call.status, call.end_reason) == (CallStatus.FAILED, EndReason.NOT_CONNECTED)
    assert (call.provider_call_id, call.provider_status) == ("CA0001", final)
    assert (call.caller_number, call.called_number) == ("+15551230001", "+15559870002")
    assert (call.duration_seconds, call.provider_duration_seconds) == (0, 0)
    assert call.ended_at is not None and call.ended_at.isoformat() == "2024-12-10T21:46:53+00:00"
    assert call.started_at == call.ended_at


def test_a_logged_call_cannot_be_streamed_afterwards(agent: Agent, twilio_settings: Any) -> None:
    from calls.services import Refusal, phone_call_admit

    _post(_form(call_status="no-answer"), path=f"/twilio/status/{agent.public_id}/")
    refused = phone_call_admit(public_id=agent.public_id, provider_call_id="CA0001")
    assert isinstance(refused, Refusal)


def test_a_status_nobody_can_place_is_answered_and_not_logged(
    agent: Agent, twilio_settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="calls")
    assert _post(_form(call_status="busy")).status_code == 204  # no agent in the URL
    assert _post(_form(call_status="busy"), path="/twilio/status/nobody/").status_code == 204
    assert not CallLog.objects.exists()
    assert "nothing says whose it was" in caplog.text
    # In progress, no log yet: the stream is still to come; nothing is written.
    path = f"/twilio/status/{agent.public_id}/"
    assert _post(_form(call_status="ringing"), path=path).status_code == 204
    # A transfer's dial (a child leg) ends: part of its parent's call, not a call of its own.
    child = _form("CA0002", call_status="no-answer", ParentCallSid="CA0001")
    assert _post(child, path=path).status_code == 204
    assert not CallLog.objects.exists()


def test_redelivery_is_idempotent(agent: Agent, twilio_settings: Any) -> None:
    path = f"/twilio/status/{agent.public_id}/"
    for _ in range(3):
        assert _post(_form(call_status="busy"), path=path).status_code == 204
    call = CallLog.objects.get()
    assert (call.provider_status, call.status, call.provider_duration_seconds) == (
        "busy",
        CallStatus.FAILED,
        0,
    )


def test_a_late_status_never_overwrites_a_newer_one(agent: Agent, twilio_settings: Any) -> None:
    call = _live_call(agent)
    _post(_form(call_status="completed", CallDuration="42", SequenceNumber="3"))
    for late, sequence in (("ringing", "1"), ("in-progress", "2"), ("queued", "0")):
        _post(_form(call_status=late, SequenceNumber=sequence))
    _post(_form(call_status="failed", CallDuration="1"))  # a second, different end
    call.refresh_from_db()
    assert (call.provider_status, call.provider_duration_seconds) == ("completed", 42)
    # Forward moves are recorded.
    other = _live_call(agent, "CA0002")
    _post(_form("CA0002", call_status="ringing"))
    _post(_form("CA0002", call_status="in-progress"))
    other.refresh_from_db()
    assert other.provider_status == "in-progress"


def test_routing_by_number_is_an_agent_resolver(agent: Agent, twilio_settings: Any) -> None:
    """Without a per-agent URL, the resolver a URL pattern passes finds the agent from our
    number (the called one; the caller of an outbound call)."""
    asked: list[str] = []

    def resolver(number: str) -> Agent | None:
        asked.append(number)
        return agent if number == "+15559870002" else None

    form = _form(call_status="no-answer")
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"{PUBLIC}/twilio/status/", form)
    request = RequestFactory().post(
        "/twilio/status/",
        form,
        HTTP_X_TWILIO_SIGNATURE=signature,
        HTTP_HOST="voice.example.com",
        secure=True,
    )
    assert status.status(request, agent_resolver=resolver).status_code == 204
    assert CallLog.objects.get().agent == agent
    recorded = call_provider_status_record(
        channel=Channel.TWILIO,
        provider_call_id="CA0009",
        status="busy",
        final=True,
        caller_number="+15559870002",
        called_number="+15550000000",
        direction=Direction.OUTBOUND,
        agent_resolver=resolver,
    )
    assert recorded == StatusRecorded.CREATED
    assert asked == ["+15559870002", "+15559870002"]
    assert CallLog.objects.get(provider_call_id="CA0009").direction == Direction.OUTBOUND


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_callbacks_for_one_new_call_make_one_row(
    agent: Agent, twilio_settings: Any
) -> None:
    """Twilio retries, two processes receive the same end at once: one insert wins, the
    other records on the winner's row."""
    barrier = threading.Barrier(4)
    outcomes: list[StatusRecorded] = []

    def record() -> None:
        try:
            barrier.wait()
            outcomes.append(
                call_provider_status_record(
                    channel=Channel.TWILIO,
                    provider_call_id="CA0001",
                    status="busy",
                    final=True,
                    duration_seconds=0,
                    agent_public_id=agent.public_id,
                )
            )
        finally:
            close_old_connections()

    threads = [threading.Thread(target=record) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == sorted([StatusRecorded.CREATED] + [StatusRecorded.UPDATED] * 3)
    call = CallLog.objects.get()
    assert (call.provider_status, call.end_reason) == ("busy", EndReason.NOT_CONNECTED)
