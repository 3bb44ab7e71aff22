"""Calls the agent places through Plivo: the REST request (plivo-python's own request is
the reference), Plivo's V3-signed callbacks (answer, machine detection, hangup)."""

from __future__ import annotations

from typing import Any

import pytest

from calls.telephony.plivo.tests.test_plivo_webhook import stream_of
from calls.telephony.tests.fake_rest import FakeProviderRest, plivo_sdk_requests
from contacts.models import Contact
from outbound.models import AttemptResult, AttemptStatus, CallAttempt, VoicemailAction
from outbound.services import outbound_call_request
from outbound.tests.conftest import LEAD_NUMBER, PLIVO_ID, PLIVO_TOKEN, PUBLIC, plivo_post
from voiceagent import background

pytestmark = pytest.mark.django_db(transaction=True)


def _place(lead: Contact, agent: Any, line: Any) -> CallAttempt:
    attempt = outbound_call_request(contact=lead, agent=agent, phone_number=line)
    assert background.wait_idle(10)
    attempt.refresh_from_db()
    return attempt


def _path(attempt: CallAttempt, step: str) -> str:
    return f"/plivo/outbound/{attempt.pk}/{step}/"


def _form(**fields: str) -> dict[str, str]:
    return {
        "CallUUID": "call-uuid-0001",
        "RequestUUID": "req-0001",
        "From": "+15559870003",
        "To": LEAD_NUMBER,
        "Direction": "outbound",
        **fields,
    }


def test_the_call_is_placed_as_plivo_python_places_it(
    agent: Any, policy: Any, plivo_line: Any, lead: Contact, plivo_rest: FakeProviderRest
) -> None:
    attempt = _place(lead, agent, plivo_line)
    (request,) = plivo_rest.requests
    (expected,) = plivo_sdk_requests(
        PLIVO_ID,
        PLIVO_TOKEN,
        "create",
        from_="+15559870003",
        to_=LEAD_NUMBER,
        answer_url=f"{PUBLIC}{_path(attempt, 'answer')}",
        answer_method="POST",
        hangup_url=f"{PUBLIC}{_path(attempt, 'status')}",
        hangup_method="POST",
        ring_timeout=30,
        time_limit=agent.max_call_seconds,
        machine_detection="true",
        machine_detection_url=f"{PUBLIC}{_path(attempt, 'machine')}",
        machine_detection_method="POST",
    )
    assert (request.method, request.path, request.json) == expected
    assert (request.user, request.password) == (PLIVO_ID, PLIVO_TOKEN)
    # Plivo gives the request's id; the call's own comes with the answer.
    assert (attempt.status, attempt.provider_request_id) == (AttemptStatus.RINGING, "req-0001")


def test_the_answer_streams_to_the_agent_under_the_calls_own_uuid(
    agent: Any, policy: Any, plivo_line: Any, lead: Contact, plivo_rest: FakeProviderRest
) -> None:
    attempt = _place(lead, agent, plivo_line)
    assert plivo_post(_path(attempt, "answer"), _form(), token="forged").status_code == 403
    response = plivo_post(_path(attempt, "answer"), _form(CallStatus="in-progress"))
    assert response.status_code == 200
    stream, token = stream_of(response.content)
    assert stream.get("bidirectional") == "true" and token
    attempt.refresh_from_db()
    assert (attempt.status, attempt.provider_call_id) == (
        AttemptStatus.IN_PROGRESS,
        "call-uuid-0001",
    )
    # Plivo retries the answer URL: the attempt is not answered twice.
    again = plivo_post(_path(attempt, "answer"), _form(CallStatus="in-progress"))
    assert b"<Hangup" in again.content


def test_a_machine_before_the_conversation_is_hung_up_and_retried(
    agent: Any, policy: Any, plivo_line: Any, lead: Contact, plivo_rest: FakeProviderRest
) -> None:
    policy.voicemail_action = VoicemailAction.HANG_UP
    policy.save()
    attempt = _place(lead, agent, plivo_line)
    plivo_post(_path(attempt, "answer"), _form(CallStatus="in-progress"))
    response = plivo_post(
        _path(attempt, "machine"), _form(Machine="true", Event="MachineDetection")
    )
    assert response.status_code == 204
    (_create, hang_up) = plivo_rest.wait(2)
    assert (hang_up.method, hang_up.path) == (
        "DELETE",
        f"/v1/Account/{PLIVO_ID}/Call/call-uuid-0001/",
    )
    plivo_post(_path(attempt, "status"), _form(CallStatus="completed", HangupCause="NORMAL"))
    attempt.refresh_from_db()
    assert (attempt.status, attempt.result) == (AttemptStatus.DONE, AttemptResult.VOICEMAIL)
    assert CallAttempt.objects.filter(status=AttemptStatus.SCHEDULED, number=2).exists()


@pytest.mark.parametrize(
    ("status", "result"),
    [
        ("busy", AttemptResult.BUSY),
        ("no-answer", AttemptResult.NO_ANSWER),
        ("timeout", AttemptResult.NO_ANSWER),
        ("failed", AttemptResult.FAILED),
    ],
)
def test_plivos_final_status_closes_the_attempt_and_schedules_the_retry(
    agent: Any,
    policy: Any,
    plivo_line: Any,
    lead: Contact,
    plivo_rest: FakeProviderRest,
    status: str,
    result: str,
) -> None:
    attempt = _place(lead, agent, plivo_line)
    response = plivo_post(
        _path(attempt, "status"), _form(CallStatus=status, HangupCause="USER_BUSY")
    )
    assert response.status_code == 204
    attempt.refresh_from_db()
    assert (attempt.status, attempt.result) == (AttemptStatus.DONE, result)
    assert CallAttempt.objects.filter(status=AttemptStatus.SCHEDULED, number=2).exists()
