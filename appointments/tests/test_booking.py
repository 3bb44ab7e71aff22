"""Availability and booking: business hours, durations, no double booking, races."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import close_old_connections
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks

from agents.models import Agent, Service
from appointments.availability import free_slots, slot_problem
from appointments.models import Appointment
from appointments.services import (
    BookingError,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def next_weekday(weekday: int, hour: int, minute: int = 0) -> dt.datetime:
    """The next given weekday (0 = Monday), at least two days ahead, in London."""
    day = dt.datetime.now(LONDON).date() + dt.timedelta(days=2)
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour, minute), LONDON)


def service(agent: Agent, name: str = "Consultation") -> Service:
    return agent.services.get(name=name)


def test_free_slots_follow_hours_duration_and_bookings(agent: Agent) -> None:
    wednesday = next_weekday(2, 0)
    day_end = wednesday + dt.timedelta(days=1)
    demo = service(agent, "Product demo")  # 45 minutes
    slots = free_slots(agent=agent, service=demo, start=wednesday, end=day_end)
    assert slots[0] == wednesday.replace(hour=9)
    assert slots[-1] == wednesday.replace(hour=16, minute=15)  # ends exactly at 17:00
    appointment_book(agent=agent, service=demo, start=wednesday.replace(hour=10))
    slots = free_slots(agent=agent, service=demo, start=wednesday, end=day_end)
    taken = [
        s
        for s in slots
        if wednesday.replace(hour=9, minute=30) <= s < wednesday.replace(hour=10, minute=45)
    ]
    assert taken == []
    assert wednesday.replace(hour=10, minute=45) in slots
    saturday = next_weekday(5, 0)
    assert (
        free_slots(agent=agent, service=demo, start=saturday, end=saturday + dt.timedelta(days=1))
        == []
    )


def test_slot_problems_explain_themselves(agent: Agent) -> None:
    consultation = service(agent)
    outside = slot_problem(agent=agent, service=consultation, start=next_weekday(2, 16, 45))
    assert outside is not None and "outside business hours" in outside
    # Read out as the agent speaks (en-US: the 12-hour clock), like every offered time.
    assert "4:45 PM" in outside and "16:45" not in outside
    soon = slot_problem(
        agent=agent, service=consultation, start=dt.datetime.now(LONDON) + dt.timedelta(minutes=5)
    )
    assert soon is not None and "too soon" in soon
    start = next_weekday(3, 11)
    appointment_book(agent=agent, service=consultation, start=start)
    assert (
        slot_problem(agent=agent, service=consultation, start=start + dt.timedelta(minutes=15))
        == "That time is already booked."
    )


def test_double_booking_is_refused_and_repeats_are_idempotent(
    agent: Agent, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    consultation = service(agent)
    start = next_weekday(1, 14)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first, created = appointment_book(agent=agent, service=consultation, start=start)
    # No calendar connected: the booking is the calendar entry, confirmed at once, and
    # nothing waits on a calendar task.
    assert created and first.status == "confirmed"
    assert callbacks == []
    again, created = appointment_book(agent=agent, service=consultation, start=start)
    assert again.pk == first.pk and not created  # same request, same booking
    with pytest.raises(BookingError, match="already booked"):
        appointment_book(agent=agent, service=service(agent, "Product demo"), start=start)


def test_reschedule_and_cancel(agent: Agent) -> None:
    consultation = service(agent)
    booked, _ = appointment_book(agent=agent, service=consultation, start=next_weekday(1, 9))
    moved = appointment_reschedule(appointment=booked, start=next_weekday(1, 9, 30))
    assert moved.start_at == next_weekday(
        1, 9, 30
    ) and moved.end_at - moved.start_at == dt.timedelta(minutes=30)
    cancelled = appointment_cancel(appointment=moved)
    assert cancelled.status == "cancelled"
    with pytest.raises(BookingError, match="cancelled"):
        appointment_reschedule(appointment=cancelled, start=next_weekday(1, 11))
    # The slot is free again.
    appointment_book(agent=agent, service=consultation, start=next_weekday(1, 9, 30))


def test_ics_file(agent: Agent, client: Client) -> None:
    booked, _ = appointment_book(agent=agent, service=service(agent), start=next_weekday(4, 15))
    response = client.get(f"/appointments/{booked.pk}.ics")
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in body and "SUMMARY:Consultation with Front desk" in body
    assert f"DTSTART:{booked.start_at.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}" in body


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_calls_racing_for_one_slot_give_exactly_one_booking(agent: Agent) -> None:
    consultation, demo = service(agent), service(agent, "Product demo")
    start = next_weekday(2, 13)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def book(which: Service, call: str) -> None:
        try:
            barrier.wait()
            appointment_book(agent=agent, service=which, start=start, call_id=None)
            outcomes.append("booked")
        except BookingError:
            outcomes.append("refused")
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=book, args=(s, str(n))) for n, s in enumerate((consultation, demo))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked", "refused"]
    assert Appointment.objects.filter(status__in=["pending", "confirmed"]).count() == 1
