"""Writes to call logs."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import hashlib
import hmac
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from agents.models import Agent
from agents.selectors import agent_get_active
from calls.groups import control_group
from calls.models import (
    CallLog,
    CallStatus,
    Channel,
    Direction,
    EndReason,
    ServerInstance,
    SummaryStatus,
    ToolInvocation,
    TranscriptTurn,
    TransferStatus,
)
from calls.processes import same_process_alive
from calls.realtime.hooks import CallOutcome, ToolRecord, TurnRecord
from calls.realtime.recording import RecordedCall
from calls.realtime.text import storable_json, storable_text
from calls.selectors import AgentResolver, call_record, live_call_count, provider_call_agent
from calls.summary import (
    EXTRACTIVE_MODEL,
    Summary,
    SummaryUnavailable,
    extractive_summary,
    model_summary,
)
from calls.web_sessions import WebSessionGrant, web_session_claim, web_session_grant
from contacts.models import Contact
from contacts.services import ContactChanges, contact_upsert
from notifications.services import call_followups_enqueue
from voiceagent.background import after_commit

logger = logging.getLogger(__name__)


def call_logs_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Deletes call logs (with their transcripts) older than their agent's retention,
    and their recordings' files once that has committed.

    Agents with ``retention_days = 0`` keep their calls forever. No call lasts
    longer than a day (``max_call_seconds`` is at most four hours), so nothing
    older than a retention period of a day or more can still be live. Returns the
    number of call logs deleted.
    """
    now = now or timezone.now()
    deleted_total = 0
    retention_by_agent = Agent.objects.filter(retention_days__gt=0).values_list(
        "id", "retention_days"
    )
    for agent_id, retention_days in retention_by_agent:
        cutoff = now - dt.timedelta(days=retention_days)
        expired = CallLog.objects.filter(agent_id=agent_id, started_at__lt=cutoff)
        with transaction.atomic():
            files = list(expired.exclude(recording="").values_list("recording", flat=True))
            _, per_model = expired.delete()
            if files:
                # After commit: a rolled-back purge keeps its recordings.
                transaction.on_commit(functools.partial(_recording_files_delete, files))
        count = per_model.get(CallLog._meta.label, 0)
        if count:
            logger.info("Purged %d call logs of agent %s", count, agent_id)
        deleted_total += count
    return deleted_total


def _recording_files_delete(names: list[str]) -> None:
    storage = CallLog._meta.get_field("recording").storage
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            logger.exception("Deleting the recording %s failed", name)
    logger.info("Deleted %d recordings of purged calls", len(names))


def call_recording_store(*, call_id: str, recording: RecordedCall) -> str:
    """Saves a finished call's recording (a WAV file, closed here whatever happens)
    through the storage API and names it on the call log. Returns its name, "" when
    the call log is gone (the file is not kept then).

    Runs in a recordings thread (``calls.recordings``), never the shared database
    thread: with S3-compatible storage the write is an upload.
    """
    with recording.file:
        call = CallLog.objects.filter(pk=call_id).only("pk", "recording").first()
        if call is None:
            return ""
        call.recording.save(
            f"{call.pk}.wav", File(recording.file, name=f"{call.pk}.wav"), save=False
        )
    name = call.recording.name or ""
    try:
        # An UPDATE of the one field: the summary may be being written at the same time.
        named = CallLog.objects.filter(pk=call_id).update(recording=name, updated_at=timezone.now())
    except Exception:
        call.recording.storage.delete(name)  # a file no call log names is never purged
        raise
    if not named:
        call.recording.storage.delete(name)  # purged meanwhile
        return ""
    return name


