"""Twilio's call status callback: what Twilio says of a call, on its call log.

Configured on the number ("Call status changes") as ``<PUBLIC_BASE_URL>/twilio/status/``,
or per agent as ``/twilio/status/<agent public id>/`` so that a call that never reached
its stream (busy, no answer, hung up while ringing) is still logged for that agent.
Twilio's callback carries no price: ``provider_price`` stays empty for Twilio calls.
"""

from __future__ import annotations

import datetime as dt
import logging
from email.utils import parsedate_to_datetime

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from calls.models import Channel
from calls.selectors import AgentResolver
from calls.telephony import callbacks
from calls.telephony.credentials import credentials_line
from calls.telephony.twilio import NAME, signature

logger = logging.getLogger(__name__)

FINAL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


@csrf_exempt  # Twilio signs the request instead
@require_POST
def status(
    request: HttpRequest, agent_public_id: str = "", agent_resolver: AgentResolver | None = None
) -> HttpResponse:
    """Records ``CallStatus`` and, once the call is over, ``CallDuration``. Signed by the
    account of our number (its own, else the server's; per agent: the server's)."""
    outbound = callbacks.direction(request.POST.get("Direction", "")) == "outbound"
    ours = request.POST.get("From" if outbound else "To", "")
    line = "" if agent_public_id else credentials_line(provider=NAME, called=ours)
    refused = signature.request_refusal(request, line=line, what="status callback")
    if refused is not None:
        return refused
    form = request.POST
    call_status = form.get("CallStatus", "").strip().lower()
    return callbacks.status_callback_answer(
        provider=NAME,
        channel=Channel.TWILIO,
        call_id=form.get("CallSid", ""),
        status=call_status,
        final=call_status in FINAL_STATUSES,
        duration_seconds=callbacks.whole_seconds(form.get("CallDuration", "")),
        caller=form.get("From", ""),
        called=form.get("To", ""),
        direction=callbacks.direction(form.get("Direction", "")),
        ended_at=_timestamp(form.get("Timestamp", "")),
        # A child leg (a transfer's dial) is part of its parent's call, never one of its own.
        log_if_missing=not form.get("ParentCallSid"),
        agent_public_id=agent_public_id,
        agent_resolver=agent_resolver,
    )


def _timestamp(value: str) -> dt.datetime | None:
    """Twilio's ``Timestamp``: RFC 2822, UTC (``Tue, 10 Dec 2019 21:46:53 +0000``)."""
    try:
        return callbacks.aware(parsedate_to_datetime(value)) if value else None
    except (TypeError, ValueError):
        return None
