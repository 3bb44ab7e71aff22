"""Booking for a caller: the contact and the appointment are one business action.

Runs in both passes (SQLite and PostgreSQL); the failure tests commit for real
(``transaction=True``) so that what a failed booking leaves behind is what a call
would leave.
"""

from __future__ import annotations

import datetime as dt

import pytest

from agents.models import Agent
from agents.selectors import ServiceNotFound, service_find
from appointments.models import Appointment
from appointments.selectors import appointment_next_for_caller, availability_find
from appointments.services import (
    BookingError,
    appointment_book_for_caller,
    appointment_cancel_for_caller,
    appointment_reschedule_for_caller,
)
from appointments.tests.test_booking import next_weekday
from calls.models import CallLog
from contacts.models import Contact
from contacts.services import ContactChanges


def said(moment: dt.datetime) -> str:
    """A time as the model passes it on ("2026-12-01 14:00", the business's zone)."""
    return f"{moment:%Y-%m-%d %H:%M}"


ADA = ContactChanges(name="Ada Lovelace", email="ada@example.com", phone="+442071838750")
GRACE = ContactChanges(name="Grace Hopper", email="grace@example.com")


def test_booking_saves_the_caller_links_the_call_and_marks_them_booked(
    agent: Agent, call: CallLog
) -> None:
    booking = appointment_book_for_caller(
        agent_id=agent.pk,
        service_name="consultation",
        start=said(next_weekday(1, 14)),
        details=ADA,
        call_id=str(call.pk),
    )
    assert booking.contact is not None and booking.appointment.contact_id == booking.contact.pk
    assert Contact.objects.get().status == "booked"
    call.refresh_from_db()
    assert call.contact_id == booking.contact.pk


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "start", [next_weekday(1, 14), next_weekday(5, 10), next_weekday(1, 20)], ids=str
)
def test_a_failed_booking_leaves_no_contact_behind(
    agent: Agent, call: CallLog, start: dt.datetime
) -> None:
    """Slot taken (Tuesday 14:00 booked first), a Saturday, after hours: no new contact,
    and the call is not linked to one."""
    taken = next_weekday(1, 14)
    appointment_book_for_caller(agent_id=agent.pk, service_name="Consultation", start=taken)
    with pytest.raises(BookingError):
        appointment_book_for_caller(
            agent_id=agent.pk,
            service_name="Consultation",
            start=said(start),
            details=GRACE,
            call_id=str(call.pk),
        )
    assert Contact.objects.count() == 0
    call.refresh_from_db()
    assert call.contact_id is None
    assert Appointment.objects.count() == 1


def test_services_are_found_by_the_name_a_caller_says(agent: Agent) -> None:
    assert service_find(agent=agent, name=" CONSULTATION ").name == "Consultation"
    assert service_find(agent=agent, name="demo").name == "Product demo"
    with pytest.raises(ServiceNotFound, match="We offer: Consultation"):
        service_find(agent=agent, name="haircut")
    with pytest.raises(ServiceNotFound):
        appointment_book_for_caller(
            agent_id=agent.pk, service_name="haircut", start=next_weekday(1, 14)
        )


def test_availability_of_an_exact_time_and_of_a_day(agent: Agent) -> None:
    tuesday = next_weekday(1, 14)
    exact = availability_find(agent_id=agent.pk, service_name="Consultation", when=said(tuesday))
    assert exact.requested == tuesday and exact.requested_free
    appointment_book_for_caller(agent_id=agent.pk, service_name="Consultation", start=tuesday)
    taken = availability_find(agent_id=agent.pk, service_name="Consultation", when=said(tuesday))
    assert not taken.requested_free and tuesday not in taken.slots and taken.slots
    day = availability_find(
        agent_id=agent.pk, service_name="Consultation", when=tuesday.date().isoformat()
    )
    assert day.requested is None and len(day.slots) > 1


def test_the_callers_next_appointment_is_moved_and_cancelled(agent: Agent) -> None:
    first = appointment_book_for_caller(
        agent_id=agent.pk, service_name="Consultation", start=next_weekday(1, 9), details=ADA
    ).appointment
    appointment_book_for_caller(
        agent_id=agent.pk, service_name="Consultation", start=next_weekday(2, 9), details=ADA
    )
    found = appointment_next_for_caller(agent_id=agent.pk, email="ADA@example.com")
    assert found is not None and found.pk == first.pk
    assert appointment_next_for_caller(agent_id=agent.pk) is None
    moved = appointment_reschedule_for_caller(
        agent_id=agent.pk, phone=ADA.phone, start=next_weekday(1, 10)
    )
    assert moved.pk == first.pk and moved.start_at == next_weekday(1, 10)
    cancelled = appointment_cancel_for_caller(agent_id=agent.pk, email=ADA.email)
    assert cancelled.pk == first.pk and cancelled.status == "cancelled"
    with pytest.raises(BookingError, match="email address or phone number"):
        appointment_cancel_for_caller(agent_id=agent.pk)
    with pytest.raises(BookingError, match="No upcoming appointment"):
        appointment_cancel_for_caller(agent_id=agent.pk, email="nobody@example.com")