def call_log_start(
    *,
    call_id: str,
    agent: Agent,
    channel: str,
    engine: str,
    realtime_model: str,
    caller_ip: str = "",
    caller_number: str = "",
    called_number: str = "",
    provider_call_id: str = "",
    provider_stream_id: str = "",
    server_instance: str | None = None,
    user_info: dict[str, str] | None = None,
    metadata: dict[str, Any] | None = None,
    direction: str = Direction.INBOUND,
) -> CallLog:
    """Creates the call's row (status ``connecting``) when the socket is accepted;
    ``server_instance`` is the process that runs it (closed as an orphan if it dies)."""
    return CallLog.objects.create(
        id=call_id,
        server_instance=server_instance,
        agent=agent,
        channel=channel,
        direction=direction,
        provider_call_id=provider_call_id[:64],
        provider_stream_id=provider_stream_id[:64],
        engine=engine,
        realtime_model=realtime_model,
        caller_ip_hash=caller_ip_hash(caller_ip) if caller_ip else "",
        caller_number=caller_number[:20],
        called_number=called_number[:20],
        user_info=storable_json(user_info or {}),
        metadata=storable_json(metadata or {}),
    )


def caller_ip_hash(ip: str) -> str:
    """A keyed hash, so that calls from one address can be grouped without storing it."""
    return hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()


def call_log_activate(*, call_id: str) -> None:
    CallLog.objects.filter(pk=call_id, status=CallStatus.CONNECTING).update(
        status=CallStatus.ACTIVE, updated_at=timezone.now()
    )


def call_log_user_info_update(*, call_id: str, user_info: dict[str, Any]) -> None:
    CallLog.objects.filter(pk=call_id).update(
        user_info=storable_json(user_info), updated_at=timezone.now()
    )


def call_log_contact_link(*, call_id: str, contact_id: int) -> None:
    """Records who the caller is on the call's row."""
    CallLog.objects.filter(pk=call_id).update(contact_id=contact_id, updated_at=timezone.now())


@transaction.atomic
def call_contact_save(
    *,
    call_id: str,
    owner_id: int,
    agent_id: int | None,
    changes: ContactChanges,
    contact_id: int | None = None,
) -> tuple[Contact, bool]:
    """Saves the caller of a call as a contact (``contacts.services.contact_upsert``) and
    links the call to it, in one transaction. Returns (contact, created)."""
    contact, created = contact_upsert(
        owner_id=owner_id,
        agent_id=agent_id,
        changes=changes,
        call_id=call_id,
        contact_id=contact_id,
    )
    call_log_contact_link(call_id=call_id, contact_id=contact.pk)
    return contact, created


def transcript_turns_save(*, call_id: str, turns: list[TurnRecord]) -> None:
    """Inserts or updates a batch of turns in one query (a turn may be re-sent when a
    barge-in marks it interrupted)."""
    TranscriptTurn.objects.bulk_create(
        [
            TranscriptTurn(
                call_id=call_id,
                seq=turn.seq,
                role=turn.role,
                text=storable_text(turn.text),
                item_id=storable_text(turn.item_id[:64]),
                started_ms=turn.started_ms,
                interrupted=turn.interrupted,
                latency_ms=turn.latency_ms,
            )
            for turn in turns
        ],
        update_conflicts=True,
        unique_fields=["call", "seq"],
        update_fields=["text", "interrupted", "started_ms", "latency_ms"],
    )


def tool_invocation_record(*, call_id: str, record: ToolRecord) -> ToolInvocation:
    return ToolInvocation.objects.create(
        call_id=call_id,
        seq=record.seq,
        function_call_id=storable_text(record.function_call_id[:64]),
        name=storable_text(record.name[:64]),
        arguments=storable_json(record.arguments),
        result=storable_json(record.result),
        ok=record.ok,
        error=storable_text(record.error),
        latency_ms=record.latency_ms,
        started_ms=record.started_ms,
    )


