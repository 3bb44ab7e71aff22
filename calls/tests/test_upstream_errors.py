"""Why the realtime service refused a call is in the log and on the call, never the key."""

from __future__ import annotations

import logging

import pytest
from pytest_django import Settings

from agents.models import Agent
from calls.models import CallLog
from calls.tests.conftest import CallClient
from calls.tests.fake_openai import FakeRealtimeServer

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "sk-proj-Secret0123456789abcdef"


async def test_a_rejected_key_is_logged_with_status_and_reason(
    agent: Agent,
    fake: FakeRealtimeServer,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.OPENAI_API_KEY = KEY
    fake.refuse_handshake = (
        401,
        {
            "error": {
                "message": "Incorrect API key provided: sk-proj-****cdef. You can find your "
                "API key at https://platform.openai.com/account/api-keys.",
                "type": "invalid_request_error",
                "code": "invalid_api_key",
                "param": None,
            }
        },
    )
    client = CallClient()
    assert await client.connect()
    with caplog.at_level(logging.WARNING, logger="calls.realtime.session"):
        assert (await client.until("ended"))["reason"] == "upstream_unavailable"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "HTTP 401: Incorrect API key provided" in logged
    assert "(invalid_api_key)" in logged
    call = await CallLog.objects.aget()
    assert call.error_message.startswith("HTTP 401: Incorrect API key provided: sk-…")
    for text in (logged, call.error_message, str(client.received("error"))):
        assert "Secret0123" not in text and "****cdef" not in text
    await client.close()
