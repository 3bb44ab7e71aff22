"""Writes for SIP calls: the webhook's receipt, the call's admission and row, and which
process runs its sideband (attach, adoption of a dead process's calls, detach)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from agents.models import Agent
from calls.models import (
    CallLog,
    CallStatus,
    Channel,
    EndReason,
    ServerInstance,
    TransferStatus,
    WebhookReceipt,
)
from calls.realtime.text import storable_json
from calls.selectors import live_call_count
from phone_numbers.models import SIP_PROVIDER
from phone_numbers.selectors import phone_number_find

logger = logging.getLogger(__name__)

LIVE = (CallStatus.CONNECTING, CallStatus.ACTIVE)
# A call admitted this long ago whose sideband never attached (its dispatch was lost: no
# worker ran) is adopted by any supervisor.
UNATTACHED_AFTER = dt.timedelta(seconds=15)
RECEIPT_RETENTION = dt.timedelta(days=4)  # OpenAI retries deliveries for up to 72 h


def webhook_receipt_claim(*, source: str, delivery_id: str) -> bool:
    """True for the first delivery of ``delivery_id``, False for a repeat: a unique row,
    so that it holds across processes and under races."""
    try:
        with transaction.atomic():
            WebhookReceipt.objects.create(source=source, delivery_id=delivery_id[:100])
    except IntegrityError:
        return False
    return True


def webhook_receipts_purge(*, now: dt.datetime | None = None) -> int:
    before = (now or timezone.now()) - RECEIPT_RETENTION
    deleted, _ = WebhookReceipt.objects.filter(received_at__lt=before).delete()
    return deleted


@dataclass(frozen=True)
class SipAdmitted:
    call_id: str  # our CallLog id
    agent: Agent


@dataclass(frozen=True)
class SipRefused:
    reason: str  # for the log
    # The SIP status to reject with; None: do nothing (the call is already ours).
    status_code: int | None


def sip_call_admit(
    *, sip_call_id: str, called_candidates: list[str], caller: str, model: str
) -> SipAdmitted | SipRefused:
    """Whether an incoming SIP call reaches an agent: the first of ``called_candidates``
    (``To``, then ``Diversion``) that is an ``openai_sip`` number routes it. Admitted
    calls get their row (``connecting``, no process yet) in the same transaction as the
    agent's concurrent-call count, the agent's row locked: two calls at once cannot both
    take its last line."""
    number = None
    for candidate in called_candidates:
        number = phone_number_find(provider=SIP_PROVIDER, number=candidate)
        if number is not None:
            break
    if number is None:
        return SipRefused("unknown number", 404)
    if not number.is_active:
        return SipRefused("inactive number", 480)
    with transaction.atomic():
        agent = Agent.objects.select_for_update().filter(pk=number.agent_id).first()
        if agent is None or not agent.is_active:
            return SipRefused("unknown or inactive agent", 480)
        calls = CallLog.objects.filter(channel=Channel.SIP, provider_call_id=sip_call_id[:64])
        if calls.exists():
            return SipRefused("this call has already been connected", None)
        if live_call_count(agent=agent) >= agent.max_concurrent_calls:
            return SipRefused("concurrent-call limit", 486)
        call = CallLog.objects.create(
            agent=agent,
            channel=Channel.SIP,
            provider_call_id=sip_call_id[:64],
            engine="openai",
            realtime_model=agent.realtime_model or model,
            caller_number=caller[:20],
            called_number=number.number,
        )
    return SipAdmitted(call_id=str(call.pk), agent=agent)


def sip_call_not_answered(*, call_id: str, error: str) -> None:
    """The call never reached the agent (the caller hung up while it was accepted, or
    OpenAI refused the accept)."""
    now = timezone.now()
    CallLog.objects.filter(pk=call_id, status__in=LIVE).update(
        status=CallStatus.FAILED,
        end_reason=EndReason.NOT_CONNECTED,
        ended_at=now,
        duration_seconds=0,
        error_message=error[:1000],
        updated_at=now,
    )


def sip_call_attach(*, call_id: str, server_instance: str) -> bool:
    """This process runs the call's sideband: True if it took it (nobody had it)."""
    return bool(
        CallLog.objects.filter(pk=call_id, status__in=LIVE, server_instance__isnull=True).update(
            server_instance=server_instance, updated_at=timezone.now()
        )
    )


def sip_calls_adopt(
    *, server_instance: str, now: dt.datetime | None = None
) -> list[tuple[str, bool]]:
    """Takes over the live SIP calls nobody runs: those of a process known dead
    (``ServerInstance.stopped_at``, set by orphan closing, which leaves SIP calls live
    for this), detached ones, and admitted ones whose sideband never started. Each is
    claimed by a conditional update, so two supervisors never take the same call.
    Returns (call id, whether it was active: a sideband ran it, the greeting was said)."""
    now = now or timezone.now()
    stopped = ServerInstance.objects.filter(stopped_at__isnull=False).values("pk")
    orphans = CallLog.objects.filter(channel=Channel.SIP, status__in=LIVE).filter(
        Q(server_instance__in=stopped)
        | Q(server_instance__isnull=True, updated_at__lt=now - UNATTACHED_AFTER)
    )
    adopted = []
    for call_id, previous, status in orphans.values_list("pk", "server_instance", "status"):
        claimed = CallLog.objects.filter(pk=call_id, status=status, server_instance=previous)
        if claimed.update(server_instance=server_instance, updated_at=now):
            adopted.append((str(call_id), status == CallStatus.ACTIVE))
    if adopted:
        logger.info("Adopted %d SIP calls to re-attach", len(adopted))
    return adopted


def sip_call_detach(
    *, call_id: str, usage: dict[str, Any], cost_usd: float, user_info: dict[str, Any]
) -> None:
    """The process stops while the call goes on (its audio is OpenAI's): what this
    sideband counted is kept on the live row, and the call is left for the next
    supervisor (``sip_calls_adopt``), which adds to it."""
    CallLog.objects.filter(pk=call_id, status__in=LIVE).update(
        usage=storable_json(usage),
        cost_usd=Decimal(str(cost_usd)),
        user_info=storable_json(user_info),
        server_instance=None,
        updated_at=timezone.now(),
    )


def sip_call_referred(*, call_id: str) -> None:
    """OpenAI accepted the REFER and the call left: it is the trunk's now."""
    CallLog.objects.filter(pk=call_id, transfer_status=TransferStatus.DIALLING).update(
        transfer_status=TransferStatus.REFERRED, updated_at=timezone.now()
    )