@transaction.atomic
def call_log_finish(*, call_id: str, outcome: CallOutcome) -> None:
    """Records how the call ended; a call that already ended keeps its first outcome."""
    call = CallLog.objects.select_for_update().get(pk=call_id)
    if not call.is_live and call.end_reason != EndReason.SERVER_LOST:
        # Ended already. A call closed as an orphan while its process still ran (a
        # heartbeat lost to a database outage) takes its real outcome.
        return
    ended_at = timezone.now()
    usage, cost, duration = outcome.usage, Decimal(str(outcome.cost_usd)), outcome.duration_seconds
    if call.transfer_status == TransferStatus.NO_ANSWER and call.duration_seconds is not None:
        # The caller came back from a transfer nobody answered: one call, two sessions.
        duration += call.duration_seconds
        cost += call.cost_usd
        usage = usage_sum(call.usage or {}, usage)
    call.status = outcome.status
    call.end_reason = outcome.end_reason
    call.ended_at = max(ended_at, call.started_at)
    call.duration_seconds = duration
    call.usage = usage
    call.cost_usd = cost
    call.user_info = storable_json(outcome.user_info)
    call.error_message = storable_text(outcome.error_message[:1000])
    call.latency_p50_ms = outcome.latency_p50_ms
    call.latency_p95_ms = outcome.latency_p95_ms
    call.save(
        update_fields=[
            "status",
            "end_reason",
            "ended_at",
            "duration_seconds",
            "usage",
            "cost_usd",
            "user_info",
            "error_message",
            "latency_p50_ms",
            "latency_p95_ms",
            "updated_at",
        ]
    )
    call_search_documents_update(call_ids=[str(call.pk)])
    if call.end_reason == EndReason.TRANSFERRED and call.transfer_status == TransferStatus.DIALLING:
        return  # the dial's result decides (calls.transfers): answered, or back to the agent
    # Asked for again even if done: a call closed as an orphan may have been summarised
    # before it really ended.
    call_summary_enqueue(call_id=str(call.pk), again=True)


