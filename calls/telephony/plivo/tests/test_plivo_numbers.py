"""Plivo calls routed by the number called (``/plivo/answer/``), with the number's own
Plivo account or the server's: the answer, the stream's line, the refusal of an unknown
number, and the signatures each account makes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.test import Client

from agents.models import Agent
from calls.telephony import grants
from calls.telephony.plivo import stream_token
from calls.telephony.plivo.tests.test_plivo_webhook import AUTH_TOKEN, PUBLIC, plivo_settings
from calls.telephony.tests.phone_framing import plivo_signature
from phone_numbers.models import PhoneNumber
from phone_numbers.services import phone_number_save

pytestmark = pytest.mark.django_db
__all__ = ["plivo_settings"]

OWN_TOKEN = "business-own-plivo-token-not-real"
OWN_ID = "MAODUXMZRLNGRKZTQ2ZT"


def _number(agent: Agent, number: str, **changes: Any) -> PhoneNumber:
    return phone_number_save(
        phone_number=PhoneNumber(owner=agent.owner, agent=agent),
        changes={"provider": "plivo", "number": number, **changes},
    )


def _answer(to: str, *, token: str, call_uuid: str = "uuid-1") -> Any:
    form = {"CallUUID": call_uuid, "From": "15551230001", "To": to, "Direction": "inbound"}
    nonce = "12345678901234567890"
    signed = plivo_signature(token, f"{PUBLIC}/plivo/answer/", form, nonce)
    headers = {"X-Plivo-Signature-V3": signed, "X-Plivo-Signature-V3-Nonce": nonce}
    return Client().post(
        "/plivo/answer/", form, secure=True, headers=headers, HTTP_HOST="voice.example.com"
    )


def _stream(body: bytes) -> tuple[str, str]:
    element = ET.fromstring(body).find("Stream")  # noqa: S314 (our own XML)
    assert element is not None, body
    extra = element.get("extraHeaders") or ""
    return (element.text or "").strip(), stream_token.token_from(extra)


def test_a_number_of_the_servers_account_reaches_its_agent(
    agent: Agent, plivo_settings: Any
) -> None:
    _number(agent, "+14155550102")
    url, token = _stream(_answer("14155550102", token=AUTH_TOKEN).content)  # Plivo: no "+"
    assert url == "wss://voice.example.com/ws/plivo/stream/"
    grant = grants.stream_grant(provider="plivo", token=token, call_id="uuid-1")
    assert grant is not None and (grant.agent_public_id, grant.line) == (agent.public_id, "")


def test_a_number_with_its_own_account_is_checked_with_its_token(
    agent: Agent, plivo_settings: Any
) -> None:
    number = _number(agent, "+14155550103", account_id=OWN_ID, auth_token=OWN_TOKEN)
    assert _answer("+14155550103", token=AUTH_TOKEN).status_code == 403  # the server's
    url, token = _stream(_answer("+14155550103", token=OWN_TOKEN).content)
    assert url == f"wss://voice.example.com/ws/plivo/stream/{number.pk}/"
    grant = grants.stream_grant(provider="plivo", token=token, call_id="uuid-1")
    assert grant is not None and grant.line == str(number.pk)


def test_an_unknown_or_inactive_number_is_refused_politely(
    agent: Agent, plivo_settings: Any
) -> None:
    _number(agent, "+14155550104", is_active=False)
    for to in ("+14155550199", "+14155550104"):
        root = ET.fromstring(_answer(to, token=AUTH_TOKEN).content)  # noqa: S314
        assert root.find("Stream") is None
        assert root.find("Speak") is not None and root.find("Hangup") is not None
