"""Plivo's hangup callback: V3-signed, recorded on the call's log (status, billed
duration, price), never-connected calls logged for their agent, one row under a race;
the provider's fields in the admin and the API."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse
from plivo.utils import validate_v3_signature

from agents.models import Agent
from calls.models import CallLog, CallStatus, Channel, EndReason

pytestmark = pytest.mark.django_db

AUTH_TOKEN = "plivo-test-auth-token-not-real"
PUBLIC = "https://voice.example.com"
NONCE = "12345678901234567890"


@pytest.fixture
def plivo_settings(settings: Any) -> Any:
    settings.PLIVO_AUTH_TOKEN = AUTH_TOKEN
    settings.PUBLIC_BASE_URL = PUBLIC
    settings.ALLOWED_HOSTS = ["voice.example.com", "testserver"]
    return settings


def v3_signature(url: str, params: dict[str, str], nonce: str, token: str = AUTH_TOKEN) -> str:
    """Plivo's V3 signature of a POST (../shared/docs/ref-sip-outbound.md §2.4), written
    out here and checked against the SDK's validator, so that the test proves both."""
    parts = urlsplit(url)
    base = f"{parts.scheme}://{parts.netloc}{parts.path}"
    query = "&".join(sorted(parts.query.split("&"))) if parts.query else ""
    if params:
        # A "?" even without a query string (the SDK's construct_post_url; the refs'
        # summary leaves it out), then the query and a ".", then the sorted body.
        base += "?" + (query + "." if query else "")
        base += "".join(f"{key}{params[key]}" for key in sorted(params))
    elif query:
        base += "?" + query
    digest = hmac.new(token.encode(), f"{base}.{nonce}".encode(), hashlib.sha256).digest()
    signature = base64.b64encode(digest).decode()
    assert validate_v3_signature("POST", url, nonce, token, signature, params=dict(params))
    return signature


def _form(
    call_uuid: str = "plivo-call-0001", call_status: str = "completed", **extra: str
) -> dict[str, str]:
    return {
        "CallUUID": call_uuid,
        "CallStatus": call_status,
        "HangupCause": "NORMAL_CLEARING",
        "Duration": "61",
        "BillDuration": "120",
        "TotalCost": "0.01700",
        "From": "+15551230001",
        "To": "+15559870002",
        "Direction": "inbound",
        "Event": "Hangup",
        **extra,
    }


def _post(
    form: dict[str, str],
    *,
    path: str = "/plivo/hangup/",
    signature: str | None = None,
    nonce: str = NONCE,
) -> Any:
    if signature is None:
        signature = v3_signature(f"{PUBLIC}{path}", form, nonce)
    headers = {"Host": "voice.example.com"}
    if signature:
        headers["X-Plivo-Signature-V3"] = signature
    if nonce:
        headers["X-Plivo-Signature-V3-Nonce"] = nonce
    return Client().post(path, form, headers=headers, secure=True)


def _live_call(agent: Agent) -> CallLog:
    return CallLog.objects.create(
        agent=agent,
        channel=Channel.PLIVO,
        engine="offline",
        status=CallStatus.ACTIVE,
        caller_number="+15551230001",
        provider_call_id="plivo-call-0001",
    )


def test_the_signature_helper_matches_the_sdk_with_a_query_string() -> None:
    url = "https://voice.example.com/plivo/hangup/?b=2&a=1"
    signature = v3_signature(url, {"CallUUID": "abc", "From": "+1555"}, NONCE)
    assert not validate_v3_signature("POST", url, NONCE, "another-token", signature, params={})


def test_signatures_are_required_and_nothing_is_written_without_one(
    agent: Agent, plivo_settings: Any
) -> None:
    form = _form(call_status="busy")
    path = f"/plivo/hangup/{agent.public_id}/"
    good = v3_signature(f"{PUBLIC}{path}", form, NONCE)
    assert _post(form, path=path, signature="").status_code == 403  # no signature
    assert _post(form, path=path, signature=good, nonce="").status_code == 403  # no nonce
    assert _post(form, path=path, signature=good, nonce="another-nonce").status_code == 403
    assert _post({**form, "TotalCost": "0"}, path=path, signature=good).status_code == 403
    other = v3_signature(f"{PUBLIC}/plivo/hangup/", form, NONCE)  # signed for another URL
    assert _post(form, path=path, signature=other).status_code == 403
    forged = v3_signature(f"{PUBLIC}{path}", form, NONCE, token="not-our-token")
    assert _post(form, path=path, signature=forged).status_code == 403
    assert not CallLog.objects.exists()
    # The header may carry several signatures (a rotated token): one must match.
    assert _post(form, path=path, signature=f"{forged},{good}").status_code == 204
    assert CallLog.objects.count() == 1


