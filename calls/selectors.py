"""Reads of call logs, scoped to who is asking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from agents.models import Agent
from calls.models import CallLog, CallStatus, ToolInvocation, TranscriptTurn
from calls.realtime.config import AgentSnapshot
from calls.realtime.hooks import ResumedCall
from calls.summary import CallRecord, Tool
from calls.tool_registry import declarations_for, tool_filler
from voiceagent.selectors import owned_by

if TYPE_CHECKING:
    from outbound.selectors import OutboundCallContext


def calls_for_user(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[CallLog]:
    calls = CallLog.objects.select_related("agent", "contact")
    return owned_by(calls, user=user, owner_lookup="agent__owner")


@dataclass(frozen=True)
class ConversationEntry:
    """A transcript turn or a tool invocation, in the order they happened."""

    seq: int
    kind: str  # "turn" or "tool"
    turn: TranscriptTurn | None = None
    tool: ToolInvocation | None = None

    @property
    def started_ms(self) -> Any:
        item = self.turn or self.tool
        return item.started_ms if item else None


def call_conversation(*, call: CallLog) -> list[ConversationEntry]:
    """The call's transcript with tool invocations inline, ordered by ``seq``."""
    entries = [ConversationEntry(seq=t.seq, kind="turn", turn=t) for t in call.turns.all()]
    entries += [
        ConversationEntry(seq=t.seq, kind="tool", tool=t) for t in call.tool_invocations.all()
    ]
    # A turn and a tool call never share a seq in practice; turns first if they do.
    entries.sort(key=lambda entry: (entry.seq, entry.kind != "turn"))
    return entries


KNOWN_CALLER_LABELS = {"name": "name", "email": "email address", "phone": "phone number"}


def known_caller_note(known_caller: dict[str, str]) -> str:
    """What the instructions say of a caller the website already knows."""
    facts = [
        f"{label}: {known_caller[key]}"
        for key, label in KNOWN_CALLER_LABELS.items()
        if known_caller.get(key)
    ]
    if not facts:
        return ""
    return (
        "\n\nThe caller is signed in on the website, which gave their "
        + "; ".join(facts)
        + ". Do not ask for these again; use them when saving a contact or booking."
    )


def call_facts(*, agent: Agent, phone: bool) -> frozenset[str]:
    """What a call can do, for the tools that need it (``tool_registry.register(requires=)``):
    ``phone`` (a phone line, which can be hung up and transferred) and
    ``transfer_number`` (the agent has somewhere to transfer to)."""
    facts = {"phone"} if phone else set()
    if agent.transfer_number:
        facts.add("transfer_number")
    return frozenset(facts)


def agent_snapshot(
    *,
    agent: Agent,
    default_model: str,
    known_caller: dict[str, str] | None = None,
    phone: bool = False,
    outbound: OutboundCallContext | None = None,
) -> AgentSnapshot:
    """A frozen copy of what a call needs from its agent (and, for a caller the website
    vouched for, what it said of them); ``phone``: the call is on a phone line;
    ``outbound``: the agent placed the call (its greeting and what it knows of the
    person it calls replace the inbound greeting; no beep)."""
    if outbound is not None:
        greeting, note = outbound.greeting, outbound.note
    else:
        greeting, note = agent.greeting, known_caller_note(known_caller or {})
    tools = declarations_for(list(agent.enabled_tools or []), call_facts(agent=agent, phone=phone))
    return AgentSnapshot(
        agent_id=agent.pk,
        public_id=agent.public_id,
        name=agent.name,
        greeting=greeting,
        greeting_cacheable=outbound is None,
        instructions=agent.instructions + note,
        voice=agent.voice,
        model=agent.realtime_model or default_model,
        language=agent.language,
        timezone=agent.timezone,
        region=agent.phone_region,
        locale=agent.locale,
        owner_id=agent.owner_id,
        calendar_connected=agent.calendar_connection_id is not None,
        turn_detection=agent.turn_detection,
        vad_threshold=agent.vad_threshold,
        vad_prefix_padding_ms=agent.vad_prefix_padding_ms,
        vad_silence_duration_ms=agent.vad_silence_duration_ms,
        vad_eagerness=agent.vad_eagerness,
        interrupt_response=agent.interrupt_response,
        noise_reduction=agent.noise_reduction,
        max_call_seconds=agent.max_call_seconds,
        idle_seconds=agent.idle_seconds,
        tools=tools,
        tool_fillers=tuple(
            (tool.name, tool_filler(tool.name)) for tool in tools if tool_filler(tool.name)
        ),
        record_calls=agent.record_calls,
        recording_notice=agent.recording_notice.strip() if agent.record_calls else "",
        transfer_number=agent.transfer_number,
        transfer_mode=agent.transfer_mode,
        connection_beep=phone and agent.connection_beep and outbound is None,
    )


