"""SIP tests: the fake Realtime server (with its SIP connector) and signed webhooks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient

from calls.sip.supervisor import supervisor
from calls.tests.conftest import fake
from phone_numbers.models import PhoneNumber

__all__ = ["fake"]

WEBHOOK_PATH = "/openai/sip/webhook/"
NUMBER = "+18005551212"
CALLER = "+14155550123"
TRANSFER_TO = "+442071838750"
_RAW_SECRET = os.urandom(32)
SECRET = "whsec_" + base64.b64encode(_RAW_SECRET).decode()


@pytest.fixture
async def sip(fake: Any, settings: Any) -> AsyncIterator[Any]:
    """The product pointed at the fake's SIP connector, sidebands in-process."""
    settings.OPENAI_WEBHOOK_SECRET = SECRET
    settings.OPENAI_BASE_URL = fake.api_url
    settings.SIP_SIDEBAND_MODE = "inprocess"
    settings.SIP_REFER_TIMEOUT_SECONDS = 1.0
    settings.SUMMARY_MODEL = "extractive"  # OPENAI_BASE_URL is the connector's, here
    yield fake.sip
    await supervisor.stop()


@pytest.fixture
def agent(agent: Any) -> Any:
    agent.transfer_number = TRANSFER_TO
    agent.save()
    return agent


@pytest.fixture
def sip_number(agent: Any) -> PhoneNumber:
    return PhoneNumber.objects.create(
        owner=agent.owner, agent=agent, provider="openai_sip", number=NUMBER, label="Trunk"
    )


def incoming_event(
    call_id: str, *, to: str = f"sip:{NUMBER}@sip.example.com", **extra_headers: str
) -> dict[str, Any]:
    sip_headers = [
        {"name": "From", "value": f'"Caller" <sip:{CALLER}@pstn.example.com>;tag=abc'},
        {"name": "To", "value": to},
        {"name": "Call-ID", "value": f"{call_id}-sip"},
    ]
    sip_headers += [{"name": name, "value": value} for name, value in extra_headers.items()]
    return {
        "object": "event",
        "id": f"evt_{call_id}",
        "type": "realtime.call.incoming",
        "created_at": int(time.time()),
        "data": {"call_id": call_id, "sip_headers": sip_headers},
    }


def signed_headers(
    body: str, *, webhook_id: str, timestamp: int | None = None, key: bytes = _RAW_SECRET
) -> dict[str, str]:
    """Standard Webhooks, as OpenAI signs (and the openai package verifies)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(key, f"{webhook_id}.{stamp}.{body}".encode(), hashlib.sha256).digest()
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": stamp,
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
    }


async def post_webhook(
    event: dict[str, Any] | str, *, webhook_id: str = "wh_1", headers: dict[str, str] | None = None
) -> Any:
    body = event if isinstance(event, str) else json.dumps(event)
    if headers is None:
        headers = signed_headers(body, webhook_id=webhook_id)
    return await AsyncClient().post(
        WEBHOOK_PATH, data=body, content_type="application/json", headers=headers
    )


async def call_of(sip_call_id: str) -> Any:
    from calls.models import CallLog

    return await sync_to_async(
        lambda: CallLog.objects.filter(provider_call_id=sip_call_id).first()
    )()