def usage_sum(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Token counts of two sessions of one call, added key by key."""
    total = dict(first)
    for key, value in second.items():
        if isinstance(value, int | float) and isinstance(total.get(key), int | float):
            total[key] = total[key] + value
        else:
            total[key] = value
    return total


SEARCH_DOCUMENT_SQL = """
UPDATE calls_calllog AS c SET search_document = (
    SELECT to_tsvector('simple', coalesce(string_agg(t.text, ' ' ORDER BY t.seq), ''))
    FROM calls_transcriptturn AS t WHERE t.call_id = c.id
) WHERE c.id = ANY(%s::uuid[])
"""


def call_search_documents_update(*, call_ids: list[str]) -> None:
    """Writes the ended calls' search documents (PostgreSQL): one per call, so that the
    list's full-text search is a single-table query whose plan PostgreSQL can estimate
    (rare words through the GIN index, common ones along the newest-first index)."""
    if connection.vendor != "postgresql" or not call_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(SEARCH_DOCUMENT_SQL, [call_ids])


@dataclass(frozen=True)
class Refusal:
    reason: str  # for the log; the client only sees the refused handshake


@dataclass(frozen=True)
class WebAdmission:
    agent: Agent
    session: WebSessionGrant | None = None  # from the call's session token, if it had one


def call_admit(
    *, public_id: str, origin: str, host: str, client_ip: str, session_token: str = ""
) -> WebAdmission | Refusal:
    """Decides before the socket is accepted whether a web call may start."""
    agent = agent_get_active(public_id=public_id)
    if agent is None:
        return Refusal("unknown or inactive agent")
    if not origin_allowed(origin=origin, host=host, allowed=agent.allowed_origin_list):
        return Refusal(f"origin {origin[:100]!r} not allowed")
    grant = None
    if session_token:
        grant = web_session_grant(token=session_token, agent_public_id=agent.public_id)
        if grant is None:
            return Refusal("invalid or expired session token")
    elif agent.require_session_token:
        return Refusal("the agent requires a session token")
    if client_ip:
        key = "call-rate:" + caller_ip_hash(client_ip)
        cache.add(key, 0, timeout=60)
        try:
            started = cache.incr(key)
        except ValueError:  # expired between add and incr
            started = 1
        if started > settings.CALL_RATE_LIMIT_PER_MINUTE:
            return Refusal("rate limit")
    if live_call_count(agent=agent) >= agent.max_concurrent_calls:
        return Refusal("concurrent-call limit")
    # Claimed last, so a call refused for another reason leaves the token usable.
    if grant is not None and not web_session_claim(grant=grant):
        return Refusal("session token already used")
    return WebAdmission(agent=agent, session=grant)


def phone_call_admit(
    *, public_id: str, provider_call_id: str, line_reserved: bool = False
) -> Agent | Refusal:
    """Decides whether a phone call may reach an agent (the provider authenticated it).

    A provider call that already has a call log is refused: a replayed webhook or stream
    must not open a second (billed) session for it. ``line_reserved``: a call the agent
    placed, whose line its outbound attempt already holds (counted when it was dialled).
    """
    agent = agent_get_active(public_id=public_id)
    if agent is None:
        return Refusal("unknown or inactive agent")
    if CallLog.objects.filter(provider_call_id=provider_call_id[:64]).exists():
        return Refusal("this call has already been connected")
    if not line_reserved and live_call_count(agent=agent) >= agent.max_concurrent_calls:
        return Refusal("concurrent-call limit")
    return agent


def phone_call_resume_admit(*, call_id: str, provider_call_id: str) -> Agent | Refusal:
    """Whether a stream may bring a caller back to the agent: the call log must be the
    provider call's and reopened for its return (``calls.transfers.call_transfer_result``)."""
    call = (
        CallLog.objects.filter(
            pk=call_id,
            provider_call_id=provider_call_id[:64],
            status=CallStatus.CONNECTING,
            transfer_status=TransferStatus.NO_ANSWER,
        )
        .select_related("agent")
        .first()
    )
    if call is None:
        return Refusal("no call to return to")
    return call.agent


def call_log_reattach(
    *, call_id: str, server_instance: str | None, provider_stream_id: str
) -> None:
    """A call that came back to the agent runs on this process, on a new stream."""
    CallLog.objects.filter(pk=call_id).update(
        server_instance=server_instance,
        provider_stream_id=provider_stream_id[:64],
        updated_at=timezone.now(),
    )


# -- what the phone provider says of a call (status callbacks)

PROVIDER_FINAL_STATUSES = frozenset(
    {"completed", "busy", "failed", "no-answer", "canceled", "cancel", "timeout"}
)
"""Twilio's and Plivo's statuses of a call that is over (Plivo: ``cancel``, ``timeout``)."""

# Statuses only move forward, so an older callback delivered late is known by its status
# alone (no sequence number to store): queued < ringing < in-progress < final.
_PROGRESS_RANKS = {"queued": 0, "initiated": 0, "ringing": 1, "in-progress": 2, "answered": 2}
_FINAL_RANK = 3


def _provider_status_rank(status: str, *, final: bool = False) -> int:
    if final or status in PROVIDER_FINAL_STATUSES:
        return _FINAL_RANK
    return _PROGRESS_RANKS.get(status, 2)


class StatusRecorded(enum.StrEnum):
    UPDATED = "updated"  # on the call's log
    CREATED = "created"  # a call that never reached the agent, logged now
    STALE = "stale"  # older than what the log holds (or a second, different end): ignored
    NO_CALL = "no_call"  # in progress, and no log yet: the stream or the end will come
    NO_AGENT = "no_agent"  # over, never logged, and nothing says whose call it was


def call_provider_status_record(
    *,
    channel: str,
    provider_call_id: str,
    status: str,
    final: bool,
    duration_seconds: int | None = None,
    price: Decimal | None = None,
    price_unit: str = "",
    caller_number: str = "",
    called_number: str = "",
    direction: str = Direction.INBOUND,
    ended_at: dt.datetime | None = None,
    detail: str = "",
    log_if_missing: bool = True,
    agent_public_id: str = "",
    agent_resolver: AgentResolver | None = None,
) -> StatusRecorded:
    """Records what a phone provider reports of a call (its status callback) on the call's
    log, once per change: redelivery is harmless, and a status older than the one held
    (or a different end after an end) is ignored.

    A live call keeps running: only the provider's fields change, the bridge ends the
    call. A call that ended (``final``) without ever having a log, because its stream never
    started (busy, no answer, the caller hung up first), is logged as ``failed`` /
    ``not_connected`` if its agent is known (``selectors.provider_call_agent``, with
    ``agent_public_id`` from a per-agent callback URL and ``agent_resolver`` for routing by
    number); its log also makes ``phone_call_admit`` refuse a stream that comes later.
    ``detail`` (the provider's hang-up cause) goes into that log's error message.
    ``log_if_missing=False`` records only on an existing log: for a leg that is not a
    caller's call of its own (Twilio's child legs, a transfer's dial).
    """
    provider_call_id = provider_call_id[:64]
    changes = _ProviderChanges(
        status=status[:20],
        final=final,
        duration_seconds=duration_seconds,
        price=price,
        price_unit=price_unit[:3] if price is not None else "",
        caller_number=caller_number[:20],
        called_number=called_number[:20],
    )
    calls = CallLog.objects.filter(channel=channel, provider_call_id=provider_call_id)
    with transaction.atomic():
        call = calls.select_for_update().first()
        if call is not None:
            return _provider_changes_apply(call, changes)
    if not final or not log_if_missing:
        return StatusRecorded.NO_CALL
    our_number = caller_number if direction == Direction.OUTBOUND else called_number
    agent = provider_call_agent(
        channel=channel,
        provider_call_id=provider_call_id,
        agent_public_id=agent_public_id,
        our_number=our_number,
        agent_resolver=agent_resolver,
    )
    if agent is None:
        logger.info(
            "%s call %s ended (%s) without reaching an agent, and nothing says whose "
            "it was: not logged",
            channel,
            provider_call_id,
            status,
        )
        return StatusRecorded.NO_AGENT
    ended_at = ended_at or timezone.now()
    try:
        with transaction.atomic():
            CallLog.objects.create(
                agent=agent,
                channel=channel,
                direction=direction,
                status=CallStatus.FAILED,
                end_reason=EndReason.NOT_CONNECTED,
                engine=agent.engine_name,
                started_at=ended_at - dt.timedelta(seconds=duration_seconds or 0),
                ended_at=ended_at,
                duration_seconds=0,
                error_message=storable_text(detail[:1000]),
                caller_number=changes.caller_number,
                called_number=changes.called_number,
                provider_call_id=provider_call_id,
                provider_status=changes.status,
                provider_duration_seconds=duration_seconds,
                provider_price=price,
                provider_price_unit=changes.price_unit,
            )
    except IntegrityError:
        # Logged meanwhile by another delivery (or by its stream, a moment before it
        # ended): record on that log instead.
        with transaction.atomic():
            call = calls.select_for_update().first()
            if call is None:
                raise  # another constraint than the provider call id's
            return _provider_changes_apply(call, changes)
    return StatusRecorded.CREATED


@dataclass(frozen=True)
class _ProviderChanges:
    status: str
    final: bool
    duration_seconds: int | None
    price: Decimal | None
    price_unit: str
    caller_number: str
    called_number: str


def _provider_changes_apply(call: CallLog, changes: _ProviderChanges) -> StatusRecorded:
    """On a log locked by the caller's transaction."""
    if call.provider_status:
        held = _provider_status_rank(call.provider_status)
        given = _provider_status_rank(changes.status, final=changes.final)
        if given < held or (held == _FINAL_RANK and changes.status != call.provider_status):
            return StatusRecorded.STALE
    call.provider_status = changes.status
    fields = ["provider_status", "updated_at"]
    if changes.duration_seconds is not None:
        call.provider_duration_seconds = changes.duration_seconds
        fields.append("provider_duration_seconds")
    if changes.price is not None:
        call.provider_price, call.provider_price_unit = changes.price, changes.price_unit
        fields += ["provider_price", "provider_price_unit"]
    # The stream knows the caller but not always the number called: fill in what is missing.
    for field in ("caller_number", "called_number"):
        if not getattr(call, field) and getattr(changes, field):
            setattr(call, field, getattr(changes, field))
            fields.append(field)
    if (
        changes.final
        and call.status == CallStatus.CONNECTING
        and call.transfer_status == TransferStatus.NO_ANSWER
    ):
        # The caller hung up while a transfer rang and before their return to the agent
        # began: no stream will end this call, the provider's last word does.
        call.status, call.end_reason, call.ended_at = (
            CallStatus.COMPLETED,
            EndReason.CALLER_HUNG_UP,
            max(timezone.now(), call.started_at),
        )
        fields += ["status", "end_reason", "ended_at"]
        call.save(update_fields=fields)
        call_summary_enqueue(call_id=str(call.pk), again=True)
        return StatusRecorded.UPDATED
    call.save(update_fields=fields)
    return StatusRecorded.UPDATED


def origin_allowed(*, origin: str, host: str, allowed: list[str]) -> bool:
    """An empty list means the page must come from this server itself."""
    if not origin:
        # Browsers always send Origin; its absence means a non-browser client,
        # which the per-agent list cannot restrict anyway.
        return True
    if allowed:
        return origin.rstrip("/") in allowed
    return urlsplit(origin).netloc == host


ORPHAN_GRACE = dt.timedelta(minutes=5)
MIN_CALL_SECONDS = 30  # the smallest max_call_seconds an agent may have
SERVER_LOST_MESSAGE = "The server process handling this call stopped without ending it."


def call_logs_close_orphans(
    *, now: dt.datetime | None = None, dead_instances: list[str] | None = None
) -> int:
    """Fails calls left live by a server process that died without ending them.

    A call is an orphan when its process is known dead: listed in ``dead_instances``,
    or silent for six heartbeats (``SERVER_HEARTBEAT_SECONDS``); or once it has been
    live longer than its agent's maximum duration plus a grace period, which no running
    session allows. Returns the number of calls closed.
    """
    now = now or timezone.now()
    dead = set(dead_instances or [])
    if settings.SERVER_HEARTBEAT_SECONDS > 0:  # 0: no heartbeats (in-process tests)
        stale_before = now - dt.timedelta(seconds=6 * settings.SERVER_HEARTBEAT_SECONDS)
        stale = ServerInstance.objects.filter(
            stopped_at__isnull=True, heartbeat_at__lt=stale_before
        )
        dead |= {str(pk) for pk in stale.values_list("pk", flat=True)}
    live = [CallStatus.CONNECTING, CallStatus.ACTIVE]
    closed = 0
    if dead:
        ServerInstance.objects.filter(pk__in=dead, stopped_at__isnull=True).update(stopped_at=now)
        # A SIP call outlives its sideband's process (its audio is OpenAI's): it is left
        # live for a supervisor to re-attach (calls.sip.services.sip_calls_adopt).
        closed += _close_as_lost(
            CallLog.objects.filter(server_instance__in=dead, status__in=live).exclude(
                channel=Channel.SIP
            ),
            now=now,
        )
    # No session outlives its agent's maximum duration: a call live for longer is stuck
    # (no instance recorded, or its end could not be written), whoever runs it.
    shortest_possible = now - ORPHAN_GRACE - dt.timedelta(seconds=MIN_CALL_SECONDS)
    overdue = CallLog.objects.filter(status__in=live, started_at__lt=shortest_possible)
    for call in overdue.select_related("agent").only("pk", "started_at", "agent__max_call_seconds"):
        limit = dt.timedelta(seconds=call.agent.max_call_seconds) + ORPHAN_GRACE
        if call.started_at + limit < now:
            closed += _close_as_lost(CallLog.objects.filter(pk=call.pk, status__in=live), now=now)
    if closed:
        logger.warning("Closed %d orphaned calls", closed)
    return closed


def _close_as_lost(calls: QuerySet[CallLog], *, now: dt.datetime) -> int:
    ids = [str(pk) for pk in calls.values_list("pk", flat=True)]
    closed = calls.filter(pk__in=ids).update(
        status=CallStatus.FAILED,
        end_reason=EndReason.SERVER_LOST,
        ended_at=now,
        error_message=SERVER_LOST_MESSAGE,
        updated_at=now,
    )
    call_search_documents_update(call_ids=ids)
    for call_id in ids:
        call_summary_enqueue(call_id=call_id)
    return closed


# -- summaries

SUMMARY_MAX_ATTEMPTS = 4
SUMMARY_RESUME_AFTER = dt.timedelta(minutes=10)


def call_summary_enqueue(*, call_id: str, again: bool = False) -> None:
    """Asks for the call's summary once the current transaction commits (``again``: also
    when it has one). The task is sent from the after-commit thread: publishing it (or,
    without a broker, running it) must not hold the shared database thread the calls run
    on."""
    calls = CallLog.objects.filter(pk=call_id)
    if not again:
        calls = calls.filter(summary_status=SummaryStatus.NONE)
    calls.update(summary_status=SummaryStatus.PENDING)
    _summary_task_send_after_commit(call_id)


def _summary_task_send_after_commit(call_id: str) -> None:
    after_commit(functools.partial(_summary_task_send, call_id), label=f"summary of {call_id}")


def _summary_task_send(call_id: str) -> None:
    from calls.tasks import call_summary_task

    call_summary_task.delay(call_id)


def call_summary_make(*, call_id: str) -> None:
    """Writes the summary and outcome of a finished call, once (idempotent).

    With an OpenAI key the model writes it; a model failure is recorded and raised
    (``SummaryUnavailable``, for the task to retry) until the last attempt, which stores
    the extractive summary instead: the business always gets one.
    """
    call = CallLog.objects.select_related("agent").filter(pk=call_id).first()
    if call is None or call.is_live or call.summary_status == SummaryStatus.DONE:
        return
    record = call_record(call=call)
    attempts = call.summary_attempts + 1
    error = ""
    model = call.agent.summary_model or settings.SUMMARY_MODEL
    if settings.OPENAI_API_KEY and model != EXTRACTIVE_MODEL:
        try:
            result = model_summary(
                record,
                api_key=settings.OPENAI_API_KEY,
                base_url=settings.OPENAI_BASE_URL,
                model=model,
                prices=settings.SUMMARY_PRICES.get(model),
                max_tokens=settings.SUMMARY_INPUT_TOKENS,
            )
        except SummaryUnavailable as exc:
            error = storable_text(str(exc))[:1000]
            logger.warning("Call %s: summary attempt %d failed: %s", call_id, attempts, error)
            if attempts < SUMMARY_MAX_ATTEMPTS:
                CallLog.objects.filter(pk=call_id).exclude(
                    summary_status=SummaryStatus.DONE
                ).update(
                    summary_status=SummaryStatus.FAILED,
                    summary_attempts=attempts,
                    summary_error=error,
                )
                raise
            result = extractive_summary(record)
            error = f"The model failed {attempts} times ({error}); extractive summary instead."
    else:
        result = extractive_summary(record)
    try:
        with transaction.atomic():
            stored = _summary_store(call_id, result, attempts=attempts, error=error)
            if stored:
                # In the same transaction: the follow-ups exist if and only if the summary
                # does.
                call_followups_enqueue(call_id=call_id)
    except Exception as exc:
        # The follow-ups could not be written (say, a business's email template that does
        # not render): the summary must not be lost, nor asked for again for ever.
        logger.exception("Call %s: queueing the follow-ups failed", call_id)
        _summary_store(
            call_id,
            result,
            attempts=attempts,
            error=f"The summary is stored but its emails and webhook could not be queued: "
            f"{type(exc).__name__}: {storable_text(str(exc))[:300]}",
        )


def _summary_store(call_id: str, result: Summary, *, attempts: int, error: str) -> int:
    return (
        CallLog.objects.filter(pk=call_id)
        .exclude(summary_status=SummaryStatus.DONE)
        .update(
            summary=storable_text(result.summary),
            outcome=result.outcome,
            summary_data=storable_json(result.data),
            summary_model=result.model[:64],
            summary_cost_usd=Decimal(str(round(result.cost_usd, 6))),
            summary_status=SummaryStatus.DONE,
            summary_attempts=attempts,
            summary_error=error,
            updated_at=timezone.now(),
        )
    )


def call_summaries_resume(*, now: dt.datetime | None = None) -> int:
    """Asks again for summaries still missing well after their call ended (a broker that
    was down, a process that died before sending the task). Scheduled by Celery beat."""
    now = now or timezone.now()
    waiting = CallLog.objects.filter(
        summary_status__in=[SummaryStatus.PENDING, SummaryStatus.FAILED],
        ended_at__lt=now - SUMMARY_RESUME_AFTER,
        summary_attempts__lt=SUMMARY_MAX_ATTEMPTS,
    ).values_list("pk", flat=True)[:500]
    ids = [str(pk) for pk in waiting]
    for call_id in ids:
        _summary_task_send_after_commit(call_id)
    return len(ids)


def server_instance_register(
    *,
    hostname: str,
    pid: int,
    name: str = "",
    pid_namespace: str = "",
    process_started: int | None = None,
) -> ServerInstance:
    """Records a starting server process, and closes at once the calls of the processes
    it can tell are dead: those of its own pid namespace whose process is gone (its pid
    is free, is this process's, or belongs to a process started at another time), and
    its same-named predecessor (``VOICEAGENT_INSTANCE_NAME``, unique per process). A
    process it cannot judge is left to the stale-heartbeat rule."""
    instance = ServerInstance.objects.create(
        hostname=hostname,
        pid=pid,
        name=name,
        pid_namespace=pid_namespace,
        process_started=process_started,
    )
    others = ServerInstance.objects.filter(stopped_at__isnull=True).exclude(pk=instance.pk)
    dead = []
    for other in others.only("pk", "pid", "name", "pid_namespace", "process_started"):
        here = bool(pid_namespace) and other.pid_namespace == pid_namespace
        alive_here = (
            here and other.pid != pid and same_process_alive(other.pid, other.process_started)
        )
        if here and not alive_here:
            dead.append(str(other.pk))
        elif name and other.name == name:
            if alive_here:
                logger.warning("Two running processes are named %r; names must be unique", name)
            else:
                dead.append(str(other.pk))
    call_logs_close_orphans(dead_instances=dead)
    return instance


def server_instance_heartbeat(
    *, instance_id: str, close_stale: bool = True, **identity: Any
) -> None:
    """Marks this process alive, then (``close_stale``) closes the calls of processes
    that stopped beating; a process whose own beats were failing (the database was out
    for it too) passes ``close_stale=False`` until it has beaten again."""
    now = timezone.now()
    alive = ServerInstance.objects.filter(pk=instance_id).update(heartbeat_at=now, stopped_at=None)
    if not alive:  # the row was deleted (e.g. by hand): this process still runs calls
        ServerInstance.objects.create(id=instance_id, **identity)
    if close_stale:
        call_logs_close_orphans(now=now)


def call_client_message_send(*, call_id: str, message: dict[str, Any]) -> None:
    """Pushes a message (``appointment``, ``contact_saved``) to the caller of a live call,
    from any process; call it after the transaction that made it true has committed."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(
            control_group(call_id), {"type": "call.client_message", "message": message}
        )
    except Exception as exc:
        # Informational for the caller; what it reports is already stored.
        logger.warning("Call %s: pushing a %s failed (%s)", call_id, message.get("type"), exc)
