"""Bookings on a connected Microsoft 365 calendar, end to end through the product's
services and views: the event is made once (Graph's transactionId), moved, deleted;
throttling is retried after Graph's Retry-After; an expired token is refreshed and the
new cache kept; a refused refresh breaks the connection and fails the booking; free/busy
keeps busy times out of the offer; the admin connects and disconnects the account.
Against the local TLS fake of Microsoft's identity platform and Graph."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from django.contrib.auth.models import User
from django.core import mail
from django.db import connection as db
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from agents.models import Agent
from appointments.availability import free_slots
from appointments.calendar_services import (
    RESUME_GRACE_SECONDS,
    appointment_calendar_sync,
    appointments_calendar_resume,
    calendar_connection_connect,
)
from appointments.calendars import _graph
from appointments.calendars.microsoft import MicrosoftCalendar
from appointments.calendars.tests.fake_microsoft import FakeMicrosoft, ScheduleItem
from appointments.freebusy import busy_fetch
from appointments.models import (
    Appointment,
    AppointmentStatus,
    CalendarConnection,
    ConnectionStatus,
)
from appointments.services import appointment_book, appointment_cancel, appointment_reschedule
from appointments.tests.test_booking import next_weekday, service
from contacts.models import Contact
from notifications.tests.fake_webhook import FakeWebhookReceiver
from voiceagent import background

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # microsoft.py silences msal's warning about response_mode="query" on import;
    # pytest restores the filters after collection, so repeat it (as test_microsoft.py).
    pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended:UserWarning"),
]
REDIRECT_URI = "https://voiceagent.example/calendars/microsoft/callback"


@pytest.fixture
def microsoft(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMicrosoft]:
    fake = FakeMicrosoft()
    fake.start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", fake.ca_file)  # the fake's throwaway CA
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    settings.MICROSOFT_CLIENT_ID = fake.client_id
    settings.MICROSOFT_CLIENT_SECRET = fake.client_secret
    settings.MICROSOFT_TENANT = "common"
    settings.MICROSOFT_AUTHORITY_HOST = fake.authority_host
    settings.MICROSOFT_GRAPH_URL = fake.graph_url
    yield fake
    fake.stop()


def _consent(authorize_url: str) -> tuple[str, dict[str, str]]:
    """Follows the fake authority's consent redirect as a browser would: the callback
    path and its query."""
    answer = requests.get(authorize_url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    location = urlsplit(answer.headers["Location"])
    return location.path, dict(parse_qsl(location.query))


def _connect(agent: Agent) -> CalendarConnection:
    """A real sign-in against the fake, stored as the callback view stores it."""
    backend = MicrosoftCalendar()
    start = backend.authorization_start(redirect_uri=REDIRECT_URI)
    _, params = _consent(start.url)
    authorized = backend.authorization_finish(
        pending=start.pending, params=params, redirect_uri=REDIRECT_URI
    )
    connection = calendar_connection_connect(
        owner_id=agent.owner_id, agent_id=agent.pk, provider="microsoft", authorized=authorized
    )
    agent.refresh_from_db()
    agent.summary_recipients = "team@example.com"
    agent.save(update_fields=["summary_recipients"])
    return connection


@pytest.fixture
def connected(agent: Agent, microsoft: FakeMicrosoft) -> CalendarConnection:
    return _connect(agent)


@pytest.fixture
def receiver(agent: Agent) -> Iterator[FakeWebhookReceiver]:
    fake = FakeWebhookReceiver(secret=agent.webhook_secret.reveal())
    agent.webhook_url = fake.url
    agent.save(update_fields=["webhook_url"])
    yield fake
    fake.close()


def _book(agent: Agent, *, weekday: int = 1, hour: int = 10) -> Appointment:
    contact, _ = Contact.objects.get_or_create(
        owner=agent.owner,
        email="ada@example.com",
        defaults={"agent": agent, "name": "Ada Lovelace"},
    )
    appointment, _ = appointment_book(
        agent=agent, service=service(agent), start=next_weekday(weekday, hour), contact=contact
    )
    assert background.wait_idle()
    appointment.refresh_from_db()
    return appointment


def _refresh_secrets(token_data: Any) -> list[str]:
    cache = json.loads(token_data["cache"])
    return [entry["secret"] for entry in cache["RefreshToken"].values()]


def _raw_token_column(connection: CalendarConnection) -> str | None:
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT token_data FROM appointments_calendarconnection WHERE id = %s",
            [connection.pk],
        )
        (stored,) = cursor.fetchone()
    return None if stored is None else str(stored)


def test_a_booking_becomes_one_confirmed_graph_event(
    agent: Agent,
    connected: CalendarConnection,
    microsoft: FakeMicrosoft,
    receiver: FakeWebhookReceiver,
) -> None:
    appointment = _book(agent)

    assert appointment.status == AppointmentStatus.CONFIRMED and appointment.provider == "microsoft"
    (event,) = microsoft.events.values()
    assert appointment.external_event_id == event["id"]
    assert appointment.calendar_link == event["webLink"] and event["webLink"]
    assert event["attendees"] == [
        {"emailAddress": {"address": "ada@example.com", "name": "Ada Lovelace"}, "type": "required"}
    ]
    assert event["subject"] == "Consultation: Ada Lovelace"
    assert event["start"]["dateTime"].startswith(
        appointment.start_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    )
    (create,) = microsoft.requests_to("/me/events", "POST")
    assert create.json["transactionId"] == _graph.transaction_id(appointment.idempotency_key)
    assert [d.event for d in receiver.acknowledged()] == ["appointment.confirmed"]
    body = receiver.acknowledged()[0].body["data"]["appointment"]
    assert body["status"] == "confirmed" and body["external_event_id"] == event["id"]


def test_a_lost_record_of_the_event_is_recovered_by_the_transaction_id(
    agent: Agent, connected: CalendarConnection, microsoft: FakeMicrosoft
) -> None:
    appointment = _book(agent)
    event_id = appointment.external_event_id
    # Again while confirmed: nothing to do, nothing sent.
    assert appointment_calendar_sync(appointment_id=str(appointment.pk)).status == "nothing"
    assert len(microsoft.requests_to("/me/events", "POST")) == 1

    # The event was made but our record of it was lost (a worker died before storing).
    Appointment.objects.filter(pk=appointment.pk).update(
        status=AppointmentStatus.PENDING, external_event_id="", calendar_link=""
    )
    assert appointment_calendar_sync(appointment_id=str(appointment.pk)).status == "confirmed"
    appointment.refresh_from_db()
    assert appointment.external_event_id == event_id and appointment.calendar_link
    first, second = microsoft.requests_to("/me/events", "POST")
    assert first.json["transactionId"] == second.json["transactionId"]
    assert len(microsoft.events) == 1


def test_throttling_is_retried_after_graphs_retry_after(
    agent: Agent, connected: CalendarConnection, microsoft: FakeMicrosoft
) -> None:
    microsoft.fail_graph(429, retry_after="40", code="TooManyRequests", message="Slow down")
    before = timezone.now()
    appointment = _book(agent)

    assert appointment.status == AppointmentStatus.PENDING
    assert appointment.sync_attempts == 1 and "429" in appointment.last_error
    assert appointment.sync_next_attempt_at is not None
    assert appointment.sync_next_attempt_at >= before + dt.timedelta(seconds=40)
    assert microsoft.events == {}
    # Not due yet; once due, the beat's sweep sends the task and the event is made.
    assert appointments_calendar_resume() == 0
    # The task's own retry would fire at the due time; the sweep, a grace period later,
    # catches a retry that was lost (here: none was scheduled, tasks run eagerly).
    due = appointment.sync_next_attempt_at
    assert appointments_calendar_resume(now=due + dt.timedelta(seconds=1)) == 0
    later = due + dt.timedelta(seconds=RESUME_GRACE_SECONDS + 1)
    assert appointments_calendar_resume(now=later) == 1
    assert background.wait_idle()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CONFIRMED and appointment.last_error == ""
    assert appointment.sync_attempts == 0 and appointment.sync_next_attempt_at is None
    assert len(microsoft.events) == 1


def test_an_expired_access_token_is_refreshed_and_the_new_cache_kept_encrypted(
    agent: Agent, microsoft: FakeMicrosoft
) -> None:
    microsoft.access_token_lifetime = 60  # under msal's 5-minute margin: already expired
    connection = _connect(agent)
    microsoft.access_token_lifetime = 3599
    old_secrets = _refresh_secrets(connection.token_data)

    appointment = _book(agent)

    assert appointment.status == AppointmentStatus.CONFIRMED
    refresh = [r for r in microsoft.token_requests() if r.form["grant_type"] == "refresh_token"]
    assert len(refresh) == 1 and refresh[0].form["refresh_token"] in old_secrets
    connection.refresh_from_db()
    new_secrets = _refresh_secrets(connection.token_data)
    assert new_secrets and set(new_secrets).isdisjoint(old_secrets)
    raw = _raw_token_column(connection)
    assert raw and all(secret not in raw for secret in new_secrets)
    # The saved cache serves the next booking without another refresh.
    assert _book(agent, hour=14).status == AppointmentStatus.CONFIRMED
    assert len(microsoft.token_requests()) == 2  # the sign-in and the one refresh


def test_a_refused_refresh_breaks_the_connection_and_fails_the_booking(
    agent: Agent, microsoft: FakeMicrosoft, receiver: FakeWebhookReceiver
) -> None:
    microsoft.access_token_lifetime = 60
    connection = _connect(agent)
    microsoft.refuse_refresh = True

    appointment = _book(agent)

    assert appointment.status == AppointmentStatus.FAILED
    assert "invalid_grant" in appointment.last_error
    assert "connect it again" in appointment.last_error
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.NEEDS_REAUTH
    assert "invalid_grant" in connection.last_error
    assert microsoft.events == {} and microsoft.graph_requests() == []
    (email,) = [m for m in mail.outbox if m.to == ["team@example.com"]]
    assert "could not be added to the calendar" in email.subject
    assert appointment.last_error in email.body
    assert [d.event for d in receiver.acknowledged()] == ["appointment.failed"]
    # The next booking fails at once, without asking Microsoft.
    asked = len(microsoft.requests)
    second = _book(agent, hour=14)
    assert second.status == AppointmentStatus.FAILED
    assert "needs to be connected again" in second.last_error
    assert len(microsoft.requests) == asked


def test_reschedule_moves_the_event_and_cancel_deletes_it(
    agent: Agent,
    connected: CalendarConnection,
    microsoft: FakeMicrosoft,
    receiver: FakeWebhookReceiver,
) -> None:
    appointment = _book(agent)
    event_id = appointment.external_event_id
    new_start = next_weekday(1, 15)
    appointment_reschedule(appointment=appointment, start=new_start)
    assert background.wait_idle()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CONFIRMED
    assert appointment.external_event_id == event_id
    (patch,) = microsoft.requests_to(f"/me/events/{event_id}", "PATCH")
    assert "transactionId" not in patch.json
    (event,) = microsoft.events.values()
    assert event["id"] == event_id
    start = dt.datetime.fromisoformat(event["start"]["dateTime"]).replace(tzinfo=dt.UTC)
    end = dt.datetime.fromisoformat(event["end"]["dateTime"]).replace(tzinfo=dt.UTC)
    assert (start, end) == (new_start, new_start + dt.timedelta(minutes=30))

    appointment_cancel(appointment=appointment)
    assert background.wait_idle()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.external_event_id == "" and appointment.calendar_link == ""
    assert len(microsoft.requests_to(f"/me/events/{event_id}", "DELETE")) == 1
    assert microsoft.events == {}
    assert [d.event for d in receiver.acknowledged()] == [
        "appointment.confirmed",
        "appointment.confirmed",
        "appointment.cancelled",
    ]


def test_busy_and_tentative_times_from_get_schedule_are_not_offered(
    agent: Agent, connected: CalendarConnection, microsoft: FakeMicrosoft
) -> None:
    day = next_weekday(2, 0)

    def hold(status: str, hour: int) -> ScheduleItem:
        start = day.replace(hour=hour)
        return ScheduleItem(status, start, start + dt.timedelta(hours=1))

    microsoft.schedule = [
        hold("busy", 10),
        hold("tentative", 13),
        hold("free", 15),
        hold("workingElsewhere", 16),
    ]
    consultation = service(agent)
    window: dict[str, Any] = {"start": day, "end": day + dt.timedelta(days=1)}
    before = free_slots(agent=agent, service=consultation, **window)
    assert {day.replace(hour=10), day.replace(hour=13)} <= set(before)  # not fetched yet

    assert busy_fetch(agent_id=agent.pk)
    (asked,) = microsoft.requests_to("/me/calendar/getSchedule", "POST")
    assert asked.json["schedules"] == [connected.account_email]
    after = set(free_slots(agent=agent, service=consultation, **window))
    for hour, minute in ((10, 0), (10, 30), (13, 0), (13, 30)):
        assert day.replace(hour=hour, minute=minute) not in after
    for hour, minute in ((9, 30), (11, 0), (12, 30), (14, 0), (15, 0), (16, 0)):
        assert day.replace(hour=hour, minute=minute) in after


def test_connecting_and_disconnecting_microsoft_from_the_agent_page(
    agent: Agent, microsoft: FakeMicrosoft, client: Client, owner: User
) -> None:
    client.force_login(owner)
    connect_url = f"/calendars/microsoft/connect/{agent.pk}/"
    response = client.get(connect_url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{microsoft.url}/common/oauth2/v2.0/authorize?")
    path, callback = _consent(response["Location"])
    assert path == "/calendars/microsoft/callback" and callback["code"]
    assert microsoft.client_secret not in response["Location"]

    # A forged or stale callback (wrong state) connects nothing, and no code is redeemed.
    forged = client.get(path, {**callback, "state": "not-the-state"}, follow=True)
    assert "Microsoft 365 was not connected" in forged.content.decode()
    assert CalendarConnection.objects.count() == 0 and microsoft.token_requests() == []

    path, callback = _consent(client.get(connect_url)["Location"])
    response = client.get(path, callback)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/agents/agent/{agent.pk}/change/"
    connection = CalendarConnection.objects.get()
    assert connection.provider == "microsoft" and connection.account_email == microsoft.user_email
    assert connection.status == ConnectionStatus.ACTIVE
    agent.refresh_from_db()
    assert agent.calendar_connection_id == connection.pk
    (secret,) = _refresh_secrets(connection.token_data)
    raw = _raw_token_column(connection)
    assert raw and secret not in raw and "RefreshToken" not in raw  # encrypted at rest

    # The same answer again (a replayed callback) is refused: its sign-in was used up.
    replay = client.get(path, callback, follow=True)
    assert "expired or was not started here" in replay.content.decode()
    assert len(microsoft.token_requests()) == 1

    # Bookings now go to Microsoft 365.
    assert _book(agent).status == AppointmentStatus.CONFIRMED and len(microsoft.events) == 1

    assert client.get(f"/calendars/disconnect/{agent.pk}/").status_code == 200
    response = client.post(f"/calendars/disconnect/{agent.pk}/")
    assert response.status_code == 302
    connection.refresh_from_db()
    agent.refresh_from_db()
    assert agent.calendar_connection_id is None
    assert connection.status == ConnectionStatus.REVOKED and connection.token_data is None
    assert _raw_token_column(connection) is None
    # Bookings are local again: confirmed at once, nothing sent to Graph.
    graph_before = len(microsoft.graph_requests())
    local = _book(agent, hour=15)
    assert local.status == AppointmentStatus.CONFIRMED and local.provider == "local"
    assert len(microsoft.graph_requests()) == graph_before
