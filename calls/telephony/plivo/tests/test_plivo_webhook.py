"""Plivo's answer webhook: V3 signatures, the answer XML and its stream token."""

from __future__ import annotations

import base64
import hashlib
import hmac
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.test import Client
from plivo.utils import validate_v3_signature

from calls.models import CallLog, CallStatus, Channel
from calls.telephony import grants
from calls.telephony.plivo import signature, stream_token
from calls.telephony.tests.phone_framing import plivo_signature

pytestmark = pytest.mark.django_db(transaction=True)

AUTH_TOKEN = "plivo-test-auth-token-not-real"
PUBLIC = "https://voice.example.com"
ANSWER_PATH = "/plivo/answer/front-desk/"
STREAM = "wss://voice.example.com/ws/plivo/stream/"
CALL_UUID = "e6e0c7c2-1b3c-4a1e-9f1f-2d3e4f5a6b7c"


@pytest.fixture
def plivo_settings(settings: Any) -> Any:
    settings.PLIVO_AUTH_TOKEN = AUTH_TOKEN
    settings.PUBLIC_BASE_URL = PUBLIC
    settings.ALLOWED_HOSTS = ["voice.example.com", "testserver"]
    return settings


def form(call_uuid: str = CALL_UUID) -> dict[str, str]:
    return {
        "CallUUID": call_uuid,
        "From": "+15551230001",
        "To": "+15559870002",
        "CallStatus": "in-progress",
        "Direction": "inbound",
        "Event": "StartApp",
    }


def post(
    fields: dict[str, str],
    *,
    path: str = ANSWER_PATH,
    sign: str | None = None,
    nonce: str = "12345678901234567890",
) -> Any:
    headers = {}
    if sign is None:
        sign = plivo_signature(AUTH_TOKEN, PUBLIC + path, fields, nonce)
    if sign:
        headers = {"X-Plivo-Signature-V3": sign, "X-Plivo-Signature-V3-Nonce": nonce}
    return Client().post(path, fields, secure=True, headers=headers, HTTP_HOST="voice.example.com")


def xml(body: bytes) -> ET.Element:
    return ET.fromstring(body)  # noqa: S314 (our own server's XML)


def stream_of(body: bytes) -> tuple[ET.Element, str]:
    stream = xml(body).find("Stream")
    assert stream is not None, body
    return stream, stream_token.token_from(stream.get("extraHeaders") or "")


def test_the_signing_helper_is_plivos_algorithm() -> None:
    """The package's helpers (used to sign here) against the documented algorithm and the
    package's own validator: the URL, ``?`` (even with no query string), the sorted
    ``keyvalue`` pairs, ``.nonce``; HMAC-SHA256 with the auth token, base64."""
    url, fields, nonce = PUBLIC + ANSWER_PATH, form(), "nonce-1"
    base = url + "?" + "".join(f"{k}{v}" for k, v in sorted(fields.items())) + "." + nonce
    by_hand = base64.b64encode(
        hmac.new(AUTH_TOKEN.encode(), base.encode(), hashlib.sha256).digest()
    ).decode()
    assert plivo_signature(AUTH_TOKEN, url, fields, nonce) == by_hand
    assert validate_v3_signature("POST", url, nonce, AUTH_TOKEN, "x," + by_hand, params=fields)


def test_answer_is_a_bidirectional_mulaw_stream_with_the_token(
    agent: Any, plivo_settings: Any
) -> None:
    response = post(form())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    stream, token = stream_of(response.content)
    assert (stream.text or "") == STREAM
    assert stream.get("bidirectional") == "true" and stream.get("keepCallAlive") == "true"
    assert stream.get("contentType") == "audio/x-mulaw;rate=8000"
    extra = stream.get("extraHeaders") or ""
    name, _, value = extra.partition("=")
    assert name == "callToken" and value.isalnum() and len(extra) <= 512
    grant = grants.stream_grant(provider="plivo", token=token, call_id=CALL_UUID)
    assert grant is not None
    assert (grant.agent_public_id, grant.caller_number, grant.called_number) == (
        "front-desk",
        "+15551230001",
        "+15559870002",
    )


