"""Bookings on a connected Google calendar: the event is made once, moved, deleted;
a busy or broken provider is retried or fails the booking with its reason, and the
business hears of it. Against the local fake of Google (appointments/calendars/tests)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from agents.models import Agent
from appointments.availability import free_slots
from appointments.calendar_services import (
    RESUME_GRACE_SECONDS,
    SYNC_MAX_ATTEMPTS,
    appointment_calendar_sync,
    appointments_calendar_resume,
)
from appointments.calendars.tests.fake_google import (
    ACCOUNT_EMAIL,
    CLIENT_ID,
    CLIENT_SECRET,
    FakeGoogle,
)
from appointments.freebusy import busy_fetch, busy_prefetch
from appointments.models import (
    Appointment,
    AppointmentStatus,
    CalendarConnection,
    ConnectionStatus,
)
from appointments.services import appointment_book, appointment_cancel, appointment_reschedule
from appointments.tests.test_booking import next_weekday, service
from calls.groups import control_group
from calls.models import CallLog
from contacts.models import Contact
from notifications.models import OutboxMessage
from notifications.tests.fake_webhook import FakeWebhookReceiver
from voiceagent import background

pytestmark = pytest.mark.django_db(transaction=True)
SCOPES = [
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/calendar.freebusy",
]


@pytest.fixture
def google(settings: Settings) -> Iterator[FakeGoogle]:
    with FakeGoogle() as fake:
        settings.GOOGLE_CLIENT_ID = CLIENT_ID
        settings.GOOGLE_CLIENT_SECRET = CLIENT_SECRET
        settings.GOOGLE_API_ENDPOINT = fake.url
        settings.GOOGLE_OAUTH_AUTH_URI = fake.auth_uri
        settings.GOOGLE_OAUTH_TOKEN_URI = fake.token_uri
        settings.GOOGLE_OAUTH_REVOKE_URI = fake.revoke_uri
        yield fake


@pytest.fixture
def connected(agent: Agent, google: FakeGoogle) -> CalendarConnection:
    access, refresh = google.issue_grant(scope=" ".join(SCOPES))
    expiry = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    connection = CalendarConnection.objects.create(
        owner=agent.owner,
        provider="google",
        account_email=ACCOUNT_EMAIL,
        token_data={
            "token": access,
            "refresh_token": refresh,
            "scopes": SCOPES,
            "expiry": expiry.replace(tzinfo=None).isoformat() + "Z",
        },
    )
    agent.calendar_connection = connection
    agent.summary_recipients = "team@example.com"
    agent.save()
    return connection


@pytest.fixture
def receiver(agent: Agent) -> Iterator[FakeWebhookReceiver]:
    fake = FakeWebhookReceiver(secret=agent.webhook_secret.reveal())
    agent.webhook_url = fake.url
    agent.save(update_fields=["webhook_url"])
    yield fake
    fake.close()


def _events(google: FakeGoogle) -> list[dict[str, Any]]:
    return [event for event in google.events.values() if event.get("status") != "cancelled"]


def _book(
    agent: Agent, *, weekday: int = 1, hour: int = 10, call: CallLog | None = None
) -> Appointment:
    contact, _ = Contact.objects.get_or_create(
        owner=agent.owner,
        email="ada@example.com",
        defaults={"agent": agent, "name": "Ada Lovelace"},
    )
    appointment, _ = appointment_book(
        agent=agent,
        service=service(agent),
        start=next_weekday(weekday, hour),
        contact=contact,
        call_id=str(call.pk) if call else None,
    )
    assert background.wait_idle()
    appointment.refresh_from_db()
    return appointment


def test_a_booking_becomes_one_confirmed_google_event(
    agent: Agent, connected: CalendarConnection, google: FakeGoogle, receiver: FakeWebhookReceiver
) -> None:
    appointment = _book(agent)

    assert appointment.status == AppointmentStatus.CONFIRMED
    (event,) = _events(google)
    assert appointment.external_event_id == event["id"]
    assert appointment.calendar_link == event["htmlLink"]
    assert [(a["email"], a.get("displayName")) for a in event["attendees"]] == [
        ("ada@example.com", "Ada Lovelace")
    ]
    assert event["summary"] == "Consultation: Ada Lovelace"
    assert [d.event for d in receiver.acknowledged()] == ["appointment.confirmed"]
    body = receiver.acknowledged()[0].body["data"]["appointment"]
    assert body["status"] == "confirmed" and body["external_event_id"] == event["id"]

    # The task again, or the event made but our record of it lost: still one event.
    assert appointment_calendar_sync(appointment_id=str(appointment.pk)).status == "nothing"
    Appointment.objects.filter(pk=appointment.pk).update(
        status=AppointmentStatus.PENDING, external_event_id="", calendar_link=""
    )
    assert appointment_calendar_sync(appointment_id=str(appointment.pk)).status == "confirmed"
    appointment.refresh_from_db()
    assert appointment.external_event_id == event["id"]
    assert len(_events(google)) == 1


def test_a_busy_google_is_retried_after_its_retry_after(
    agent: Agent, connected: CalendarConnection, google: FakeGoogle
) -> None:
    google.fail_next(429, retry_after="40", reason="rateLimitExceeded")
    appointment = _book(agent)

    assert appointment.status == AppointmentStatus.PENDING
    assert appointment.sync_attempts == 1 and appointment.last_error
    assert appointment.sync_next_attempt_at is not None
    assert appointment.sync_next_attempt_at >= timezone.now() + dt.timedelta(seconds=35)
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
    assert len(_events(google)) == 1


def test_a_provider_that_keeps_failing_fails_the_booking_and_tells_the_business(
    agent: Agent, connected: CalendarConnection, google: FakeGoogle, receiver: FakeWebhookReceiver
) -> None:
    google.fail_next(503, times=SYNC_MAX_ATTEMPTS)
    appointment = _book(agent)
    for _ in range(SYNC_MAX_ATTEMPTS - 1):
        appointment_calendar_sync(appointment_id=str(appointment.pk))
    assert background.wait_idle()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.FAILED
    assert f"kept failing ({SYNC_MAX_ATTEMPTS} tries)" in appointment.last_error
    assert appointments_calendar_resume(now=timezone.now() + dt.timedelta(days=1)) == 0
    (email,) = [m for m in mail.outbox if m.to == ["team@example.com"]]
    assert "could not be added to the calendar" in email.subject
    assert appointment.last_error in email.body
    assert [d.event for d in receiver.acknowledged()] == ["appointment.failed"]


def test_a_revoked_grant_marks_the_connection_broken_and_fails_at_once(
    agent: Agent, connected: CalendarConnection, google: FakeGoogle, client: Client, owner: User
) -> None:
    google.revoke_grants()
    google.fail_next(401)
    appointment = _book(agent)

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.FAILED
    assert "connect it again" in appointment.last_error
    connected.refresh_from_db()
    assert connected.status == ConnectionStatus.NEEDS_REAUTH and connected.last_error
    assert any("connect it again" in m.body for m in mail.outbox)
    # The agent's page says so, and the next booking fails at once instead of trying.
    client.force_login(owner)
    page = client.get(f"/admin/agents/agent/{agent.pk}/change/").content.decode()
    assert "connect it again" in page
    requests_before = len(google.requests)
    second = _book(agent, hour=14)
    assert second.status == AppointmentStatus.FAILED
    assert "needs to be connected again" in second.last_error
    assert len(google.requests) == requests_before


def test_a_refused_event_is_not_retried(
    agent: Agent, connected: CalendarConnection, google: FakeGoogle
) -> None:
    google.fail_next(400, reason="invalid")
    appointment = _book(agent)
    assert appointment.status == AppointmentStatus.FAILED
    assert appointment.last_error.startswith("The calendar refused the event")
    assert appointments_calendar_resume(now=timezone.now() + dt.timedelta(days=1)) == 0


def test_reschedule_moves_the_event_and_cancel_deletes_it(
    agent: Agent, connected: CalendarConnection, google: FakeGoogle, receiver: FakeWebhookReceiver
) -> None:
    appointment = _book(agent)
    new_start = next_weekday(1, 15)
    appointment_reschedule(appointment=appointment, start=new_start)
    assert background.wait_idle()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CONFIRMED
    (event,) = _events(google)
    assert event["id"] == appointment.external_event_id
    assert dt.datetime.fromisoformat(event["start"]["dateTime"]) == new_start

    appointment_cancel(appointment=appointment)
    assert background.wait_idle()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.external_event_id == ""
    assert _events(google) == []
    assert [d.event for d in receiver.acknowledged()] == [
        "appointment.confirmed",
        "appointment.confirmed",
        "appointment.cancelled",
    ]


def test_the_caller_still_on_the_call_sees_the_confirmation(
    agent: Agent, connected: CalendarConnection, google: FakeGoogle, call: CallLog
) -> None:
    layer = get_channel_layer()
    assert layer is not None
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(control_group(str(call.pk)), channel)
    appointment = _book(agent, call=call)

    message = async_to_sync(layer.receive)(channel)
    assert message["type"] == "call.client_message"
    pushed = message["message"]
    assert pushed["type"] == "appointment"
    assert pushed["appointment"]["id"] == str(appointment.pk)
    assert pushed["appointment"]["status"] == "confirmed"
    assert pushed["appointment"]["calendar_link"] == appointment.calendar_link


def test_free_busy_from_google_keeps_busy_times_out_of_the_offer(
    agent: Agent, connected: CalendarConnection, google: FakeGoogle
) -> None:
    day = next_weekday(2, 0)
    google.busy.setdefault("primary", []).append(
        (day.replace(hour=10).astimezone(dt.UTC), day.replace(hour=12).astimezone(dt.UTC))
    )
    google.busy.setdefault(ACCOUNT_EMAIL, []).extend(google.busy["primary"])
    consultation = service(agent)
    before = free_slots(
        agent=agent, service=consultation, start=day, end=day + dt.timedelta(days=1)
    )
    assert day.replace(hour=10) in before  # not fetched yet: local bookings only
    assert busy_fetch(agent_id=agent.pk)
    after = free_slots(agent=agent, service=consultation, start=day, end=day + dt.timedelta(days=1))
    assert day.replace(hour=10) not in after and day.replace(hour=11, minute=30) not in after
    assert day.replace(hour=12) in after and day.replace(hour=9) in after
    # Cached: the next question does not ask Google again.
    asked = len(google.requests)
    assert busy_fetch(agent_id=agent.pk)
    assert len(google.requests) == asked


def test_a_slow_free_busy_does_not_hold_the_caller(
    agent: Agent,
    connected: CalendarConnection,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.CALENDAR_FREEBUSY_TIMEOUT = 0.2

    class Slow:
        def configured(self) -> bool:
            return True

        def busy(self, **kwargs: Any) -> list[Any]:
            time.sleep(1.0)
            return []

    with mock.patch("appointments.freebusy.backend_for", return_value=Slow()):
        started = time.monotonic()
        assert async_to_sync(busy_prefetch)(agent_id=agent.pk) is False
        assert time.monotonic() - started < 0.9
        time.sleep(1.0)  # let the worker thread finish before the patch goes
    assert "took longer than 0.2 s" in caplog.text


def test_connecting_google_from_the_agent_page(
    agent: Agent, google: FakeGoogle, client: Client, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the fake speaks http
    client.force_login(owner)
    page = client.get(f"/admin/agents/agent/{agent.pk}/change/").content.decode()
    assert f"/calendars/google/connect/{agent.pk}/" in page

    response = client.get(f"/calendars/google/connect/{agent.pk}/")
    assert response.status_code == 302 and response["Location"].startswith(google.auth_uri)
    assert "code_verifier" not in response["Location"]
    callback = google.consent(response["Location"])

    # A forged or stale callback (wrong state) connects nothing.
    forged = {**callback, "state": "not-the-state"}
    client.get(f"/calendars/google/connect/{agent.pk}/")  # a fresh sign-in in the session
    response = client.get("/calendars/google/callback", forged, follow=True)
    assert "was not connected" in response.content.decode()
    assert CalendarConnection.objects.count() == 0

    response = client.get(f"/calendars/google/connect/{agent.pk}/")
    callback = google.consent(response["Location"])
    response = client.get("/calendars/google/callback", callback)
    assert response.status_code == 302
    connection = CalendarConnection.objects.get()
    assert connection.account_email == ACCOUNT_EMAIL and connection.status == "active"
    token_data: dict[str, Any] = connection.token_data  # type: ignore[assignment]
    assert token_data["refresh_token"] and "client_secret" not in token_data
    agent.refresh_from_db()
    assert agent.calendar_connection_id == connection.pk
    # Encrypted at rest: the refresh token is nowhere in the stored column.
    from django.db import connection as db

    with db.cursor() as cursor:
        cursor.execute("SELECT token_data FROM appointments_calendarconnection")
        (stored,) = cursor.fetchone()
    assert token_data["refresh_token"] not in stored
    # The same sign-in twice (a replayed callback) is refused: its state was used up.
    replay = client.get("/calendars/google/callback", callback, follow=True)
    assert "expired or was not started here" in replay.content.decode()

    # Bookings now go to Google.
    appointment = _book(agent)
    assert appointment.status == AppointmentStatus.CONFIRMED and appointment.provider == "google"

    # Disconnect: tokens deleted, grant revoked at Google, bookings local again.
    assert client.get(f"/calendars/disconnect/{agent.pk}/").status_code == 200
    client.post(f"/calendars/disconnect/{agent.pk}/")
    assert background.wait_idle()  # the revoke goes out from the after-commit thread
    connection.refresh_from_db()
    agent.refresh_from_db()
    assert agent.calendar_connection_id is None
    assert connection.status == ConnectionStatus.REVOKED and connection.token_data is None
    assert any(r.path.startswith("/revoke") for r in google.requests)
    assert _book(agent, hour=15).status == AppointmentStatus.CONFIRMED


def test_another_owners_agent_cannot_be_connected(
    agent: Agent, google: FakeGoogle, client: Client, django_user_model: type[User]
) -> None:
    staff = django_user_model.objects.create_user(
        username="other", password="not-used-1", is_staff=True
    )
    client.force_login(staff)
    assert client.get(f"/calendars/google/connect/{agent.pk}/").status_code == 404
    assert client.get(f"/calendars/disconnect/{agent.pk}/").status_code == 404


def test_outbox_rows_for_appointments_are_not_repeated(
    agent: Agent, connected: CalendarConnection, google: FakeGoogle, receiver: FakeWebhookReceiver
) -> None:
    appointment = _book(agent)
    appointment_calendar_sync(appointment_id=str(appointment.pk))
    Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.PENDING)
    appointment_calendar_sync(appointment_id=str(appointment.pk))
    assert background.wait_idle()
    assert OutboxMessage.objects.filter(topic="appointment.confirmed").count() == 1


def test_cancelling_a_booking_whose_event_id_was_lost_still_deletes_the_event(
    agent: Agent, connected: CalendarConnection, google: FakeGoogle
) -> None:
    appointment = _book(agent)
    assert len(_events(google)) == 1
    # The create reached Google but its answer never came back: no id stored.
    Appointment.objects.filter(pk=appointment.pk).update(
        status=AppointmentStatus.PENDING, external_event_id="", calendar_link=""
    )
    appointment.refresh_from_db()
    appointment_cancel(appointment=appointment)
    assert background.wait_idle()
    assert _events(google) == []  # Google's id is ours to compute: deleted anyway


def test_an_unexpected_provider_error_counts_as_an_attempt(
    agent: Agent, connected: CalendarConnection, google: FakeGoogle
) -> None:
    with mock.patch(
        "appointments.calendars.google.GoogleCalendar.event_create",
        side_effect=KeyError("htmlLink"),
    ):
        appointment = _book(agent)
    assert appointment.status == AppointmentStatus.PENDING
    assert appointment.sync_attempts == 1
    assert appointment.last_error == "Unexpected error: KeyError"
    assert appointment.sync_next_attempt_at is not None
