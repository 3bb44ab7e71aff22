"""The call list and the call page, as a business owner reads them."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agents.models import Agent
from calls.models import CallLog, ToolInvocation
from calls.services import call_search_documents_update
from voiceagent.tests.admin_data import (
    business_owner,
    finished_call,
    owner_agent,
    signed_in,
)

pytestmark = pytest.mark.django_db

SUMMARY = (
    "Bea Brown called to book a haircut on Friday afternoon. She asked whether the salon "
    "has parking nearby and was told there is a car park behind the building. The "
    "haircut was booked with her usual stylist."
)
LIST = reverse("admin:calls_calllog_changelist")


@pytest.fixture
def bea() -> User:
    return business_owner("bea")


@pytest.fixture
def salon(bea: User) -> Agent:
    return owner_agent(bea, name="Salon", public_id="salon")


@pytest.fixture
def booked(salon: Agent) -> CallLog:
    return finished_call(
        salon,
        caller="Bea Brown",
        email="bea.brown@example.com",
        summary=SUMMARY,
        booked_at=timezone.now() + dt.timedelta(days=3),
    )


@pytest.fixture(params=["owner", "superuser"])
def reader(request: pytest.FixtureRequest, bea: User, owner: User) -> Client:
    """The agent's owner (staff, not a superuser), and the site's superuser."""
    return signed_in(bea if request.param == "owner" else owner)


def _call_change(call: CallLog) -> str:
    return reverse("admin:calls_calllog_change", args=[call.pk])


def test_the_list_shows_outcome_summary_contact_and_appointment(
    booked: CallLog, reader: Client
) -> None:
    page = reader.get(LIST).content.decode()
    assert "Appointment booked" in page  # the outcome, as words
    # The summary, cut to a preview: its start is there, its end is not.
    assert "Bea Brown called to book a haircut" in page
    assert "usual stylist" not in page
    contact = booked.contact
    assert contact is not None
    assert f'<a href="{reverse("admin:contacts_contact_change", args=[contact.pk])}">' in page
    appointment = booked.appointments.get()
    appointment_url = reverse("admin:appointments_appointment_change", args=[appointment.pk])
    assert f'<a href="{appointment_url}">Haircut, ' in page
    assert "$0.1235" in page  # the cost in dollars


def test_the_list_costs_the_same_queries_for_one_call_or_many(
    salon: Agent, bea: User, owner: User
) -> None:
    """Contacts and agents are joined, appointments prefetched: no query per row."""

    def queries(client: Client) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LIST)
        assert response.status_code == 200
        return len(captured)

    start = timezone.now() + dt.timedelta(days=2)
    finished_call(salon, caller="Ann", email="ann@example.com", summary="Ann.", booked_at=start)
    owner_client, superuser_client = signed_in(bea), signed_in(owner)
    one = queries(owner_client), queries(superuser_client)
    for n in range(1, 8):
        finished_call(
            salon,
            caller=f"Caller {n}",
            email=f"caller{n}@example.com",
            summary=f"Caller {n} booked.",
            started=timezone.now() - dt.timedelta(hours=n + 1),
            booked_at=start + dt.timedelta(hours=n),
        )
    many = queries(owner_client), queries(superuser_client)
    assert CallLog.objects.count() == 8
    assert many == one


def test_the_call_page_reads_as_a_report(booked: CallLog, reader: Client) -> None:
    page = reader.get(_call_change(booked)).content.decode()
    for heading in ["Outcome", "Caller", "Conversation", "Usage and cost"]:
        assert f">{heading}</h2>" in page
    # Captured info, the structured summary and the usage read as tables, not JSON.
    assert "<th scope='row'>Name</th><td>Bea Brown</td>" in page
    assert "<th scope='row'>Email</th><td>bea.brown@example.com</td>" in page
    assert "<th scope='row'>Phone</th><td>+447700900123</td>" in page
    assert "<th scope='row'>Caller wanted</th><td>Book a haircut</td>" in page
    assert "<li>Confirm the stylist</li><li>Send a reminder</li>" in page
    assert "<th scope='row'>Text</th><td>2,345</td><td>1,024</td><td>310</td>" in page
    assert "<th scope='row'>Audio</th><td>1,200</td><td>64</td><td>900</td>" in page
    assert "4,755 tokens in all, 4 responses" in page
    assert "$0.1235" in page and "$0.0004" in page
    assert "input_audio_tokens" not in page and "&quot;email&quot;" not in page
    # The contact and the appointment are links.
    contact = booked.contact
    assert contact is not None
    assert reverse("admin:contacts_contact_change", args=[contact.pk]) in page
    appointment = booked.appointments.get()
    assert reverse("admin:appointments_appointment_change", args=[appointment.pk]) in page
    assert "(Confirmed)" in page
    # The conversation is still there, in order, with its tool.
    assert page.index("Hello, salon here.") < page.index("Tool: book_appointment")


def test_a_call_with_nothing_captured_says_so(salon: Agent, bea: User) -> None:
    call = CallLog.objects.create(agent=salon, channel="web", engine="offline")
    page = signed_in(bea).get(_call_change(call)).content.decode()
    assert "Nothing was captured." in page
    assert "No usage was recorded." in page
    assert "None in this call." in page
    assert "$0.0000" in page


def test_the_list_finds_calls_by_what_was_said(booked: CallLog, reader: Client) -> None:
    assert "hello" not in booked.summary.lower()  # only the agent's greeting says it
    call_search_documents_update(call_ids=[str(booked.pk)])  # as the end of the call does
    response = reader.get(LIST, {"q": "hello"})
    assert list(response.context["cl"].result_list) == [booked]
    assert reader.get(LIST, {"q": "helicopter"}).context["cl"].result_count == 0


def test_the_list_filters_calls_by_their_tools(booked: CallLog, salon: Agent, bea: User) -> None:
    failed = finished_call(salon, caller="Cy", email="cy@example.com", summary="Cy.")
    ToolInvocation.objects.create(
        call=failed, seq=9, name="check_availability", ok=False, latency_ms=5
    )
    quiet = CallLog.objects.create(agent=salon, channel="web", engine="offline")
    client = signed_in(bea)

    def shown(which: str) -> set[CallLog]:
        return set(client.get(LIST, {"tools": which}).context["cl"].result_list)

    assert shown("failed") == {failed}
    assert shown("used") == {booked}
    assert shown("none") == {quiet}
    assert "A tool failed" in client.get(LIST).content.decode()


def test_another_owner_sees_none_of_it(booked: CallLog) -> None:
    other = signed_in(business_owner("olga"))
    response = other.get(LIST)
    assert response.context["cl"].result_count == 0
    assert "Bea Brown" not in response.content.decode()
    assert other.get(_call_change(booked)).status_code in (302, 404)
    assert other.get(LIST, {"q": "haircut"}).context["cl"].result_count == 0


def test_summaries_are_escaped_in_the_list(salon: Agent, bea: User) -> None:
    finished_call(salon, caller="Eve", email="eve@example.com", summary="<script>x</script>")
    page = signed_in(bea).get(LIST).content.decode()
    assert "<script>x</script>" not in page
    assert html.escape("<script>x</script>") in page
