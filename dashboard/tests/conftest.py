"""A realistic cast for the dashboard: two owners, three agents in two time zones, and
calls over two weeks with every status, outcome and end reason, turns with latencies,
tool invocations, contacts (some returning) and appointments (some failed)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from agents.models import Agent
from appointments.models import Appointment, AppointmentStatus
from calls.models import (
    CallLog,
    CallStatus,
    EndReason,
    Outcome,
    ToolInvocation,
    TranscriptTurn,
)
from contacts.models import Contact

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")

ENDS = {
    CallStatus.COMPLETED: [
        EndReason.CLIENT_ENDED,
        EndReason.AGENT_ENDED,
        EndReason.IDLE_TIMEOUT,
        EndReason.MAX_DURATION,
        EndReason.STAFF_ENDED,
    ],
    CallStatus.FAILED: [EndReason.UPSTREAM_UNAVAILABLE, EndReason.SERVER_LOST],
    CallStatus.TRANSFERRED: [EndReason.TRANSFERRED],
}
STATUSES = [CallStatus.COMPLETED] * 6 + [CallStatus.FAILED, CallStatus.TRANSFERRED]


@dataclass
class Cast:
    alice: User
    bob: User
    root: User
    front: Agent  # Alice's, London
    sales: Agent  # Alice's, London
    bobs: Agent  # Bob's, New York
    counter: list[int] = field(default_factory=lambda: [0])

    def next(self) -> int:
        self.counter[0] += 1
        return self.counter[0]


def local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=tz)


def _agent(owner: User, public_id: str, name: str, tz: str) -> Agent:
    return Agent.objects.create(
        owner=owner, public_id=public_id, name=name, timezone=tz, instructions="Be helpful."
    )


@pytest.fixture
def cast(django_user_model: type[User]) -> Cast:
    alice = django_user_model.objects.create_user(
        username="alice", email="alice@example.com", password="pw-alice-12345", is_staff=True
    )
    bob = django_user_model.objects.create_user(
        username="bob", email="bob@example.com", password="pw-bob-12345", is_staff=True
    )
    root = django_user_model.objects.create_superuser(
        username="root", email="root@example.com", password="pw-root-12345"
    )
    return Cast(
        alice=alice,
        bob=bob,
        root=root,
        front=_agent(alice, "alice-front", "Front desk", "Europe/London"),
        sales=_agent(alice, "alice-sales", "Sales line", "Europe/London"),
        bobs=_agent(bob, "bob-desk", "Bob's desk", "America/New_York"),
    )


def add_call(
    cast: Cast,
    agent: Agent,
    started_at: dt.datetime,
    *,
    status: str = CallStatus.COMPLETED,
    end_reason: str = EndReason.CLIENT_ENDED,
    outcome: str = "",
    duration: int | None = 60,
    cost: Decimal = Decimal("0.010000"),
    summary_cost: Decimal = Decimal("0.000500"),
    contact: Contact | None = None,
    caller_turns: int = 1,
    latencies: tuple[int | None, ...] = (None, 800),
    appointment: str | None = None,
    knowledge: bool = False,
) -> CallLog:
    """A call with a greeting, then caller and agent turns alternating (agent turns get
    ``latencies`` in order), and optionally a knowledge lookup and an appointment."""
    live = status in (CallStatus.CONNECTING, CallStatus.ACTIVE)
    call = CallLog.objects.create(
        agent=agent,
        channel="web",
        engine="offline",
        status=status,
        started_at=started_at,
        ended_at=None if live or duration is None else started_at + dt.timedelta(seconds=duration),
        duration_seconds=None if live else duration,
        end_reason="" if live else end_reason,
        outcome="" if live else outcome,
        cost_usd=cost,
        summary_cost_usd=summary_cost,
        contact=contact,
        user_info={"name": contact.name, "email": contact.email, "phone": None} if contact else {},
    )
    seq = 0
    agent_turns = list(latencies)
    for index in range(max(len(agent_turns), caller_turns + 1)):
        if index < len(agent_turns):
            seq += 1
            TranscriptTurn.objects.create(
                call=call,
                seq=seq,
                role="assistant",
                text=f"Agent line {index}",
                item_id=f"a{seq}",
                latency_ms=agent_turns[index],
                started_ms=seq * 1000,
            )
        if index < caller_turns:
            seq += 1
            TranscriptTurn.objects.create(
                call=call,
                seq=seq,
                role="user",
                text=f"Caller line {index}",
                item_id=f"u{seq}",
                started_ms=seq * 1000,
            )
    if knowledge:
        seq += 1
        ToolInvocation.objects.create(
            call=call,
            seq=seq,
            function_call_id=f"kb-{cast.next()}",
            name="search_knowledge_base",
            arguments={"query": "parking"},
            result={"ok": True, "passages": [{"source": "FAQ", "section": "Parking"}]},
            ok=True,
            latency_ms=40,
        )
    if appointment is not None:
        start = timezone.now() + dt.timedelta(days=30, hours=cast.next())
        Appointment.objects.create(
            agent=agent,
            contact=contact,
            call=call,
            service_name="Consultation",
            start_at=start,
            end_at=start + dt.timedelta(minutes=30),
            timezone=agent.timezone,
            status=appointment,
            idempotency_key=f"key-{cast.next()}",
        )
    return call


@pytest.fixture
def dataset(cast: Cast) -> list[CallLog]:
    """About a hundred calls over the last 14 days (in each agent's zone), seeded."""
    rng = random.Random(13)  # the same calls on every run
    contacts = {
        owner.pk: [
            Contact.objects.create(
                owner=owner, name=f"Caller {n}", email=f"c{n}-{owner.username}@example.com"
            )
            for n in range(5)
        ]
        for owner in (cast.alice, cast.bob)
    }
    calls = []
    for agent in (cast.front, cast.sales, cast.bobs):
        tz = ZoneInfo(agent.timezone)
        today = timezone.now().astimezone(tz).date()
        for back in range(14):
            for _ in range(rng.randint(0, 4)):
                started = local_midnight(today - dt.timedelta(days=back), tz) + dt.timedelta(
                    minutes=rng.randint(0, 24 * 60 - 1)
                )
                status = rng.choice(STATUSES)
                calls.append(
                    add_call(
                        cast,
                        agent,
                        started,
                        status=status,
                        end_reason=rng.choice(ENDS[status]),
                        outcome=rng.choice([*Outcome.values, ""]),
                        duration=rng.choice([None, *range(5, 900, 37)]),
                        cost=Decimal(rng.randint(0, 90000)) / 10**6,
                        summary_cost=Decimal(rng.randint(0, 900)) / 10**6,
                        contact=rng.choice([None, None, *contacts[agent.owner_id]]),
                        caller_turns=rng.choice([0, 1, 1, 2, 3]),
                        latencies=tuple(
                            rng.choice([None, rng.randint(250, 3000)])
                            for _ in range(rng.randint(1, 4))
                        ),
                        appointment=rng.choice([None, None, None, *AppointmentStatus.values]),
                        knowledge=rng.random() < 0.2,
                    )
                )
        # One call live right now.
        calls.append(
            add_call(cast, agent, timezone.now() - dt.timedelta(minutes=2), status="active")
        )
    return calls


@pytest.fixture
def alice_client(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.alice)
    return client


@pytest.fixture
def root_client(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.root)
    return client