def test_the_longest_token_fits_plivos_extra_headers() -> None:
    token = grants.stream_token(
        provider="plivo",
        agent_public_id="a" * 40,
        call_id=CALL_UUID,
        caller="+" + "9" * 19,
        called="+" + "8" * 19,
    )
    extra = stream_token.extra_headers(token)
    assert extra is not None and len(extra) <= 512
    assert extra.split("=", 1)[1].isalnum()
    assert stream_token.token_from(extra) == token
    assert stream_token.token_from("x=1;CALLTOKEN=" + extra.split("=", 1)[1].lower()) == token
    assert stream_token.token_from("callToken=not*base32") == ""
    assert stream_token.token_from("") == ""
    assert stream_token.extra_headers("x" * 400) is None  # too long to carry


def test_answer_refuses_a_bad_missing_or_tampered_signature(
    agent: Any, plivo_settings: Any
) -> None:
    assert post(form(), sign="").status_code == 403
    assert post(form(), sign="bm90IGEgc2lnbmF0dXJl").status_code == 403
    # Signed for other form values (another call), replayed with these.
    other = plivo_signature(AUTH_TOKEN, PUBLIC + ANSWER_PATH, form("other"), "n1")
    assert post(form(), sign=other, nonce="n1").status_code == 403
    # Signed with another account's token.
    foreign = plivo_signature("other-token", PUBLIC + ANSWER_PATH, form(), "n2")
    assert post(form(), sign=foreign, nonce="n2").status_code == 403
    # Signed for another agent's URL.
    elsewhere = plivo_signature(AUTH_TOKEN, PUBLIC + "/plivo/answer/other/", form(), "n3")
    assert post(form(), sign=elsewhere, nonce="n3").status_code == 403
    assert CallLog.objects.count() == 0


def test_answer_needs_plivo_configured_and_a_call_uuid(agent: Any, plivo_settings: Any) -> None:
    fields = form()
    del fields["CallUUID"]
    assert post(fields).status_code == 400
    plivo_settings.PLIVO_AUTH_TOKEN = ""
    response = post(form())
    assert response.status_code == 503
    assert b"PLIVO_AUTH_TOKEN" in response.content
    plivo_settings.PLIVO_AUTH_TOKEN = AUTH_TOKEN
    plivo_settings.PUBLIC_BASE_URL = ""
    plivo_settings.DEV_BASE_URL = ""
    assert post(form()).status_code == 503


def test_answer_says_sorry_and_hangs_up_when_the_call_is_refused(
    agent: Any, plivo_settings: Any
) -> None:
    root = xml(post(form(), path="/plivo/answer/nobody/").content)
    assert root.find("Stream") is None
    assert [child.tag for child in root] == ["Speak", "Hangup"]
    assert "nobody can take your call" in (root.findtext("Speak") or "")
    agent.max_concurrent_calls = 1
    agent.save()
    CallLog.objects.create(
        agent=agent, channel=Channel.WEB, engine="offline", status=CallStatus.ACTIVE
    )
    assert xml(post(form()).content).find("Stream") is None


def test_a_replayed_answer_webhook_gets_no_second_stream(agent: Any, plivo_settings: Any) -> None:
    CallLog.objects.create(
        agent=agent, channel=Channel.PLIVO, engine="openai", provider_call_id=CALL_UUID
    )
    root = xml(post(form()).content)
    assert root.find("Stream") is None and root.find("Hangup") is not None


def test_the_stream_upgrade_signature(plivo_settings: Any) -> None:
    def headers(url: str, token: str = AUTH_TOKEN, nonce: str = "n") -> dict[str, str]:
        sign = plivo_signature(token, url, {}, nonce, method="GET")
        return {"x-plivo-signature-v3": sign, "x-plivo-signature-v3-nonce": nonce}

    assert signature.audio_stream_url() == STREAM
    assert signature.stream_signature_valid(headers(STREAM))
    # Plivo's own stream SDK checks the https form of the same address.
    assert signature.stream_signature_valid(headers("https://voice.example.com/ws/plivo/stream/"))
    assert not signature.stream_signature_valid(headers(STREAM, token="other"))
    assert not signature.stream_signature_valid(headers("wss://evil.example.com/ws/plivo/stream/"))
    assert not signature.stream_signature_valid({})
    plivo_settings.PLIVO_AUTH_TOKEN = ""
    assert not signature.stream_signature_valid(headers(STREAM))
