"""Fixtures of the outbound tests: a lead, the number the agent calls from, a policy that
is open at any hour (tests that need closed hours say so), and the providers' REST APIs
on loopback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from twilio.request_validator import RequestValidator

from calls.telephony.tests.fake_rest import Answer, FakeProviderRest
from calls.telephony.tests.phone_framing import plivo_signature
from calls.telephony.twilio.tests.test_twilio import AUTH_TOKEN
from calls.tests.conftest import fake
from contacts.models import Contact
from outbound.models import OutboundPolicy
from phone_numbers.models import PhoneNumber

PUBLIC = "https://voice.example.com"
TWILIO_SID = "AC" + "1" * 32
TWILIO_TOKEN = AUTH_TOKEN  # the Twilio stream tests' helpers sign with it
PLIVO_ID = "MA" + "2" * 18
PLIVO_TOKEN = "plivo-outbound-test-token-not-real"
__all__ = ["fake"]  # the fake OpenAI Realtime server, for the calls that get answered

OUR_NUMBER = "+15559870002"
LEAD_NUMBER = "+12125550100"  # New York


@pytest.fixture
def twilio_rest(settings: Any) -> Iterator[FakeProviderRest]:
    server = FakeProviderRest(Answer(201, {"sid": "CA00000001", "status": "queued"})).start()
    settings.TWILIO_API_BASE_URL = server.url
    settings.TWILIO_ACCOUNT_SID = TWILIO_SID
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    yield server
    server.stop()


@pytest.fixture
def plivo_rest(settings: Any) -> Iterator[FakeProviderRest]:
    server = FakeProviderRest(
        Answer(201, {"message": "call fired", "request_uuid": "req-0001", "api_id": "x"})
    ).start()
    settings.PLIVO_API_BASE_URL = server.url
    settings.PLIVO_AUTH_ID = PLIVO_ID
    settings.PLIVO_AUTH_TOKEN = PLIVO_TOKEN
    yield server
    server.stop()


@pytest.fixture
def public(settings: Any) -> Any:
    settings.PUBLIC_BASE_URL = PUBLIC
    settings.ALLOWED_HOSTS = ["voice.example.com", "testserver"]
    settings.TELEPHONY_API_TIMEOUT = 2.0
    return settings


@pytest.fixture
def policy(agent: Any) -> OutboundPolicy:
    """Open every day, all day: the tests about hours set their own."""
    return OutboundPolicy.objects.create(
        agent=agent,
        calling_hours_start=dt.time(0, 0),
        calling_hours_end=dt.time(23, 59, 59),
        calling_days=list(range(7)),
        max_attempts=3,
        retry_minutes=30,
    )


@pytest.fixture
def line(agent: Any, public: Any) -> PhoneNumber:
    return PhoneNumber.objects.create(
        owner=agent.owner, provider="twilio", number=OUR_NUMBER, agent=agent
    )


@pytest.fixture
def plivo_line(agent: Any, public: Any) -> PhoneNumber:
    return PhoneNumber.objects.create(
        owner=agent.owner, provider="plivo", number="+15559870003", agent=agent
    )


@pytest.fixture
def lead(agent: Any) -> Contact:
    return Contact.objects.create(
        owner=agent.owner,
        agent=agent,
        name="Ada Lovelace",
        phone=LEAD_NUMBER,
        notes="Asked about a root canal.",
    )


def twilio_post(path: str, form: dict[str, str], *, token: str = TWILIO_TOKEN) -> Any:
    """A callback as Twilio sends it: signed over the public URL."""
    signature = RequestValidator(token).compute_signature(f"{PUBLIC}{path}", form)
    return Client().post(
        path, form, HTTP_X_TWILIO_SIGNATURE=signature, HTTP_HOST="voice.example.com", secure=True
    )


def plivo_post(path: str, form: dict[str, str], *, token: str = PLIVO_TOKEN) -> Any:
    """A callback as Plivo sends it: V3-signed over the public URL and the form."""
    nonce = "12345678901234567890"
    signature = plivo_signature(token, f"{PUBLIC}{path}", form, nonce)
    return Client().post(
        path,
        form,
        HTTP_X_PLIVO_SIGNATURE_V3=signature,
        HTTP_X_PLIVO_SIGNATURE_V3_NONCE=nonce,
        HTTP_HOST="voice.example.com",
        secure=True,
    )
