"""A contact's page tells their story: their calls and appointments, newest first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agents.models import Agent
from calls.models import CallLog, Outcome
from contacts.models import Contact
from voiceagent.tests.admin_data import business_owner, finished_call, owner_agent, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def bea() -> User:
    return business_owner("bea")


@pytest.fixture
def salon(bea: User) -> Agent:
    return owner_agent(bea, name="Salon", public_id="salon")


@pytest.fixture(params=["owner", "superuser"])
def reader(request: pytest.FixtureRequest, bea: User, owner: User) -> Client:
    return signed_in(bea if request.param == "owner" else owner)


@pytest.fixture
def calls(salon: Agent) -> list[CallLog]:
    """Dana asked about prices last week, then called yesterday and booked a haircut."""
    now = timezone.now()
    asked = finished_call(
        salon,
        caller="Dana Smith",
        email="dana@example.com",
        summary="Dana asked what a haircut costs.",
        started=now - dt.timedelta(days=7),
        outcome=Outcome.QUESTION_ANSWERED,
    )
    booked = finished_call(
        salon,
        caller="Dana Smith",
        email="dana@example.com",
        summary="Dana booked a haircut for next week.",
        started=now - dt.timedelta(days=1),
        booked_at=now + dt.timedelta(days=6),
    )
    return [asked, booked]


def _page(client: Client, contact: Contact) -> str:
    response = client.get(reverse("admin:contacts_contact_change", args=[contact.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_contact_page_lists_calls_and_appointments_newest_first(
    calls: list[CallLog], reader: Client
) -> None:
    asked, booked = calls
    contact = booked.contact
    assert contact is not None and asked.contact == contact
    page = _page(reader, contact)
    history = page[page.index(">Calls and appointments</h2>") :]
    appointment = booked.appointments.get()
    links = [
        reverse("admin:appointments_appointment_change", args=[appointment.pk]),
        reverse("admin:calls_calllog_change", args=[booked.pk]),
        reverse("admin:calls_calllog_change", args=[asked.pk]),
    ]
    positions = [history.index(f'<a href="{link}">') for link in links]
    assert positions == sorted(positions)  # the upcoming appointment, then the calls
    assert "Haircut appointment</a>" in history and "Web widget call</a>" in history
    assert "Upcoming · Confirmed" in history
    assert "Salon · 1 min 35 s · Appointment booked" in history
    assert "Dana booked a haircut for next week." in history
    assert "Question answered" in history and "Dana asked what a haircut costs." in history
    # The history follows the fields and comes before the buttons.
    assert history.index("</fieldset>") < history.index('name="_save"')


def test_a_new_contact_has_no_history_yet(bea: User, salon: Agent) -> None:
    contact = Contact.objects.create(owner=bea, agent=salon, name="Eli")
    assert "No calls or appointments with this contact yet." in _page(signed_in(bea), contact)
    add = signed_in(bea).get(reverse("admin:contacts_contact_add")).content.decode()
    assert "Calls and appointments" not in add


def test_another_owner_cannot_open_the_contact(calls: list[CallLog]) -> None:
    contact = calls[0].contact
    assert contact is not None
    olga = signed_in(business_owner("olga"))
    response = olga.get(reverse("admin:contacts_contact_change", args=[contact.pk]))
    assert response.status_code in (302, 404)
    assert olga.get(reverse("admin:contacts_contact_changelist")).context["cl"].result_count == 0


def test_the_history_shows_only_what_the_reader_may_see(
    calls: list[CallLog], bea: User, owner: User
) -> None:
    """The history comes from the owner-scoped selectors: a call of another owner's agent
    linked to this contact (not made by the product, but possible in the data) stays
    hidden from the contact's owner."""
    contact = calls[0].contact
    assert contact is not None
    olga = business_owner("olga")
    garage = owner_agent(olga, name="Garage", public_id="garage")
    stray = finished_call(garage, caller="Dana", email="dana@garage.example", summary="Garage.")
    CallLog.objects.filter(pk=stray.pk).update(contact=contact)
    assert reverse("admin:calls_calllog_change", args=[stray.pk]) not in _page(
        signed_in(bea), contact
    )
    assert reverse("admin:calls_calllog_change", args=[stray.pk]) in _page(
        signed_in(owner), contact
    )


def test_a_long_history_is_cut_and_says_so(calls: list[CallLog], bea: User) -> None:
    from contacts.selectors import contact_history

    contact = calls[0].contact
    assert contact is not None
    history = contact_history(contact=contact, user=bea, limit=1)
    assert history.truncated is True
    assert [entry.call or entry.appointment for entry in history.entries] == [
        calls[1].appointments.get(),
        calls[1],
    ]
    assert contact_history(contact=contact, user=bea).truncated is False
