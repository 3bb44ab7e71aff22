"""The call-log API: API keys, owner scoping, filters, search, cursor pages, errors."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from accounts.models import ApiKey
from accounts.services import api_key_create, api_keys_revoke
from agents.models import Agent
from appointments.models import Appointment
from calls.models import CallLog, TranscriptTurn
from calls.services import call_search_documents_update
from contacts.models import Contact

pytestmark = pytest.mark.django_db


def _client(user: User) -> tuple[Client, ApiKey]:
    key, plaintext = api_key_create(user=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}"), key


def _calls(agent: Agent, count: int, **fields: Any) -> list[CallLog]:
    now = timezone.now() - dt.timedelta(minutes=10 * CallLog.objects.count())
    defaults = {
        "channel": "web",
        "engine": "offline",
        "status": "completed",
        "duration_seconds": 60,
        "end_reason": "client_ended",
    }
    return [
        CallLog.objects.create(
            agent=agent,
            started_at=now - dt.timedelta(minutes=n + 1),
            ended_at=now - dt.timedelta(minutes=n),
            **{**defaults, **fields},
        )
        for n in range(count)
    ]


def test_a_key_lists_its_owners_calls_and_nobody_elses(
    agent: Agent, owner: User, django_user_model: type[User]
) -> None:
    mine = _calls(agent, 3)
    other = django_user_model.objects.create_user(username="other", password="x-not-used-1")
    theirs = _calls(Agent.objects.create(owner=other, name="Theirs", instructions="x"), 2)
    client, key = _client(other)

    body = client.get("/api/calls/").json()
    assert {row["id"] for row in body["results"]} == {str(c.pk) for c in theirs}
    # Another owner's call is a 404, never a 403 that would confirm it exists.
    response = client.get(f"/api/calls/{mine[0].pk}/")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Not found.", "details": None}
    }
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_missing_malformed_and_revoked_keys_are_401(owner: User) -> None:
    assert Client().get("/api/calls/").status_code in (401, 403)
    bad = Client(HTTP_AUTHORIZATION="Bearer not-a-key").get("/api/calls/")
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "authentication_failed"
    client, key = _client(owner)
    assert client.get("/api/calls/").status_code == 200
    api_keys_revoke(key_ids=[key.pk])
    revoked = client.get("/api/calls/")
    assert revoked.status_code == 401
    assert revoked.json()["error"]["message"] == "Unknown or revoked API key."
    assert revoked["WWW-Authenticate"] == "Bearer"


def test_only_the_hash_and_prefix_of_a_key_are_stored(owner: User) -> None:
    key, plaintext = api_key_create(user=owner, name="crm")
    assert plaintext.startswith(key.prefix) and plaintext not in (key.key_hash, key.prefix)


def test_filters_combine_and_bad_values_are_400(agent: Agent, owner: User) -> None:
    contact = Contact.objects.create(owner=owner, agent=agent, email="ada@example.com")
    with_contact = _calls(agent, 2, contact=contact, outcome="contact_captured")
    booked = _calls(agent, 1, outcome="appointment_booked")[0]
    service = agent.services.first()
    assert service is not None
    start = timezone.now() + dt.timedelta(days=2)
    Appointment.objects.create(
        agent=agent,
        call=booked,
        service=service,
        service_name=service.name,
        start_at=start,
        end_at=start + dt.timedelta(minutes=30),
        timezone="UTC",
        idempotency_key="api-test",
    )
    phone = _calls(agent, 1, channel="twilio", caller_number="+442071838750")[0]
    client, _ = _client(owner)

    def ids(query: str) -> set[str]:
        response = client.get(f"/api/calls/?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids("has_contact=true") == {str(c.pk) for c in with_contact}
    assert ids("has_appointment=true") == {str(booked.pk)}
    assert ids("outcome=appointment_booked&outcome=contact_captured") == {
        str(c.pk) for c in [*with_contact, booked]
    }
    assert ids("channel=twilio&caller_number=%2B442071838750") == {str(phone.pk)}
    assert ids(f"agent={agent.public_id}&status=completed") >= {str(phone.pk)}
    every = CallLog.objects.order_by("started_at")
    middle = every[every.count() // 2].started_at
    later = {str(pk) for pk in every.filter(started_at__gte=middle).values_list("pk", flat=True)}
    assert 0 < len(later) < every.count()
    assert ids(f"started_after={middle.isoformat().replace('+', '%2B')}") == later
    for bad in ("status=sleeping", "started_after=yesterday", "has_contact=maybe", "statsu=x"):
        response = client.get(f"/api/calls/?{bad}")
        assert response.status_code == 400, bad
        error = response.json()["error"]
        assert error["code"] == "invalid" and error["details"], bad


def test_search_finds_calls_by_their_transcript(agent: Agent, owner: User) -> None:
    first, second = _calls(agent, 2)
    TranscriptTurn.objects.create(call=first, seq=1, role="user", text="I need a plumber today")
    TranscriptTurn.objects.create(call=first, seq=2, role="assistant", text="Which street?")
    TranscriptTurn.objects.create(call=second, seq=1, role="user", text="Book a consultation")
    # What the end of a call does (PostgreSQL: the call's search document).
    call_search_documents_update(call_ids=[str(first.pk), str(second.pk)])
    client, _ = _client(owner)
    found = client.get("/api/calls/?q=plumber").json()["results"]
    assert [row["id"] for row in found] == [str(first.pk)]
    if connection.vendor == "postgresql":
        # Every word, anywhere in the call, any case, in any turn.
        found = client.get("/api/calls/?q=Street+PLUMBER").json()["results"]
        assert [row["id"] for row in found] == [str(first.pk)]
        assert client.get("/api/calls/?q=plumber+consultation").json()["results"] == []


def test_cursor_pages_walk_every_call_once_newest_first(agent: Agent, owner: User) -> None:
    calls = _calls(agent, 7)
    client, _ = _client(owner)
    seen: list[str] = []
    url: str | None = "/api/calls/?page_size=3"
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == [str(c.pk) for c in calls]  # made newest first
    garbage = client.get("/api/calls/?cursor=garbage")
    assert garbage.status_code == 400 and "cursor" in garbage.json()["error"]["details"]
    for size in ("0", "501", "ten"):
        bad_size = client.get(f"/api/calls/?page_size={size}")
        assert bad_size.status_code == 400 and "page_size" in bad_size.json()["error"]["details"]


def test_the_detail_has_the_transcript_tools_summary_and_cost(call: CallLog, owner: User) -> None:
    client, _ = _client(owner)
    body = client.get(f"/api/calls/{call.pk}/").json()
    assert [turn["seq"] for turn in body["turns"]] == [1, 2, 4]
    assert body["tool_invocations"][0]["name"] == "update_user_info"
    assert body["user_info"]["email"] == "ada@example.com"
    assert {"summary", "outcome", "summary_data", "usage", "cost_usd"} <= set(body)


def test_each_key_is_throttled(owner: User, settings: Settings) -> None:
    from django.core.cache import cache

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key": "3/minute"},
    }
    cache.clear()
    first, _ = _client(owner)
    second, _ = _client(owner)
    assert [first.get("/api/calls/").status_code for _ in range(4)] == [200, 200, 200, 429]
    limited = first.get("/api/calls/")
    assert limited.json()["error"]["code"] == "throttled" and "Retry-After" in limited
    assert second.get("/api/calls/").status_code == 200  # another key, its own budget


def test_the_openapi_schema_and_docs_are_served(owner: User) -> None:
    client, _ = _client(owner)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.")
    parameters = {p["name"] for p in document["paths"]["/api/calls/"]["get"]["parameters"]}
    assert {"agent", "outcome", "has_appointment", "q", "cursor", "ordering"} <= parameters
    assert "bearer" in str(document["components"]["securitySchemes"]).lower()
    docs = Client()
    docs.force_login(owner)
    page = docs.get("/api/docs/")
    assert page.status_code == 200 and b"cdn" not in page.content.lower()


def test_the_transcript_as_json_and_as_plain_text(call: CallLog, owner: User) -> None:
    client, _ = _client(owner)
    turns = client.get(f"/api/calls/{call.pk}/transcript/").json()
    assert [(t["seq"], t["role"]) for t in turns] == [
        (1, "assistant"),
        (2, "user"),
        (4, "assistant"),
    ]
    text = client.get(f"/api/calls/{call.pk}/transcript/", HTTP_ACCEPT="text/plain")
    assert text["Content-Type"].startswith("text/plain")
    body = text.content.decode()
    assert "Caller: I'm Ada <b>Lovelace</b>." in body
    assert "Agent: Thanks Ada, and your email? [interrupted]" in body
    assert client.get(f"/api/calls/{call.pk}/transcript/?format=txt").content.decode() == body


def test_the_csv_export_streams_the_filtered_calls(agent: Agent, owner: User) -> None:
    import csv
    import io

    contact = Contact.objects.create(
        owner=owner, agent=agent, name="=HYPERLINK(1)", email="ada@example.com"
    )
    with_contact = _calls(agent, 3, contact=contact, outcome="contact_captured")
    _calls(agent, 2, outcome="no_action")
    client, _ = _client(owner)
    response = client.get("/api/calls/export.csv?has_contact=true")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
    assert [row["id"] for row in rows] == [str(c.pk) for c in with_contact]
    assert rows[0]["contact_email"] == "ada@example.com"
    assert rows[0]["contact_name"] == "'=HYPERLINK(1)"  # not a formula in a spreadsheet
    assert client.get("/api/calls/export.csv?outcome=nonsense").status_code == 400


def test_errors_are_json_whatever_was_asked_for(owner: User) -> None:
    client, _ = _client(owner)
    # Plain text asked for, no such call: the error is still the JSON shape.
    missing = client.get(f"/api/calls/{uuid.uuid4()}/transcript/?format=txt")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/json"
    assert missing.json()["error"]["code"] == "not_found"
    # An address no route matches, under /api/.
    unrouted = client.get("/api/calls/not..a..uuid/")
    assert unrouted.status_code == 404 and unrouted.json()["error"]["code"] == "not_found"
    # The CSV export's filters refuse what they do not know, in JSON.
    refused = client.get("/api/calls/export.csv?colour=red")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "invalid"


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("8199-08-03T15:06:30.72-16:54", 400),  # an offset no zone has (PostgreSQL refuses it)
        ("0001-01-01T00:00:00+14:00", 400),  # before year 1 in UTC
        ("2026-01-01T00:00:00+05:30", 200),
        ("2026-01-01T00:00:00", 200),
    ],
)
def test_dates_that_cannot_be_compared_are_400_not_500(
    owner: User, value: str, status: int
) -> None:
    client, _ = _client(owner)
    for url in ("/api/calls/", "/api/contacts/", "/api/appointments/"):
        name = {"/api/calls/": "started_after", "/api/contacts/": "created_after"}.get(
            url, "start_after"
        )
        response = client.get(url, {name: value})
        assert response.status_code == status, (url, response.content)
