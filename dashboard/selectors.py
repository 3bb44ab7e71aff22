"""Reads of the dashboard: the overview's figures, a call's timeline, the live calls.

Every read starts from an owner-scoped selector (``calls.selectors.calls_for_user``,
``agents.selectors.agents_for_user``): owners see their own agents' calls, superusers
every call. Figures are aggregates computed by the database in a fixed number of
queries, whatever the number of calls (``dashboard/tests/test_overview.py`` counts
them). What each figure means: docs/dashboard.md.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connections
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from agents.models import Agent
from agents.selectors import agents_for_user
from appointments.models import Appointment, AppointmentStatus
from calls.models import (
    CallLog,
    CallStatus,
    EndReason,
    Outcome,
    Role,
    ToolInvocation,
    TranscriptTurn,
)
from calls.selectors import call_conversation, calls_for_user
from dashboard.periods import Period, overview_timezone, period_days
from dashboard.stats import percentile_cont, percentiles_by_group

logger = logging.getLogger(__name__)

User = AbstractBaseUser | AnonymousUser

KNOWLEDGE_TOOL = "search_knowledge_base"  # agents/tools.py: the knowledge retrievals
LIVE_STATUSES = (CallStatus.CONNECTING, CallStatus.ACTIVE)
RECENT_CALLS = 20


# -- The overview ---------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    calls: int
    answered: int  # calls in which the caller said or typed something (a caller turn)
    avg_duration_seconds: float | None  # over calls that have ended
    total_duration_seconds: int
    contacts: int  # distinct contacts linked to the calls
    appointments: int  # booked in the calls, unless the booking failed
    transfers: int  # calls whose status is transferred
    call_cost_usd: Decimal
    summary_cost_usd: Decimal

    @property
    def cost_usd(self) -> Decimal:
        return self.call_cost_usd + self.summary_cost_usd

    @property
    def conversion(self) -> float | None:
        """Appointments booked per answered call; None without answered calls."""
        return self.appointments / self.answered if self.answered else None


@dataclass(frozen=True)
class Latency:
    """Turn latency over agent turns: end of the caller's speech → first agent audio."""

    turns: int
    p50_ms: float | None
    p95_ms: float | None


NO_LATENCY = Latency(turns=0, p50_ms=None, p95_ms=None)


@dataclass(frozen=True)
class Day:
    day: dt.date
    calls: int
    answered: int
    latency: Latency


@dataclass(frozen=True)
class Tally:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class AgentRow:
    agent_id: int
    public_id: str
    name: str
    calls: int
    answered: int
    transfers: int
    cost_usd: Decimal


@dataclass(frozen=True)
class Overview:
    period: Period
    agent: Agent | None
    totals: Totals
    latency: Latency
    days: list[Day]
    outcomes: list[Tally]
    end_reasons: list[Tally]
    agents: list[AgentRow]  # one row per agent with calls (all agents shown only)
    recent: list[CallLog]


def dashboard_agents(*, user: User) -> QuerySet[Agent]:
    """The agents the user may filter by: their own, or every agent for superusers."""
    return agents_for_user(user=user).order_by("name", "pk")


