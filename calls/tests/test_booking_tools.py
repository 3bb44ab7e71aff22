"""Booking tools through the bridge: availability, booking, moving and cancelling."""

from __future__ import annotations

import json
from typing import Any

import pytest

from appointments.models import Appointment
from appointments.tests.test_booking import next_weekday
from calls.tests.conftest import CallClient
from calls.tests.fake_openai import FakeRealtimeServer
from contacts.models import Contact

pytestmark = pytest.mark.django_db(transaction=True)


async def _call(fake: FakeRealtimeServer) -> tuple[CallClient, Any]:
    client = CallClient()
    assert await client.connect()
    await client.until("ready")
    await client.until("response_done")
    return client, await fake.connection()


async def _output(upstream: Any, count: int) -> dict[str, Any]:
    outputs = await upstream.wait_for("conversation.item.create", count=count)
    return json.loads(outputs[-1]["item"]["output"])


async def test_check_book_move_and_cancel_in_a_call(agent: Any, fake: FakeRealtimeServer) -> None:
    client, upstream = await _call(fake)
    wednesday = next_weekday(2, 14)
    day = f"{wednesday:%Y-%m-%d}"

    await upstream.call_functions(
        [("check_availability", {"service": "consultation", "when": f"{day} afternoon"})]
    )
    free = await _output(upstream, 1)
    assert free["ok"] and free["service"] == "Consultation"
    # The demo agent speaks US English: 12-hour times to say, ISO starts to book with.
    first_slot = free["free_slots"][0]
    assert first_slot["say"].endswith("at 12:00 PM"), first_slot
    assert first_slot["start"] == f"{day}T12:00:00+00:00"

    await upstream.call_functions(
        [
            (
                "schedule_appointment",
                {
                    "service": "Consultation",
                    "start": f"{day} at 14:00",
                    "name": "ada lovelace",
                    "email": "ada at example dot com",
                },
            )
        ]
    )
    booked = await _output(upstream, 2)
    assert booked["ok"] is True, booked
    assert (
        "Consultation on Wednesday" in booked["confirmation"]
        and "2:00 PM" in booked["confirmation"]
    )
    assert booked["certain"] is True and booked["doubts"] == []
    first = await client.until("appointment")
    assert first["appointment"]["status"] in {"pending", "confirmed"}
    confirmed = first
    while confirmed["appointment"]["status"] != "confirmed":
        confirmed = await client.until("appointment")
    assert confirmed["appointment"]["ics_url"].endswith(".ics")
    appointment = await Appointment.objects.select_related("contact").aget()
    contact = appointment.contact
    assert contact is not None
    assert contact.email == "ada@example.com" and contact.status == "booked"

    # The same slot cannot be booked twice.
    await upstream.call_functions(
        [("schedule_appointment", {"service": "Product demo", "start": f"{day} at 14:00"})]
    )
    refused = await _output(upstream, 3)
    assert refused["ok"] is False and "already booked" in refused["error"]

    await upstream.call_functions(
        [("reschedule_appointment", {"email": "ADA@example.com", "new_start": f"{day} at 15:30"})]
    )
    moved = await _output(upstream, 4)
    assert moved["ok"] is True and "3:30 PM" in moved["confirmation"]
    await upstream.call_functions([("cancel_appointment", {"email": "ada@example.com"})])
    cancelled = await _output(upstream, 5)
    assert cancelled["ok"] is True and "cancelled" in cancelled["confirmation"]
    await appointment.arefresh_from_db()
    assert appointment.status == "cancelled"
    assert await Contact.objects.acount() == 1
    await client.close()


async def test_unknown_service_and_weekend_are_explained(
    agent: Any, fake: FakeRealtimeServer
) -> None:
    client, upstream = await _call(fake)
    await upstream.call_functions(
        [("schedule_appointment", {"service": "massage", "start": "tomorrow at 10"})]
    )
    result = await _output(upstream, 1)
    assert (
        result["ok"] is False
        and "We offer: Consultation (30 min), Product demo (45 min)" in result["error"]
    )
    saturday = next_weekday(5, 10)
    await upstream.call_functions(
        [
            (
                "schedule_appointment",
                {"service": "Consultation", "start": f"{saturday:%Y-%m-%d} at 10:00"},
            )
        ]
    )
    result = await _output(upstream, 2)
    assert result["ok"] is False and "outside business hours" in result["error"]
    assert await Appointment.objects.acount() == 0
    await client.close()
