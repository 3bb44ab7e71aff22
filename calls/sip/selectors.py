"""Reads for SIP calls' sidebands."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Max

from agents.models import Agent
from calls.models import CallLog, CallStatus, Channel, ToolInvocation, TranscriptTurn


@dataclass(frozen=True)
class SipCallState:
    """What a sideband needs of its call's row."""

    call_id: str
    sip_call_id: str
    agent: Agent
    started_at: dt.datetime
    live: bool
    last_seq: int  # turns and tools stored so far (a re-attached sideband goes on after)
    usage: dict[str, Any]  # counted by earlier sidebands of the call (detached)
    cost_usd: float
    user_info: dict[str, Any]


def sip_call_state(*, call_id: str) -> SipCallState | None:
    call = (
        CallLog.objects.filter(pk=call_id, channel=Channel.SIP)
        .select_related("agent")
        .prefetch_related("agent__services", "agent__business_hours")
        .first()
    )
    if call is None:
        return None
    last_turn = TranscriptTurn.objects.filter(call=call).aggregate(m=Max("seq"))["m"] or 0
    last_tool = ToolInvocation.objects.filter(call=call).aggregate(m=Max("seq"))["m"] or 0
    return SipCallState(
        call_id=str(call.pk),
        sip_call_id=call.provider_call_id,
        agent=call.agent,
        started_at=call.started_at,
        live=call.status in (CallStatus.CONNECTING, CallStatus.ACTIVE),
        last_seq=max(last_turn, last_tool),
        usage=dict(call.usage or {}),
        cost_usd=float(call.cost_usd),
        user_info=dict(call.user_info or {}),
    )