def overview_period(
    *,
    user: User,
    agent: Agent | None,
    key: str,
    now: dt.datetime,
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> Period:
    """The days of a period choice, in the time zone of the agent shown, or of all the
    user's agents when they share one, else the server's (one query for all agents)."""
    if agent is not None:
        zones = [agent.timezone]
    else:
        zones = list(
            dashboard_agents(user=user).order_by().values_list("timezone", flat=True).distinct()
        )
    tz, source = overview_timezone(agent_timezones=zones, one_agent=agent is not None)
    first_day, last_day = period_days(
        key=key, today=now.astimezone(tz).date(), first=first, last=last
    )
    return Period(first_day=first_day, last_day=last_day, tz=tz, tz_source=source)


def calls_in_period(*, user: User, period: Period, agent: Agent | None = None) -> QuerySet[CallLog]:
    """The user's calls (of ``agent``) that started in the period."""
    calls = calls_for_user(user=user).filter(
        started_at__gte=period.start, started_at__lt=period.end
    )
    if agent is not None:
        calls = calls.filter(agent=agent)
    return calls


def _caller_spoke() -> Exists:
    return Exists(TranscriptTurn.objects.filter(call=OuterRef("pk"), role=Role.USER))


def _plain(calls: QuerySet[CallLog]) -> QuerySet[CallLog]:
    """No joins nor ordering that a GROUP BY would not need."""
    return calls.select_related(None).order_by()


@dataclass(frozen=True)
class Group:
    """The calls of one agent that started on one day of the period."""

    day: dt.date
    agent_id: int
    public_id: str
    name: str
    calls: int
    answered: int
    timed: int  # calls with a duration (ended)
    duration_seconds: int
    transfers: int
    call_cost_usd: Decimal
    summary_cost_usd: Decimal


def call_groups(*, calls: QuerySet[CallLog], period: Period) -> list[Group]:
    """The calls' counts and sums per day (in the period's zone) and agent: one query,
    at most (days times agents) rows whatever the number of calls; the totals, the days and
    the agents' rows are sums of these."""
    rows = (
        _plain(calls)
        .annotate(caller_spoke=_caller_spoke(), day=TruncDate("started_at", tzinfo=period.tz))
        .values("day", "agent", "agent__public_id", "agent__name")
        .annotate(
            n_calls=Count("pk"),
            n_answered=Count("pk", filter=Q(caller_spoke=True)),
            n_timed=Count("duration_seconds"),
            total_duration=Sum("duration_seconds"),
            n_transfers=Count("pk", filter=Q(status=CallStatus.TRANSFERRED)),
            call_cost=Sum("cost_usd"),
            summary_cost=Sum("summary_cost_usd"),
        )
    )
    return [
        Group(
            day=row["day"],
            agent_id=row["agent"],
            public_id=row["agent__public_id"],
            name=row["agent__name"],
            calls=row["n_calls"],
            answered=row["n_answered"],
            timed=row["n_timed"],
            duration_seconds=row["total_duration"] or 0,
            transfers=row["n_transfers"],
            call_cost_usd=row["call_cost"] or Decimal(0),
            summary_cost_usd=row["summary_cost"] or Decimal(0),
        )
        for row in rows
    ]


def call_captures(*, calls: QuerySet[CallLog]) -> tuple[int, int]:
    """Distinct contacts linked to the calls, and appointments booked in them unless
    the booking failed (one query)."""
    booked = [s for s in AppointmentStatus.values if s != AppointmentStatus.FAILED]
    figures = _plain(calls).aggregate(
        contacts=Count("contact", distinct=True),
        appointments=Count(
            "appointments", distinct=True, filter=Q(appointments__status__in=booked)
        ),
    )
    return figures["contacts"], figures["appointments"]


def overview_totals(*, groups: list[Group], contacts: int, appointments: int) -> Totals:
    timed = sum(group.timed for group in groups)
    duration = sum(group.duration_seconds for group in groups)
    return Totals(
        calls=sum(group.calls for group in groups),
        answered=sum(group.answered for group in groups),
        avg_duration_seconds=duration / timed if timed else None,
        total_duration_seconds=duration,
        contacts=contacts,
        appointments=appointments,
        transfers=sum(group.transfers for group in groups),
        call_cost_usd=sum((group.call_cost_usd for group in groups), Decimal(0)),
        summary_cost_usd=sum((group.summary_cost_usd for group in groups), Decimal(0)),
    )


def turn_latencies(
    *, calls: QuerySet[CallLog], period: Period
) -> tuple[Latency, dict[dt.date, Latency]]:
    """p50 and p95 of the latency of the calls' agent turns, overall and per day of the
    call's start (one query). PostgreSQL computes them (``percentile_cont`` grouped by
    ``ROLLUP(day)``: the turns stay in the database and are read once); elsewhere the
    values are read and the same interpolation is computed here."""
    latencies = (
        _plain(calls)
        .filter(turns__role=Role.ASSISTANT, turns__latency_ms__isnull=False)
        .annotate(day=TruncDate("started_at", tzinfo=period.tz))
        .values_list("day", "turns__latency_ms")
    )
    if connections[latencies.db].vendor == "postgresql":
        found = percentiles_by_group(latencies, fractions=(0.5, 0.95))
        daily = {
            day: Latency(turns=count, p50_ms=p50, p95_ms=p95)
            for day, (count, p50, p95) in found.items()
            if day is not None
        }
        count, p50, p95 = found.get(None, (0, None, None))
        return Latency(turns=count, p50_ms=p50, p95_ms=p95), daily
    values: dict[dt.date, list[int]] = defaultdict(list)
    for day, latency in latencies:
        if latency is not None:  # filtered out already; says so to the type checker
            values[day].append(latency)
    every = sorted(latency for day_values in values.values() for latency in day_values)
    return _latency(every), {day: _latency(sorted(found)) for day, found in values.items()}


def _latency(ordered: list[int]) -> Latency:
    return Latency(
        turns=len(ordered),
        p50_ms=percentile_cont(ordered, 0.5),
        p95_ms=percentile_cont(ordered, 0.95),
    )


def overview_days(
    *, groups: list[Group], period: Period, latency: dict[dt.date, Latency]
) -> list[Day]:
    """Every day of the period, those without calls included."""
    calls: dict[dt.date, int] = defaultdict(int)
    answered: dict[dt.date, int] = defaultdict(int)
    for group in groups:
        calls[group.day] += group.calls
        answered[group.day] += group.answered
    return [
        Day(
            day=day,
            calls=calls[day],
            answered=answered[day],
            latency=latency.get(day, NO_LATENCY),
        )
        for day in period.days
    ]


def _tallies(
    calls: QuerySet[CallLog], field: str, labels: dict[str, str], empty: str
) -> list[Tally]:
    rows = _plain(calls).values(field).annotate(n=Count("pk"))
    tallies = [
        Tally(value=row[field], label=labels.get(row[field], row[field]) or empty, count=row["n"])
        for row in rows
    ]
    return sorted(tallies, key=lambda tally: (-tally.count, tally.label))


def outcome_counts(*, calls: QuerySet[CallLog]) -> list[Tally]:
    """Calls per summary outcome (one query); calls not summarised yet count apart."""
    return _tallies(calls, "outcome", dict(Outcome.choices), "Not summarised yet")


def end_reason_counts(*, calls: QuerySet[CallLog]) -> list[Tally]:
    """Calls per end reason (one query); live calls have none yet."""
    return _tallies(calls, "end_reason", dict(EndReason.choices), "Not ended (live)")


def agent_rows(*, groups: list[Group]) -> list[AgentRow]:
    """The figures per agent, busiest first."""
    agents: dict[int, list[Group]] = defaultdict(list)
    for group in groups:
        agents[group.agent_id].append(group)
    rows = [
        AgentRow(
            agent_id=agent_id,
            public_id=found[0].public_id,
            name=found[0].name,
            calls=sum(group.calls for group in found),
            answered=sum(group.answered for group in found),
            transfers=sum(group.transfers for group in found),
            cost_usd=sum(
                (group.call_cost_usd + group.summary_cost_usd for group in found), Decimal(0)
            ),
        )
        for agent_id, found in agents.items()
    ]
    return sorted(rows, key=lambda row: (-row.calls, row.name))


def overview_get(*, user: User, period: Period, agent: Agent | None = None) -> Overview:
    """Everything the overview page shows, in six queries whatever the number of calls."""
    calls = calls_in_period(user=user, period=period, agent=agent)
    groups = call_groups(calls=calls, period=period)
    contacts, appointments = call_captures(calls=calls)
    latency, daily_latency = turn_latencies(calls=calls, period=period)
    return Overview(
        period=period,
        agent=agent,
        totals=overview_totals(groups=groups, contacts=contacts, appointments=appointments),
        latency=latency,
        days=overview_days(groups=groups, period=period, latency=daily_latency),
        outcomes=outcome_counts(calls=calls),
        end_reasons=end_reason_counts(calls=calls),
        agents=agent_rows(groups=groups) if agent is None else [],
        recent=list(calls.order_by("-started_at")[:RECENT_CALLS]),
    )


# -- One call ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Passage:
    """A passage a knowledge retrieval returned: its source's title and section."""

    source: str
    section: str
    score: float | None


@dataclass(frozen=True)
class TimelineEntry:
    """A transcript turn, a tool invocation, or a knowledge retrieval (the
    ``search_knowledge_base`` tool, with the query and the passages it found)."""

    seq: int
    kind: str  # "turn", "tool" or "knowledge"
    turn: TranscriptTurn | None = None
    tool: ToolInvocation | None = None
    query: str = ""
    passages: tuple[Passage, ...] = ()


def call_for_user(*, user: User, call_id: Any) -> CallLog | None:
    """The call if the user may see it (their agent's, or any for superusers)."""
    return calls_for_user(user=user).filter(pk=call_id).first()


def call_timeline(*, call: CallLog) -> list[TimelineEntry]:
    """The call's turns and tool invocations in ``seq`` order (two queries)."""
    entries: list[TimelineEntry] = []
    for entry in call_conversation(call=call):
        tool = entry.tool
        if tool is not None and tool.name == KNOWLEDGE_TOOL:
            arguments = tool.arguments if isinstance(tool.arguments, dict) else {}
            entries.append(
                TimelineEntry(
                    seq=entry.seq,
                    kind="knowledge",
                    tool=tool,
                    query=str(arguments.get("query") or ""),
                    passages=_passages(tool.result),
                )
            )
        else:
            entries.append(
                TimelineEntry(seq=entry.seq, kind=entry.kind, turn=entry.turn, tool=tool)
            )
    return entries


def _passages(result: Any) -> tuple[Passage, ...]:
    """The passages of a ``search_knowledge_base`` result; stored results are read as
    they are (the tool's shape may change), anything unexpected skipped."""
    found = result.get("passages") if isinstance(result, dict) else None
    if not isinstance(found, list):
        return ()
    passages = []
    for item in found:
        if not isinstance(item, dict):
            continue
        score = item.get("score")
        passages.append(
            Passage(
                source=str(item.get("source") or "Untitled source"),
                section=str(item.get("section") or ""),
                score=float(score) if isinstance(score, int | float) else None,
            )
        )
    return tuple(passages)


def call_appointments(*, call: CallLog) -> list[Appointment]:
    """The appointments booked in the call (one query)."""
    return list(call.appointments.order_by("start_at"))


# -- Live calls -------------------------------------------------------------------------


def live_calls(*, user: User) -> QuerySet[CallLog]:
    """The user's calls still connecting or active, oldest first."""
    return calls_for_user(user=user).filter(status__in=LIVE_STATUSES).order_by("started_at")


def live_call_row(call: CallLog) -> dict[str, Any]:
    """What the live page needs to show a call (JSON)."""
    return {
        "id": str(call.pk),
        "agent": call.agent.name,
        "channel": call.get_channel_display(),
        "status": call.status,
        "started_at": call.started_at.isoformat(),
        "caller": call.caller_number or (call.contact.name if call.contact else ""),
    }


def call_live_snapshot(*, call: CallLog) -> dict[str, Any]:
    """The call as stored so far, for a live view that opens mid-call (two queries):
    its final turns (written within a second or two), tool invocations and captured info.
    Events after this arrive through the monitor group."""
    entries = []
    for entry in call_timeline(call=call):
        if entry.turn is not None:
            entries.append(
                {
                    "kind": "turn",
                    "seq": entry.seq,
                    "role": entry.turn.role,
                    "text": entry.turn.text,
                    "item_id": entry.turn.item_id,
                    "interrupted": entry.turn.interrupted,
                    "latency_ms": entry.turn.latency_ms,
                }
            )
        elif entry.tool is not None:
            entries.append(
                {
                    "kind": entry.kind,
                    "seq": entry.seq,
                    "name": entry.tool.name,
                    "ok": entry.tool.ok,
                    "latency_ms": entry.tool.latency_ms,
                    "passages": [p.source for p in entry.passages],
                }
            )
    return {
        "kind": "snapshot",
        "call_id": str(call.pk),
        "status": call.status,
        "end_reason": call.end_reason,
        "user_info": call.user_info or {},
        "entries": entries,
    }
