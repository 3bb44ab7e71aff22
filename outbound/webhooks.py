"""What every provider's outbound callbacks share, once the provider's view has checked
its signature and read its parameters: the answer (a stream token), the machine verdict
(voicemail), the progress and the end of an attempt.

Each provider's views (``calls/telephony/<provider>/outbound.py``) are thin: they check
the signature with the credentials of the attempt's number (``attempt_line``), read the
provider's parameters and render its XML.
"""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from calls import services as call_services
from calls.groups import control_group
from calls.telephony import grants
from calls.telephony.credentials import credentials_for, credentials_line
from calls.telephony.registry import provider_control
from outbound.models import OPEN_STATUSES, CallAttempt
from outbound.result_services import (
    FINAL_RESULTS,
    outbound_attempt_answered,
    outbound_attempt_finish,
    outbound_attempt_machine,
    outbound_attempt_status,
)

logger = logging.getLogger(__name__)

LAYER_TIMEOUT_SECONDS = 2.0


def attempt_line(*, provider: str, attempt_id: int) -> str | None:
    """The line (``calls.telephony.credentials``) whose account signs the attempt's
    callbacks; None for an attempt that does not exist or is another provider's."""
    number = (
        CallAttempt.objects.filter(pk=attempt_id, provider=provider)
        .values_list("phone_number__number", flat=True)
        .first()
    )
    if number is None:
        return None
    return credentials_line(provider=provider, called=number)


def outbound_answer(*, provider: str, attempt_id: int, call_id: str) -> str | None:
    """The callee picked up: the stream token for the attempt's conversation, or None
    when the attempt is over (cancelled meanwhile, a replayed webhook): hang up."""
    answered = outbound_attempt_answered(attempt_id=attempt_id, provider_call_id=call_id)
    if answered is None:
        logger.info("Outbound call %s answered but no longer wanted: hanging up", attempt_id)
        return None
    attempt = (
        CallAttempt.objects.select_related("agent", "phone_number").filter(pk=attempt_id).first()
    )
    if attempt is None:  # deleted in between (its contact was)
        return None
    return grants.stream_token(
        provider=provider,
        agent_public_id=attempt.agent.public_id,
        call_id=call_id,
        caller=attempt.to_number,
        called=attempt.phone_number.number,
        line=answered.line,
        outbound=str(attempt.pk),
    )


def outbound_machine(
    *, provider: str, attempt_id: int, call_id: str, answered_by: str, after_beep: bool
) -> None:
    """The provider's answering-machine verdict. A machine: the live conversation is told
    to leave the message (or to hang up), through its control group in whichever process
    runs it; before the conversation has started, the provider hangs up."""
    verdict = outbound_attempt_machine(attempt_id=attempt_id, answered_by=answered_by)
    if verdict is None:
        return
    logger.info("Outbound call %s reached a machine (%s): %s", attempt_id, answered_by, verdict)
    if verdict.call_id is not None and _tell_call(
        verdict.call_id,
        {
            "type": "call.voicemail",
            "action": verdict.action,
            "message": verdict.message,
            "after_beep": after_beep,
        },
    ):
        return
    _hang_up(provider=provider, attempt_id=attempt_id, call_id=call_id)


def _tell_call(call_id: str, message: dict[str, object]) -> bool:
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        async_to_sync(_group_send)(layer, control_group(call_id), message)
    except Exception as exc:
        logger.warning("Call %s: the voicemail order could not be sent (%s)", call_id, exc)
        return False
    return True


async def _group_send(layer: Any, group: str, message: dict[str, object]) -> None:
    await asyncio.wait_for(layer.group_send(group, message), LAYER_TIMEOUT_SECONDS)


def _hang_up(*, provider: str, attempt_id: int, call_id: str) -> None:
    control = provider_control(provider)
    line = attempt_line(provider=provider, attempt_id=attempt_id)
    account = credentials_for(provider=provider, line=line or "")
    if control is None or account is None or not account.account_id or not call_id:
        return
    try:
        async_to_sync(control.hang_up)(account=account, call_id=call_id)
    except Exception as exc:
        logger.warning("Outbound call %s: hanging up on the machine failed: %s", attempt_id, exc)


def outbound_progress(
    *,
    attempt_id: int,
    provider_status: str,
    final: bool,
    channel: str,
    call_id: str,
    duration_seconds: int | None = None,
    detail: str = "",
    price: Decimal | None = None,
    price_unit: str = "",
) -> None:
    """A provider's status report on an attempt: progress, or its end (then the result,
    a retry if the policy wants one, and the provider's facts on the call log)."""
    if not final:
        outbound_attempt_status(attempt_id=attempt_id, provider_status=provider_status)
        return
    result = FINAL_RESULTS.get(provider_status, "failed")
    if CallAttempt.objects.filter(pk=attempt_id, status__in=OPEN_STATUSES).exists():
        outbound_attempt_finish(
            attempt_id=attempt_id,
            result=result,
            provider_status=provider_status,
            error=detail if result == "failed" else "",
        )
    if call_id:
        call_services.call_provider_status_record(
            channel=channel,
            provider_call_id=call_id,
            status=provider_status,
            final=True,
            duration_seconds=duration_seconds,
            direction="outbound",
            detail=detail,
            log_if_missing=False,
            price=price,
            price_unit=price_unit,
        )
