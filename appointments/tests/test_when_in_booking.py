"""Booking and availability read the caller's time in the agent's language and say
how sure they are."""

from __future__ import annotations

import datetime as dt

import pytest

from agents.models import Agent
from appointments.selectors import availability_find
from appointments.services import appointment_book_for_caller
from appointments.tests.test_booking import next_weekday
from appointments.when import WhenInPast

pytestmark = pytest.mark.django_db


@pytest.fixture
def german(agent: Agent) -> Agent:
    agent.language = "de-DE"
    agent.save(update_fields=["language"])
    return agent


def test_availability_reads_german_and_offers_times_in_the_agents_locale(german: Agent) -> None:
    monday = next_weekday(0, 8)
    found = availability_find(
        agent_id=german.pk, service_name="Consultation", when="morgen um 15 Uhr", now=monday
    )
    assert found.requested == monday.replace(hour=15) + dt.timedelta(days=1)
    assert found.requested_free is True and found.doubts == ()
    assert found.locale == "de-DE"
    vague = availability_find(
        agent_id=german.pk, service_name="Consultation", when="morgen Nachmittag", now=monday
    )
    assert vague.requested is None and vague.slots[0].hour == 12
    assert vague.doubts == ()  # a range is what was asked for here


def test_booking_reports_doubts_and_refuses_the_past(german: Agent) -> None:
    monday = next_weekday(0, 8)
    booking = appointment_book_for_caller(
        agent_id=german.pk, service_name="Consultation", start="morgen um halb vier", now=monday
    )
    assert booking.appointment.start_at == monday.replace(hour=15, minute=30) + dt.timedelta(days=1)
    assert booking.ambiguous_time is True and booking.certain is False
    assert booking.doubts == ("no am/pm given; read as 3:30 PM",)
    with pytest.raises(WhenInPast, match="in the past"):
        appointment_book_for_caller(
            agent_id=german.pk,
            service_name="Consultation",
            start="letzten Freitag um 10",
            now=monday,
        )
