"""A call's page: the conversation in order with tools and knowledge lookups, what was
captured, summary, outcome, cost, links to the admin, the recording; owners only."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from appointments.models import Appointment
from calls.models import CallLog, ToolInvocation, TranscriptTurn
from calls.realtime.wav import wav_header
from calls.recordings import recording_token_call_id
from calls.tool_registry import REGISTRY
from contacts.models import Contact
from dashboard.selectors import KNOWLEDGE_TOOL, call_timeline
from dashboard.tests.conftest import Cast, add_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(cast: Cast) -> CallLog:
    """Ada asks about parking (a knowledge lookup), interrupts the agent, books."""
    contact = Contact.objects.create(owner=cast.alice, name="Ada Lovelace", email="ada@example.com")
    call = add_call(
        cast,
        cast.front,
        timezone.now() - dt.timedelta(hours=1),
        outcome="appointment_booked",
        duration=154,
        cost=Decimal("0.123456"),
        summary_cost=Decimal("0.000321"),
        contact=contact,
        caller_turns=0,
        latencies=(),
        appointment="confirmed",
    )
    call.summary = "Ada asked about parking and booked a consultation."
    call.summary_data = {"caller_intent": "Book a consultation", "sentiment": "positive"}
    call.latency_p50_ms, call.latency_p95_ms = 640, 1210
    call.save()
    turns = [
        (1, "assistant", "Hello, Front desk here.", None, False),
        (2, "user", "Is there parking? <b>bold</b>", None, False),
        (4, "assistant", "Yes, there is free parking behind the building, and", 712, True),
        (5, "user", "Great, book me in.", None, False),
        (7, "assistant", "Done: Tuesday at ten.", 1234, False),
    ]
    for seq, role, text, latency, interrupted in turns:
        TranscriptTurn.objects.create(
            call=call, seq=seq, role=role, text=text, latency_ms=latency, interrupted=interrupted
        )
    ToolInvocation.objects.create(
        call=call,
        seq=3,
        function_call_id="kb-1",
        name=KNOWLEDGE_TOOL,
        arguments={"query": "parking"},
        result={
            "ok": True,
            "passages": [
                {"source": "Visitor FAQ", "section": "Parking", "text": "…", "score": 0.83},
                {"source": "Opening hours", "section": "", "text": "…", "score": 0.41},
            ],
        },
        ok=True,
        latency_ms=38,
    )
    ToolInvocation.objects.create(
        call=call,
        seq=6,
        function_call_id="book-1",
        name="schedule_appointment",
        arguments={"service": "Consultation"},
        result={"ok": True},
        ok=True,
        latency_ms=95,
    )
    return call


def test_the_knowledge_tool_is_the_registered_one() -> None:
    assert KNOWLEDGE_TOOL in REGISTRY


def test_the_conversation_reads_in_order_with_tools_inline(
    booked: CallLog, alice_client: Client
) -> None:
    response = alice_client.get(reverse("dashboard:call", args=[booked.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    order = [
        "Hello, Front desk here.",
        "Is there parking? &lt;b&gt;bold&lt;/b&gt;",  # escaped, never markup
        "Knowledge base</strong>: “parking”",
        "Visitor FAQ — Parking",
        "Opening hours",
        "Yes, there is free parking",
        "Great, book me in.",
        "Tool: schedule_appointment",
        "Done: Tuesday at ten.",
    ]
    positions = [page.index(text) for text in order]
    assert positions == sorted(positions)
    assert "<b>bold</b>" not in page
    assert "2 passages" in page
    assert page.count(">interrupted</span>") == 1
    assert "answered in 712 ms" in page and "answered in 1234 ms" in page
    assert [entry.kind for entry in call_timeline(call=booked)] == [
        "turn", "turn", "knowledge", "turn", "turn", "tool", "turn",
    ]  # fmt: skip


def test_the_call_facts_and_admin_links(booked: CallLog, alice_client: Client) -> None:
    page = alice_client.get(reverse("dashboard:call", args=[booked.pk])).content.decode()
    appointment = Appointment.objects.get(call=booked)
    assert booked.contact is not None
    for url in [
        reverse("admin:calls_calllog_change", args=[booked.pk]),
        reverse("admin:contacts_contact_change", args=[booked.contact.pk]),
        reverse("admin:appointments_appointment_change", args=[appointment.pk]),
    ]:
        assert f'href="{url}"' in page
    assert '<dd id="call-outcome">Appointment booked</dd>' in page
    assert '<dd id="call-end-reason">Caller ended the call</dd>' in page
    assert '<dd id="call-cost">$0.123777</dd>' in page
    assert "Ada asked about parking and booked a consultation." in page
    assert "Book a consultation" in page
    assert "ada@example.com" in page
    assert "p50 640 ms · p95 1210 ms" in page
    assert "Europe/London" in page


def test_the_recording_plays_when_there_is_one(booked: CallLog, alice_client: Client) -> None:
    url = reverse("dashboard:call", args=[booked.pk])
    assert "<audio" not in alice_client.get(url).content.decode()
    wav = wav_header(sample_rate=8000, frames=800) + bytes(3200)
    booked.recording.save(f"{booked.pk}.wav", ContentFile(wav), save=True)
    page = alice_client.get(url).content.decode()
    found = re.search(r'<audio controls preload="none" src="(/calls/recordings/[^"]+/)">', page)
    assert found, page
    # The signed link names this call (playing it: calls/tests/test_recording_links.py).
    assert recording_token_call_id(found.group(1).split("/")[-2]) == str(booked.pk)


def test_another_owners_call_is_not_found(booked: CallLog, cast: Cast) -> None:
    client = Client()
    client.force_login(cast.bob)
    assert client.get(reverse("dashboard:call", args=[booked.pk])).status_code == 404
    assert client.get(reverse("dashboard:call", args=[uuid.uuid4()])).status_code == 404
    root = Client()
    root.force_login(cast.root)
    assert root.get(reverse("dashboard:call", args=[booked.pk])).status_code == 200


def test_a_live_call_offers_to_hang_up(cast: Cast, alice_client: Client) -> None:
    live = add_call(cast, cast.front, timezone.now(), status="active")
    page = alice_client.get(reverse("dashboard:call", args=[live.pk])).content.decode()
    assert reverse("dashboard:call-hang-up", args=[live.pk]) in page
    assert "csrfmiddlewaretoken" in page


def test_stored_results_of_any_shape_are_shown(cast: Cast, alice_client: Client) -> None:
    """Tool results are stored as they were: odd shapes never break the page."""
    call = add_call(cast, cast.front, timezone.now(), caller_turns=0, latencies=())
    for seq, result in enumerate([{"passages": "none"}, {"passages": [1, {"source": None}]}, []]):
        ToolInvocation.objects.create(
            call=call,
            seq=seq + 1,
            name=KNOWLEDGE_TOOL,
            arguments={} if seq else {"query": None},
            result=result,
            ok=False,
            error="timed out",
            latency_ms=8000,
        )
    response = alice_client.get(reverse("dashboard:call", args=[call.pk]))
    assert response.status_code == 200
    assert "Untitled source" in response.content.decode()
