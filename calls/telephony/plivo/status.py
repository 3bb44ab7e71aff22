"""Plivo's hangup callback: what Plivo says of a call once it is over, on its call log.

Configured as the Plivo application's **Hangup URL**, ``<PUBLIC_BASE_URL>/plivo/hangup/``,
or per agent as ``/plivo/hangup/<agent public id>/`` so that a call that never reached its
stream (busy, no answer, hung up while ringing) is still logged for that agent. Signed
with Plivo's V3 signature (``X-Plivo-Signature-V3`` and its nonce) over that URL.

``urlpatterns_status`` is included with Plivo's other routes (``plivo/urls.py``).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from calls.models import Channel
from calls.selectors import AgentResolver
from calls.telephony import callbacks
from calls.telephony.credentials import credentials_line
from calls.telephony.plivo import signature
from calls.telephony.webhook import number_agent

logger = logging.getLogger(__name__)

PROVIDER = "plivo"
DEFAULT_PRICE_UNIT = "USD"  # TotalCost is in the account's currency, US dollars


@csrf_exempt  # Plivo signs the request instead
@require_POST
def hangup(
    request: HttpRequest, agent_public_id: str = "", agent_resolver: AgentResolver | None = None
) -> HttpResponse:
    """Records ``CallStatus``, ``BillDuration`` and ``TotalCost`` of a call that ended."""
    form = request.POST.dict()
    outbound = callbacks.direction(form.get("Direction", "")) == "outbound"
    ours = form.get("From" if outbound else "To", "")
    line = "" if agent_public_id else credentials_line(provider=PROVIDER, called=ours)
    refused = signature.request_refusal(request, line=line, what="hangup callback")
    if refused is not None:
        return refused
    cost = callbacks.price(form.get("TotalCost", ""))
    currency = form.get("Currency", "").strip().upper()
    cause = form.get("HangupCause", "").strip()
    return callbacks.status_callback_answer(
        provider=PROVIDER,
        channel=Channel.PLIVO,
        call_id=form.get("CallUUID", ""),
        status=form.get("CallStatus", "").strip().lower(),
        final=True,  # the hangup callback comes once, when the call is over
        duration_seconds=callbacks.whole_seconds(form.get("BillDuration", "")),
        price=cost,
        price_unit=currency if len(currency) == 3 and currency.isalpha() else DEFAULT_PRICE_UNIT,
        caller=form.get("From", ""),
        called=form.get("To", ""),
        direction=callbacks.direction(form.get("Direction", "")),
        ended_at=_end_time(form.get("EndTime", "")),
        detail=f"Plivo: {cause}" if cause else "",
        agent_public_id=agent_public_id,
        agent_resolver=agent_resolver,
    )


def _end_time(value: str) -> dt.datetime | None:
    """Plivo's ``EndTime``, used only when it states its zone."""
    try:
        return callbacks.aware(dt.datetime.fromisoformat(value.strip())) if value else None
    except ValueError:
        return None


urlpatterns_status: list[URLPattern] = [
    path("plivo/hangup/", hangup, {"agent_resolver": number_agent(PROVIDER)}, name="plivo-hangup"),
    path("plivo/hangup/<str:agent_public_id>/", hangup, name="plivo-hangup-agent"),
]