RESUME_HISTORY_TURNS = 40


def call_resume_state(*, call_id: str) -> ResumedCall:
    """What a session that takes a call back from an unanswered transfer starts from."""
    call = CallLog.objects.get(pk=call_id)
    turns = list(
        TranscriptTurn.objects.filter(call=call)
        .exclude(text="")
        .order_by("-seq")
        .values_list("seq", "role", "text")[:RESUME_HISTORY_TURNS]
    )
    last_tool = (
        ToolInvocation.objects.filter(call=call)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    last_seq = max([turns[0][0] if turns else 0, last_tool or 0])
    who = call.transfer_target or "the team"
    return ResumedCall(
        last_seq=last_seq,
        elapsed_ms=(call.duration_seconds or 0) * 1000,
        history=tuple(
            (role, text) for _, role, text in reversed(turns) if role in ("user", "assistant")
        ),
        note=f"You tried to put the caller through to a person ({who}), but nobody took the "
        f"call ({call.transfer_error or 'no answer'}). The caller is back with you now: tell "
        "them briefly that nobody could take the call, then offer to help further or to "
        "take a message.",
    )


def live_call_count(*, agent: Agent) -> int:
    """Calls of the agent still connecting or active. Rows older than the longest
    possible call are ignored, so that a crashed process cannot block the agent."""
    oldest = timezone.now() - dt.timedelta(seconds=agent.max_call_seconds + 120)
    return CallLog.objects.filter(
        agent=agent,
        status__in=[CallStatus.CONNECTING, CallStatus.ACTIVE],
        started_at__gte=oldest,
    ).count()


AgentResolver = Callable[[str], Agent | None]
"""Finds the agent that one of our phone numbers (E.164) routes to, or None: the hook for
routing by number, passed to ``provider_call_agent`` by whoever owns the numbers."""


def provider_call_agent(
    *,
    channel: str,
    provider_call_id: str,
    agent_public_id: str = "",
    our_number: str = "",
    agent_resolver: AgentResolver | None = None,
) -> Agent | None:
    """The agent a provider's call belongs to, for its status callbacks; None when
    nothing says. In order:

    (a) the agent of the call's log, if it has one;
    (b) the agent named by the callback's URL (``/<provider>/status/<agent public id>/``),
        active or not: a number still pointing at a paused agent still belongs to it;
    (c) ``agent_resolver(our_number)``, where ``our_number`` is our side of the call
        (the called number of an inbound call, the caller of an outbound one): the
        hook for routing by phone number.
    """
    if provider_call_id:
        call = (
            CallLog.objects.select_related("agent")
            .filter(channel=channel, provider_call_id=provider_call_id[:64])
            .first()
        )
        if call is not None:
            return call.agent
    if agent_public_id:
        agent = Agent.objects.filter(public_id=agent_public_id).first()
        if agent is not None:
            return agent
    if agent_resolver is not None and our_number:
        return agent_resolver(our_number)
    return None


def call_record(*, call: CallLog) -> CallRecord:
    """What the call's summary is made from: the conversation in order, with its tools."""
    turns: list[tuple[str, str]] = []
    tools: list[Tool] = []
    for entry in call_conversation(call=call):
        if entry.turn is not None:
            turns.append((entry.turn.role, entry.turn.text))
        elif entry.tool is not None:
            invocation = entry.tool
            tools.append(
                Tool(
                    name=invocation.name,
                    ok=invocation.ok,
                    arguments=invocation.arguments or {},
                    result=invocation.result or {},
                )
            )
            outcome = "ok" if invocation.ok else "failed"
            turns.append(("tool", f"{invocation.name} ({outcome})"))
    return CallRecord(
        turns=tuple(turns),
        tools=tuple(tools),
        user_info=call.user_info or {},
        end_reason=call.end_reason,
        duration_seconds=call.duration_seconds or 0,
        agent_name=call.agent.name,
        language=call.agent.language,
    )


def calls_search(calls: QuerySet[CallLog], *, text: str) -> QuerySet[CallLog]:
    """Calls whose transcript has ``text``: on PostgreSQL every word of it, anywhere in
    the call (full-text search, "simple" configuration, on the document written when the
    call ends); elsewhere the text as a substring of one turn."""
    from django.db import connection
    from django.db.models import Exists, OuterRef

    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery

        return calls.filter(search_document=SearchQuery(text, config="simple", search_type="plain"))
    turns = TranscriptTurn.objects.filter(call=OuterRef("pk"), text__icontains=text)
    return calls.filter(Exists(turns))


def calls_by_tools(calls: QuerySet[CallLog], *, which: str) -> QuerySet[CallLog]:
    """Calls by what their tools did: ``failed`` (at least one tool failed), ``used``
    (tools ran, none failed) or ``none`` (no tool ran)."""
    from django.db.models import Exists, OuterRef

    tools = ToolInvocation.objects.filter(call=OuterRef("pk"))
    if which == "failed":
        return calls.filter(Exists(tools.filter(ok=False)))
    if which == "used":
        return calls.filter(Exists(tools)).exclude(Exists(tools.filter(ok=False)))
    if which == "none":
        return calls.exclude(Exists(tools))
    raise ValueError(f"Unknown tool filter {which!r}.")


def transcript_plain_text(*, call: CallLog, turns: list[TranscriptTurn]) -> str:
    """The transcript as a reader wants it: one line per turn, who and when."""
    lines = [f"Call {call.pk} with {call.agent.name}, {call.started_at:%Y-%m-%d %H:%M} UTC"]
    for turn in turns:
        at = f"{(turn.started_ms or 0) // 60000:02d}:{(turn.started_ms or 0) // 1000 % 60:02d}"
        who = {"user": "Caller", "assistant": "Agent"}.get(turn.role, turn.role.title())
        cut = " [interrupted]" if turn.interrupted else ""
        lines.append(f"[{at}] {who}: {turn.text}{cut}")
    return "\n".join(lines) + "\n"


# (CSV header, the call's field): one list, so the header and the values cannot drift.
CSV_FIELDS = (
    ("id", "pk"),
    ("agent", "agent__public_id"),
    ("channel", "channel"),
    ("direction", "direction"),
    ("status", "status"),
    ("started_at", "started_at"),
    ("ended_at", "ended_at"),
    ("duration_seconds", "duration_seconds"),
    ("end_reason", "end_reason"),
    ("outcome", "outcome"),
    ("caller_number", "caller_number"),
    ("contact_name", "contact__name"),
    ("contact_email", "contact__email"),
    ("contact_phone", "contact__phone"),
    ("summary", "summary"),
    ("cost_usd", "cost_usd"),
)
CSV_COLUMNS = tuple(header for header, _ in CSV_FIELDS)
# A phone number's leading + is not a formula; every other text cell is checked.
_PHONE_COLUMN = CSV_COLUMNS.index("caller_number")


CSV_ROWS_PER_WRITE = 200


def calls_csv_rows(*, calls: QuerySet[CallLog], chunk: int = 2000) -> Iterator[str]:
    """The calls as CSV lines, read in chunks through a server-side cursor where the
    database has one: memory stays flat whatever the number of calls."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    rows = calls.values_list(*(field for _, field in CSV_FIELDS))
    pending = 0
    for row in rows.iterator(chunk_size=chunk):
        # Times as ISO 8601.
        values = [
            value.isoformat() if isinstance(value, dt.datetime) else "" if value is None else value
            for value in row
        ]
        # A cell starting with = + - @ is a formula to spreadsheets: quote it as text.
        values = [
            f"'{v}"
            if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") and i != _PHONE_COLUMN
            else v
            for i, v in enumerate(values)
        ]
        writer.writerow(values)
        pending += 1
        if pending == CSV_ROWS_PER_WRITE:  # fewer, larger writes to the client
            yield flush()
            pending = 0
    if pending:
        yield flush()
