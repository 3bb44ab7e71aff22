"""Writes of the outbox: queue follow-ups in the caller's transaction, send them once.

Queueing (``*_enqueue``) writes rows only; each new row's send task is handed to the
after-commit thread. Sending (``outbox_send``) claims the row with one conditional
UPDATE (pending and due, or sending with an expired claim), so two tasks for one
message — a duplicate, a redelivery after a lost worker, the beat's retry racing a
late task — send it once. The claim expires after ``claim_seconds()``, so a sender
killed mid-send leaves the message to be taken again, not stuck.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from appointments.ics import appointment_ics, ics_filename
from appointments.models import Appointment
from calls.models import Outcome
from calls.realtime.text import storable_text
from notifications import webhooks
from notifications.emails import (
    Attachment,
    email_failure_is_permanent,
    email_render,
    email_send,
)
from notifications.models import DeliveryAttempt, OutboxKind, OutboxMessage, OutboxStatus
from notifications.selectors import (
    CallFollowup,
    admin_url,
    agent_body,
    appointment_body,
    call_followup,
    contact_body,
)
from voiceagent.background import after_commit
from voiceagent.crypto import DecryptionError
from voiceagent.retry import backoff_seconds, retry_after_seconds

logger = logging.getLogger(__name__)

APPOINTMENT_EVENTS = ("appointment.confirmed", "appointment.cancelled", "appointment.failed")
DUE_BATCH = 500


def claim_seconds() -> int:
    """How long a sender holds a message: longer than a task may run (Celery's hard
    time limit), so a live sender is never overtaken."""
    return int(settings.CELERY_TASK_TIME_LIMIT) + 30


# -- queueing


def outbox_message(
    *,
    owner_id: int,
    kind: str,
    topic: str,
    dedupe_key: str,
    recipient: str,
    payload: dict[str, Any],
    agent_id: int | None = None,
    call_id: str | None = None,
    appointment_id: Any = None,
) -> OutboxMessage:
    """An unsaved outbox row, for ``outbox_add``."""
    return OutboxMessage(
        dedupe_key=dedupe_key[:200],
        owner_id=owner_id,
        agent_id=agent_id,
        call_id=call_id,
        appointment_id=appointment_id,
        kind=kind,
        topic=topic,
        recipient=recipient[:1000],
        # Through JSON once: dates and decimals become text now, not at send time.
        payload=json.loads(json.dumps(payload, cls=DjangoJSONEncoder)),
    )


def outbox_add(messages: list[OutboxMessage]) -> list[OutboxMessage]:
    """Queues the messages whose key is new (asking twice for one follow-up writes one
    row) in two queries, and sends their tasks after commit; returns those queued."""
    if not messages:
        return []
    keys = [message.dedupe_key for message in messages]
    existing = set(
        OutboxMessage.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
    )
    new = [message for message in messages if message.dedupe_key not in existing]
    # A racing transaction that wrote one of the keys since wins; its row is the one sent.
    OutboxMessage.objects.bulk_create(new, ignore_conflicts=True)
    for message in new:
        _send_after_commit(str(message.pk))
    return new


def _send_after_commit(message_id: str) -> None:
    after_commit(functools.partial(_task_send, message_id), label=f"outbox {message_id}")


def _task_send(message_id: str) -> None:
    from notifications.tasks import outbox_send_task

    outbox_send_task.delay(message_id)


def _local(moment: dt.datetime | None, zone: str) -> dt.datetime | None:
    return moment.astimezone(ZoneInfo(zone)) if moment else None


def _webhook(
    *,
    agent_id: int,
    owner_id: int,
    event: str,
    key: str,
    data: dict[str, Any],
    webhook_url: str,
    call_id: str | None = None,
    appointment_id: Any = None,
) -> OutboxMessage:
    return outbox_message(
        owner_id=owner_id,
        kind=OutboxKind.WEBHOOK,
        topic=event,
        dedupe_key=f"webhook:{key}",
        recipient=webhook_url,
        payload={"type": event, "created": timezone.now().isoformat(), "data": data},
        agent_id=agent_id,
        call_id=call_id,
        appointment_id=appointment_id,
    )


def call_followups_enqueue(*, call_id: str) -> int:
    """Queues what a summarised call sends: the caller's summary email (an email was
    captured and the agent allows it), the team's (the agent's summary recipients) and
    the ``call.ended`` webhook. Call inside the transaction that stores the summary.
    Returns the number of messages queued (0 when asked again)."""
    followup = call_followup(call_id=call_id)
    if followup is None:
        return 0
    agent = followup.agent
    messages: list[OutboxMessage] = []
    if agent.webhook_url:
        messages.append(
            _webhook(
                agent_id=agent.pk,
                owner_id=agent.owner_id,
                event="call.ended",
                key=f"call.ended:{call_id}",
                data=followup.webhook_body(),
                webhook_url=agent.webhook_url,
                call_id=call_id,
            )
        )
    context = _call_context(followup)
    if agent.email_caller_summary and followup.caller_email:
        attachments: tuple[Attachment, ...] = ()
        if followup.appointment is not None:
            attachments = (
                Attachment(
                    filename=ics_filename(followup.appointment),
                    content=appointment_ics(followup.appointment, agent_name=agent.name),
                    mimetype="text/calendar",
                ),
            )
        messages.append(
            outbox_message(
                owner_id=agent.owner_id,
                kind=OutboxKind.EMAIL,
                topic="summary.caller",
                dedupe_key=f"summary.caller:{call_id}",
                recipient=followup.caller_email,
                payload=email_render(
                    "call_summary_caller",
                    context,
                    to=[followup.caller_email],
                    attachments=attachments,
                    reply_to=agent.summary_recipient_list[:1],
                ),
                agent_id=agent.pk,
                call_id=call_id,
            )
        )
    team = agent.summary_recipient_list
    if team:
        messages.append(
            outbox_message(
                owner_id=agent.owner_id,
                kind=OutboxKind.EMAIL,
                topic="summary.team",
                dedupe_key=f"summary.team:{call_id}",
                recipient=", ".join(team),
                payload=email_render(
                    "call_summary_team",
                    context,
                    to=team,
                    reply_to=[followup.caller_email] if followup.caller_email else None,
                ),
                agent_id=agent.pk,
                call_id=call_id,
            )
        )
    return len(outbox_add(messages))


def _call_context(followup: CallFollowup) -> dict[str, Any]:
    call, agent, appointment = followup.call, followup.agent, followup.appointment
    data = call.summary_data or {}
    caller = contact_body(followup.contact, call.user_info or {}) or {}
    return {
        "agent": agent,
        "call": call,
        "appointment": appointment,
        "caller_name": followup.caller_name,
        "caller_email": followup.caller_email,
        "caller_phone": caller.get("phone") or call.caller_number,
        "outcome_label": Outcome(call.outcome).label if call.outcome else "Call ended",
        "intent": data.get("caller_intent") or "",
        "sentiment": data.get("sentiment") or "",
        "follow_ups": [str(item) for item in data.get("follow_up_actions") or []][:10],
        "call_start_local": _local(call.started_at, agent.timezone),
        "appointment_start_local": (
            _local(appointment.start_at, appointment.timezone) if appointment else None
        ),
        "ics_url": appointment_body(appointment)["ics_url"] if appointment else "",
        "call_url": admin_url("admin:calls_calllog_change", call.pk),
    }


def appointment_event_enqueue(*, appointment: Appointment, event: str) -> None:
    """Queues an appointment's ``appointment.confirmed`` / ``.cancelled`` / ``.failed``
    webhook, and for a failure the email that tells the business. Call inside the
    transaction that changed the appointment. A repeat of the same change (same event,
    same revision of the appointment) queues nothing."""
    if event not in APPOINTMENT_EVENTS:
        raise ValueError(f"Unknown appointment event {event!r}")
    agent = appointment.agent
    version = f"{appointment.pk}:{appointment.revision}"
    messages: list[OutboxMessage] = []
    if agent.webhook_url:
        messages.append(
            _webhook(
                agent_id=agent.pk,
                owner_id=agent.owner_id,
                event=event,
                key=f"{event}:{version}",
                data={"agent": agent_body(agent), "appointment": appointment_body(appointment)},
                webhook_url=agent.webhook_url,
                call_id=str(appointment.call_id) if appointment.call_id else None,
                appointment_id=appointment.pk,
            )
        )
    team: list[str] = []
    if event == "appointment.failed":
        # Read only for failures: the owner is one query more than a booking needs.
        team = agent.summary_recipient_list or [e for e in [agent.owner.email] if e]
        if not team:
            logger.warning("Appointment %s failed and nobody can be emailed", appointment.pk)
    if team:
        contact = appointment.contact
        context = {
            "agent": agent,
            "appointment": appointment,
            "appointment_start_local": _local(appointment.start_at, appointment.timezone),
            "caller_name": contact.name if contact else "",
            "caller_email": contact.email if contact else "",
            "caller_phone": contact.phone if contact else "",
            "connection_broken": bool(
                agent.calendar_connection and agent.calendar_connection.status != "active"
            ),
            "appointment_url": admin_url("admin:appointments_appointment_change", appointment.pk),
        }
        messages.append(
            outbox_message(
                owner_id=agent.owner_id,
                kind=OutboxKind.EMAIL,
                topic="appointment.failed",
                dedupe_key=f"email:appointment.failed:{version}",
                recipient=", ".join(team),
                payload=email_render("appointment_failed", context, to=team),
                agent_id=agent.pk,
                appointment_id=appointment.pk,
            )
        )
    outbox_add(messages)


# -- sending


@dataclass(frozen=True)
class SendOutcome:
    status: str  # "sent", "retry", "failed", "skipped"
    retry_in: float | None = None


def _claim(message_id: str, now: dt.datetime) -> bool:
    due = Q(status=OutboxStatus.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    lost = Q(status=OutboxStatus.SENDING, claimed_until__lt=now)
    claimed = (
        OutboxMessage.objects.filter(due | lost, pk=message_id)
        .filter(attempts__lt=F("max_attempts"))
        .update(
            status=OutboxStatus.SENDING,
            # Counted when claimed: a sender that dies mid-send (killed, out of memory, past
            # its time limit) has used an attempt, so a message cannot be retried for ever.
            attempts=F("attempts") + 1,
            claimed_until=now + dt.timedelta(seconds=claim_seconds()),
            updated_at=now,
        )
    )
    return bool(claimed)


def outbox_send(*, message_id: str, now: dt.datetime | None = None) -> SendOutcome:
    """Sends one outbox message if it is due and nobody else holds it."""
    now = now or timezone.now()
    if not _claim(message_id, now):
        return SendOutcome("skipped")
    message = OutboxMessage.objects.select_related("agent").get(pk=message_id)
    attempt = message.attempts
    started = time.monotonic()
    ok, retryable, error, code, excerpt, retry_after = _deliver(message)
    duration_ms = int((time.monotonic() - started) * 1000)
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            message_id=message.pk,
            started_at=now,
            duration_ms=duration_ms,
            ok=ok,
            status_code=code,
            error=storable_text(error)[:2000],
            response_excerpt=storable_text(excerpt)[:2000],
        )
        update: dict[str, Any] = {"claimed_until": None, "updated_at": now}
        if ok:
            update |= {"status": OutboxStatus.SENT, "sent_at": timezone.now(), "last_error": ""}
            outcome = SendOutcome("sent")
        elif retryable and attempt < message.max_attempts:
            delay = backoff_seconds(attempt, retry_after=retry_after_seconds(retry_after))
            update |= {
                "status": OutboxStatus.PENDING,
                "next_attempt_at": now + dt.timedelta(seconds=delay),
                "last_error": storable_text(error)[:2000],
            }
            outcome = SendOutcome("retry", retry_in=delay)
        else:
            update |= {"status": OutboxStatus.FAILED, "last_error": storable_text(error)[:2000]}
            outcome = SendOutcome("failed")
        # Only while still ours: an admin who cancelled meanwhile keeps the last word.
        OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING).update(**update)
    log = logger.info if ok else logger.warning
    log(
        "Outbox %s (%s to %s): %s after attempt %d%s",
        message.pk,
        message.topic,
        # A webhook URL may carry a token in its path or query: the host is enough here.
        _recipient_for_log(message),
        outcome.status,
        attempt,
        f" ({error})" if error else "",
    )
    return outcome


def _recipient_for_log(message: OutboxMessage) -> str:
    if message.kind == OutboxKind.WEBHOOK:
        return urlsplit(message.recipient).netloc or "?"
    return message.recipient[:80]


def _deliver(message: OutboxMessage) -> tuple[bool, bool, str, int | None, str, str | None]:
    """(ok, retryable, error, status code, response excerpt, Retry-After)."""
    if message.kind == OutboxKind.EMAIL:
        try:
            email_send(message.payload, outbox_id=str(message.pk))
        except Exception as exc:
            permanent = email_failure_is_permanent(exc)
            return False, not permanent, f"{type(exc).__name__}: {exc}", None, "", None
        return True, False, "", None, "", None
    agent = message.agent
    if agent is None or not agent.webhook_url:
        return False, False, "The agent no longer has a webhook URL.", None, "", None
    try:
        secret = agent.webhook_secret.reveal()
    except DecryptionError as exc:
        # A key missing from FIELD_ENCRYPTION_KEY: worth retrying once it is put back.
        return False, True, str(exc), None, "", None
    body = json.dumps(
        {"id": str(message.pk), **message.payload}, separators=(",", ":"), ensure_ascii=False
    ).encode()
    result = webhooks.post(
        url=agent.webhook_url,
        body=body,
        secret=secret,
        event=message.topic,
        delivery_id=str(message.pk),
    )
    return (
        result.ok,
        result.retryable,
        result.error,
        result.status_code,
        result.response_excerpt,
        result.retry_after,
    )


def outbox_due(*, now: dt.datetime | None = None) -> int:
    """Sends a task for every message that is due: retries whose time has come, and
    messages whose sender was lost (its claim expired) or whose task never left (a
    broker that was down). Scheduled by Celery beat; returns how many."""
    now = now or timezone.now()
    # Give a fresh row's own after-commit task a head start before sending a second one.
    settled = now - dt.timedelta(seconds=30)
    due = OutboxMessage.objects.filter(
        (
            Q(status=OutboxStatus.PENDING)
            & (
                Q(next_attempt_at__lte=now)
                | Q(next_attempt_at__isnull=True, created_at__lt=settled)
            )
        )
        | Q(status=OutboxStatus.SENDING, claimed_until__lt=now)
    ).values_list("pk", flat=True)[:DUE_BATCH]
    ids = [str(pk) for pk in due]
    for message_id in ids:
        _send_after_commit(message_id)
    # A sender lost on the last attempt leaves nothing to retry: the message has failed.
    OutboxMessage.objects.filter(
        status=OutboxStatus.SENDING, claimed_until__lt=now, attempts__gte=F("max_attempts")
    ).update(
        status=OutboxStatus.FAILED,
        claimed_until=None,
        last_error="The sender was lost during the last attempt (killed or timed out).",
        updated_at=now,
    )
    return len(ids)


def outbox_resend(*, message_ids: list[str]) -> int:
    """Staff's "send again": sent, failed and cancelled messages go out once more (with
    the same delivery id, so a receiver that keeps ids can tell)."""
    with transaction.atomic():
        rows = OutboxMessage.objects.filter(pk__in=message_ids).exclude(status=OutboxStatus.SENDING)
        ids = [str(pk) for pk in rows.values_list("pk", flat=True)]
        OutboxMessage.objects.filter(pk__in=ids).update(
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=None,
            claimed_until=None,
            updated_at=timezone.now(),
        )
        for message_id in ids:
            _send_after_commit(message_id)
    return len(ids)


def outbox_cancel(*, message_ids: list[str]) -> int:
    """Staff's "cancel": messages not yet sent are never sent."""
    return OutboxMessage.objects.filter(
        pk__in=message_ids, status__in=[OutboxStatus.PENDING, OutboxStatus.FAILED]
    ).update(status=OutboxStatus.CANCELLED, claimed_until=None, updated_at=timezone.now())
