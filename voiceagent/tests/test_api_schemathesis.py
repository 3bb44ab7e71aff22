"""Property-based tests of the whole REST API against its own OpenAPI schema
(schemathesis): for generated requests, valid and invalid, no 5xx, and every response
(errors included) matches the schema: status, content type, body, headers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from pytest_django import Settings
from schemathesis import checks

from accounts.services import api_key_create
from agents.models import Agent
from calls.models import CallLog, ToolInvocation, TranscriptTurn
from contacts.models import Contact
from phone_numbers.models import PhoneNumber

RESPONSE_CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.ignored_auth,
    checks.unsupported_method,
]
# Enough examples per operation to reach the error paths, few enough for CI: the
# PostgreSQL pass (full-text search, the production database) runs more.
EXAMPLES_PER_OPERATION = 25 if connection.vendor == "postgresql" else 10


# pytest-django has set Django up before collection: the schema is the one served at
# /api/schema/, generated in-process, and requests go to the WSGI application.
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()


@pytest.fixture
def _connections_kept() -> Iterator[None]:
    """As Django's test client does: the request cycle must not close the test's
    database connection (its transaction holds the test data)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(
    owner: User, agent: Agent, settings: Settings, _connections_kept: None
) -> dict[str, str]:
    """A key of an account with an agent, calls, a transcript, a contact and a phone
    number to find."""
    # Throttling would turn generated requests into 429s that hide the real answers.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key": "1000000/minute"},
    }
    now = timezone.now()
    contact = Contact.objects.create(owner=owner, name="Ada", email="ada@example.com")
    for n in range(3):
        call = CallLog.objects.create(
            agent=agent,
            channel="web",
            engine="offline",
            status="completed",
            started_at=now - dt.timedelta(hours=n + 1),
            ended_at=now - dt.timedelta(hours=n + 1) + dt.timedelta(minutes=2),
            duration_seconds=120,
            end_reason="client_ended",
            contact=contact,
        )
        TranscriptTurn.objects.create(call=call, seq=1, role="user", text="Book a consultation")
        ToolInvocation.objects.create(
            call=call, seq=2, name="check_availability", ok=True, latency_ms=12
        )
    PhoneNumber.objects.create(
        owner=owner, agent=agent, provider="twilio", number="+14155550100", label="Main"
    )
    _, plaintext = api_key_create(user=owner, name="schemathesis")
    return {"Authorization": f"Bearer {plaintext}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_answers_as_its_schema_says(case: Any, bearer: dict[str, str]) -> None:
    # The checks of what the API answers. Whether a valid-looking request is accepted
    # depends on the data (an agent id that does not exist is rightly refused), so the
    # acceptance checks are left out.
    case.call_and_validate(headers=bearer, checks=RESPONSE_CHECKS)
