"""Transfers to a person: what is written when the agent hands a phone call over.

The order of events (docs/telephony.md, "Transfer to a person"):

1. ``call_transfer_begin``: the agent's hand-off sentence has played; the call log
   records the target, reason, mode and the sentence the person will hear
   (``transfer_status=dialling``) before the provider is asked.
2. The provider's REST API takes the call off the media stream and dials the person;
   a refusal is ``call_transfer_fail`` (the call goes on with the agent).
3. The session ends as ``transferred``. Post-call work waits for the dial's result.
4. The provider reports the dial (``call_transfer_result``): answered → the caller's
   contact becomes ``transferred`` and the summary is asked for; not answered → the call
   log is live again and a new media stream brings the caller
   back to the agent, which says so.

A call that ends while the dial is still out (``transfer_pending``) waits for that
result before its summary and follow-ups.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from calls.models import CallLog, CallStatus, EndReason, TransferStatus
from calls.realtime.text import storable_text
from calls.services import call_summary_enqueue
from contacts.models import Contact, ContactStatus

logger = logging.getLogger(__name__)

# The provider's dial outcomes that mean the person took the call.
ANSWERED = frozenset({"answered", "completed", "in-progress"})
# ...and that the caller hung up while it rang (Twilio): nobody to bring back.
CALLER_GONE = frozenset({"canceled", "cancel"})


@dataclass(frozen=True)
class TransferReturn:
    """A call coming back to the agent: what its new media stream's token names."""

    call_id: str
    agent_public_id: str
    provider_call_id: str
    caller_number: str
    called_number: str


def call_transfer_begin(*, call_id: str, target: str, mode: str, reason: str, summary: str) -> None:
    CallLog.objects.filter(pk=call_id).update(
        transfer_target=target[:20],
        transfer_mode=mode,
        transfer_reason=storable_text(reason[:1000]),
        transfer_summary=storable_text(summary[:1000]),
        transfer_status=TransferStatus.DIALLING,
        transfer_error="",
        updated_at=timezone.now(),
    )


def call_transfer_fail(*, call_id: str, error: str) -> None:
    """The provider refused the transfer: recorded, and the call stays with the agent."""
    CallLog.objects.filter(pk=call_id).update(
        transfer_status=TransferStatus.FAILED,
        transfer_error=storable_text(error[:1000]),
        updated_at=timezone.now(),
    )


def call_transfer_dialling(*, call_id: str) -> CallLog | None:
    """The call whose transfer the provider is asking about, if one is under way."""
    return (
        CallLog.objects.filter(pk=call_id, transfer_status=TransferStatus.DIALLING)
        .select_related("agent")
        .first()
    )


@transaction.atomic
def call_transfer_result(*, call_id: str, dial_status: str) -> TransferReturn | None:
    """The provider's dial outcome. Answered: the transfer is done (the contact is
    ``transferred``, post-call work starts) and None. Not answered: the call log is
    live again (its first end, ``transferred``, undone; duration and usage add up at
    the next end) and the caller comes back to the agent: what the new stream needs.
    None too for an unknown call or a redelivered callback."""
    call = CallLog.objects.select_for_update().filter(pk=call_id).select_related("agent").first()
    if call is None or call.transfer_status != TransferStatus.DIALLING:
        return None
    status = dial_status.strip().lower() or "unknown"
    if status in ANSWERED:
        call.transfer_status = TransferStatus.ANSWERED
        call.save(update_fields=["transfer_status", "updated_at"])
        if call.contact_id is not None:
            Contact.objects.filter(pk=call.contact_id).update(
                status=ContactStatus.TRANSFERRED, updated_at=timezone.now()
            )
        if not call.is_live:
            call_summary_enqueue(call_id=str(call.pk), again=True)
        return None
    call.transfer_status = TransferStatus.NO_ANSWER
    call.transfer_error = f"the transfer was not answered ({status[:40]})"
    fields = ["transfer_status", "transfer_error", "updated_at"]
    if status in CALLER_GONE:
        call.save(update_fields=fields)
        if not call.is_live:
            call_summary_enqueue(call_id=str(call.pk), again=True)
        return None
    if call.end_reason == EndReason.TRANSFERRED:
        call.status, call.end_reason, call.ended_at = CallStatus.CONNECTING, "", None
        fields += ["status", "end_reason", "ended_at"]
    call.save(update_fields=fields)
    logger.info("Call %s: the transfer was not answered (%s)", call.pk, status)
    return TransferReturn(
        call_id=str(call.pk),
        agent_public_id=call.agent.public_id,
        provider_call_id=call.provider_call_id,
        caller_number=call.caller_number,
        called_number=call.called_number,
    )


def transfer_pending(call: CallLog) -> bool:
    """Whether post-call work waits for a dial's result (``call_log_finish``)."""
    return (
        call.end_reason == EndReason.TRANSFERRED and call.transfer_status == TransferStatus.DIALLING
    )
