"""Rows a business owner's admin shows: an owner who is staff but not a superuser, their
agent, and finished calls with a contact, a booking, usage and a summary."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils import timezone

from agents.models import Agent, Service
from appointments.models import Appointment, AppointmentStatus
from calls.models import CallLog, CallStatus, EndReason, Outcome, ToolInvocation, TranscriptTurn
from contacts.models import Contact

# What an owner of a business is given: every permission of the product's own apps,
# none of Django's users and groups.
OWNER_APPS = (
    "accounts",
    "agents",
    "appointments",
    "calls",
    "contacts",
    "notifications",
    "phone_numbers",
)

USAGE = {
    "responses": 4,
    "input_text_tokens": 2345,
    "input_audio_tokens": 1200,
    "cached_text_tokens": 1024,
    "cached_audio_tokens": 64,
    "output_text_tokens": 310,
    "output_audio_tokens": 900,
    "total_tokens": 4755,
}


def business_owner(username: str) -> User:
    user = User.objects.create_user(
        username=username,
        email=f"{username}@example.com",
        password="not-used-in-tests-1",
        is_staff=True,
    )
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=OWNER_APPS))
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def owner_agent(owner: User, *, name: str, public_id: str) -> Agent:
    agent = Agent.objects.create(
        owner=owner,
        name=name,
        public_id=public_id,
        instructions="Answer questions about the salon and book appointments.",
        timezone="Europe/London",
    )
    Service.objects.create(agent=agent, name="Haircut", duration_minutes=45)
    return agent


def finished_call(
    agent: Agent,
    *,
    caller: str,
    email: str,
    summary: str,
    started: dt.datetime | None = None,
    booked_at: dt.datetime | None = None,
    outcome: str = Outcome.APPOINTMENT_BOOKED,
) -> CallLog:
    """A finished web call in which ``caller`` gave their details and (with
    ``booked_at``) booked a haircut; with its transcript, a tool call and usage."""
    started = started or timezone.now() - dt.timedelta(hours=1)
    contact, _ = Contact.objects.get_or_create(
        owner=agent.owner, email=email, defaults={"name": caller, "agent": agent}
    )
    call = CallLog.objects.create(
        agent=agent,
        channel="web",
        engine="offline",
        status=CallStatus.COMPLETED,
        started_at=started,
        ended_at=started + dt.timedelta(seconds=95),
        duration_seconds=95,
        end_reason=EndReason.CLIENT_ENDED,
        contact=contact,
        user_info={"name": caller, "email": email, "phone": "+447700900123"},
        usage=USAGE,
        cost_usd=Decimal("0.123456"),
        summary_cost_usd=Decimal("0.000420"),
        summary=summary,
        outcome=outcome,
        summary_data={
            "summary": summary,
            "caller_intent": "Book a haircut",
            "outcome": outcome,
            "follow_up_actions": ["Confirm the stylist", "Send a reminder"],
            "sentiment": "positive",
            "language": "en",
        },
        summary_status="done",
        summary_model="extractive",
    )
    TranscriptTurn.objects.create(call=call, seq=1, role="assistant", text="Hello, salon here.")
    TranscriptTurn.objects.create(
        call=call, seq=2, role="user", text=f"I'm {caller}, can I book a haircut?"
    )
    ToolInvocation.objects.create(
        call=call,
        seq=3,
        name="book_appointment",
        arguments={"service": "Haircut"},
        result={"ok": True},
        ok=True,
        latency_ms=40,
    )
    if booked_at is not None:
        Appointment.objects.create(
            agent=agent,
            contact=contact,
            call=call,
            service_name="Haircut",
            start_at=booked_at,
            end_at=booked_at + dt.timedelta(minutes=45),
            timezone="Europe/London",
            status=AppointmentStatus.CONFIRMED,
            idempotency_key=uuid.uuid4().hex,
        )
    return call
