"""The appointments API books, moves and cancels through the booking services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.test import Client

from agents.models import Agent
from appointments.models import Appointment
from contacts.models import Contact
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db
ApiClient = Callable[[User], Client]
LONDON = ZoneInfo("Europe/London")  # the demo agent's zone in these tests


def next_weekday(weekday: int, hour: int) -> dt.datetime:
    day = dt.datetime.now(LONDON).date() + dt.timedelta(days=2)
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour), LONDON)


def book(client: Client, agent: Agent, start: str, key: str = "", **extra: object) -> Any:
    return client.post(
        "/api/appointments/",
        {"agent": agent.public_id, "service": "consultation", "start": start, **extra},
        content_type="application/json",
        headers={"Idempotency-Key": key} if key else None,
    )


def test_book_with_a_new_contact_then_move_and_cancel(
    api_client: ApiClient, owner: User, agent: Agent
) -> None:
    agent.webhook_url = "https://hooks.example.com/voice"
    agent.save()
    client = api_client(owner)
    tuesday_10 = next_weekday(1, 10)
    # Without an offset the time is the agent's wall-clock time.
    response = client.post(
        "/api/appointments/",
        {
            "agent": agent.public_id,
            "service": "consultation",
            "start": tuesday_10.replace(tzinfo=None).isoformat(),
            "name": "Ada Lovelace",
            "email": "ada@example.com",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    appointment = Appointment.objects.get(pk=body["id"])
    assert appointment.start_at == tuesday_10
    assert appointment.end_at - appointment.start_at == dt.timedelta(minutes=30)
    assert body["status"] == "confirmed" and body["service_name"] == "Consultation"
    contact = Contact.objects.get(email="ada@example.com")
    assert appointment.contact == contact and contact.status == "booked"
    # The same follow-ups as a booking made by the agent: the webhook is queued.
    assert OutboxMessage.objects.filter(topic="appointment.confirmed").count() == 1

    wednesday_11 = next_weekday(2, 11)
    moved = client.post(
        f"/api/appointments/{appointment.pk}/reschedule/",
        {"start": wednesday_11.isoformat()},
        content_type="application/json",
    )
    assert moved.status_code == 200, moved.content
    appointment.refresh_from_db()
    assert appointment.start_at == wednesday_11 and appointment.revision == 1

    cancelled = client.post(f"/api/appointments/{appointment.pk}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    # Cancelling again changes nothing.
    again = client.post(f"/api/appointments/{appointment.pk}/cancel/")
    assert again.status_code == 200 and again.json()["revision"] == 2
    assert OutboxMessage.objects.filter(topic="appointment.cancelled").count() == 1


def test_refusals_are_409_with_the_reason_and_leave_nothing(
    api_client: ApiClient, owner: User, agent: Agent
) -> None:
    client = api_client(owner)
    saturday = next_weekday(5, 10)
    response = book(client, agent, saturday.isoformat(), email="ada@example.com")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "booking_refused" and error["message"]
    assert not Contact.objects.exists() and not Appointment.objects.exists()

    monday = next_weekday(0, 10).isoformat()
    assert book(client, agent, monday).status_code == 201
    taken = book(client, agent, monday)
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "booking_refused"

    unknown = book(client, agent, next_weekday(0, 14).isoformat(), service="massage")
    assert unknown.status_code == 400 and "service" in unknown.json()["error"]["details"]
    bad_time = book(client, agent, "tomorrow at 3")
    assert bad_time.status_code == 400 and "start" in bad_time.json()["error"]["details"]
    assert Appointment.objects.count() == 1


def test_an_idempotency_key_makes_a_retry_return_the_first_booking(
    api_client: ApiClient, owner: User, agent: Agent
) -> None:
    client = api_client(owner)
    start = next_weekday(3, 15).isoformat()
    first = book(client, agent, start, key="order-42")
    second = book(client, agent, start, key="order-42")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert Appointment.objects.count() == 1


def test_appointments_are_owner_scoped(
    api_client: ApiClient, owner: User, stranger: User, agent: Agent
) -> None:
    mine = book(api_client(owner), agent, next_weekday(1, 9).isoformat()).json()
    client = api_client(stranger)
    assert client.get("/api/appointments/").json()["results"] == []
    assert client.get(f"/api/appointments/{mine['id']}/").status_code == 404
    assert client.post(f"/api/appointments/{mine['id']}/cancel/").status_code == 404
    # A stranger cannot book into another owner's agent either.
    response = book(client, agent, next_weekday(1, 11).isoformat())
    assert response.status_code == 400 and "agent" in response.json()["error"]["details"]
    assert Appointment.objects.get(pk=mine["id"]).status == "confirmed"


def test_filters(api_client: ApiClient, owner: User, agent: Agent) -> None:
    client = api_client(owner)
    first = book(client, agent, next_weekday(0, 9).isoformat()).json()
    book(client, agent, next_weekday(0, 10).isoformat())
    client.post(f"/api/appointments/{first['id']}/cancel/")
    rows = client.get("/api/appointments/?status=cancelled").json()["results"]
    assert [r["id"] for r in rows] == [first["id"]]
    assert client.get("/api/appointments/?start_after=yesterday").status_code == 400