def test_an_unconfigured_server_answers_503(agent: Agent, plivo_settings: Any) -> None:
    plivo_settings.PLIVO_AUTH_TOKEN = ""
    response = _post(_form(), signature="c2ln")
    assert response.status_code == 503
    assert b"PLIVO_AUTH_TOKEN" in response.content
    assert not CallLog.objects.exists()


def test_the_end_is_recorded_on_the_calls_log_with_its_billed_duration_and_price(
    agent: Agent, plivo_settings: Any
) -> None:
    call = _live_call(agent)
    assert _post(_form()).status_code == 204
    call.refresh_from_db()
    assert (call.provider_status, call.provider_duration_seconds) == ("completed", 120)
    assert (str(call.provider_price), call.provider_price_unit) == ("0.01700", "USD")
    assert (call.status, call.end_reason) == (CallStatus.ACTIVE, "")  # the bridge ends it
    assert _post(_form()).status_code == 204  # redelivered
    call.refresh_from_db()
    assert (call.provider_status, str(call.provider_price)) == ("completed", "0.01700")


@pytest.mark.parametrize("final", ["busy", "no-answer", "timeout", "cancel"])
def test_a_call_that_never_reached_its_stream_is_logged_for_the_agent_of_its_url(
    agent: Agent, plivo_settings: Any, final: str
) -> None:
    form = _form(
        call_status=final,
        HangupCause="USER_BUSY",
        Duration="0",
        BillDuration="0",
        TotalCost="0.00000",
        Currency="eur",
        EndTime="2024-12-10 21:46:53+00:00",
    )
    path = f"/plivo/hangup/{agent.public_id}/"
    for _ in range(2):  # redelivery changes nothing
        assert _post(form, path=path).status_code == 204
    call = CallLog.objects.get()
    assert (call.agent, call.channel, call.direction) == (agent, Channel.PLIVO, "inbound")
    assert (call.status, call.end_reason) == (CallStatus.FAILED, EndReason.NOT_CONNECTED)
    assert (call.provider_call_id, call.provider_status) == ("plivo-call-0001", final)
    assert (call.caller_number, call.called_number) == ("+15551230001", "+15559870002")
    assert (call.duration_seconds, call.provider_duration_seconds) == (0, 0)
    assert (str(call.provider_price), call.provider_price_unit) == ("0.00000", "EUR")
    assert call.error_message == "Plivo: USER_BUSY"
    assert call.ended_at is not None and call.ended_at.isoformat() == "2024-12-10T21:46:53+00:00"


def test_an_unknown_call_without_an_agent_is_answered_and_not_logged(
    agent: Agent, plivo_settings: Any
) -> None:
    assert _post(_form(call_status="busy")).status_code == 204
    assert _post(_form(call_status="busy"), path="/plivo/hangup/nobody/").status_code == 204
    assert not CallLog.objects.exists()


def test_the_admin_and_the_api_show_what_the_provider_said(
    agent: Agent, owner: User, plivo_settings: Any, api_client: Any
) -> None:
    call = _live_call(agent)
    _post(_form())
    call.refresh_from_db()
    client = Client()
    client.force_login(owner)
    page = client.get(
        reverse("admin:calls_calllog_change", args=[call.pk]), HTTP_HOST="voice.example.com"
    )
    assert page.status_code == 200
    for shown in ("Phone line", "+15559870002", "completed", "0.017 USD"):
        assert shown in page.content.decode(), shown
    detail = api_client(owner).get(f"/api/calls/{call.pk}/", HTTP_HOST="voice.example.com")
    assert detail.status_code == 200
    body = detail.json()
    assert {key: body[key] for key in body if key.startswith(("provider_", "called_"))} == {
        "called_number": "+15559870002",
        "provider_call_id": "plivo-call-0001",
        "provider_status": "completed",
        "provider_duration_seconds": 120,
        "provider_price": "0.01700",
        "provider_price_unit": "USD",
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_callbacks_for_one_new_call_make_one_row(
    agent: Agent, plivo_settings: Any
) -> None:
    """Two deliveries of one hang-up, at once: one row, both answered 204."""
    form = _form(call_status="no-answer", BillDuration="0", TotalCost="0")
    path = f"/plivo/hangup/{agent.public_id}/"
    signature = v3_signature(f"{PUBLIC}{path}", form, NONCE)
    barrier = threading.Barrier(2)
    answers: list[int] = []

    def deliver() -> None:
        try:
            barrier.wait()
            answers.append(_post(form, path=path, signature=signature).status_code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [204, 204]
    call = CallLog.objects.get()
    assert (call.provider_status, call.end_reason) == ("no-answer", EndReason.NOT_CONNECTED)
