"""What every provider's status callback shares: reading its values, recording them and
the answer.

A provider's status view checks the provider's signature over
``webhook.public_url(...)``, reads its parameters with the helpers below and hands them
to ``status_callback_answer``, which records them
(``services.call_provider_status_record``) and answers 204 whatever was recorded:
providers retry anything else, and a callback we cannot use will not improve.

Routing by phone number: a status view takes ``agent_resolver`` (a
``calls.selectors.AgentResolver``) as an extra option of its URL pattern,
``path(..., view, {"agent_resolver": resolver})``, and passes it on.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation

from django.http import HttpResponse

from calls import services
from calls.models import Direction
from calls.selectors import AgentResolver

logger = logging.getLogger(__name__)

PRICE_PLACES = Decimal("0.00001")  # CallLog.provider_price: 10 digits, 5 decimals
PRICE_LIMIT = Decimal(100_000)


def whole_seconds(value: str) -> int | None:
    """A provider's duration ("42"), or None when absent or not a count of seconds."""
    value = value.strip()
    if not value.isdigit() or len(value) > 9:
        return None
    return int(value)


def price(value: str) -> Decimal | None:
    """A provider's price ("0.00850"), or None when absent or not one the log can hold."""
    try:
        amount = Decimal(value.strip())
    except InvalidOperation:
        return None
    if not amount.is_finite() or abs(amount) >= PRICE_LIMIT:
        return None
    return amount.quantize(PRICE_PLACES)


def direction(value: str) -> str:
    """Twilio's ``outbound-api``/``outbound-dial`` and Plivo's ``outbound`` are outbound."""
    return Direction.OUTBOUND if value.strip().lower().startswith("outbound") else Direction.INBOUND


def aware(moment: dt.datetime | None) -> dt.datetime | None:
    """A callback's time; one without a zone is not trusted (None)."""
    if moment is None or moment.tzinfo is None or moment.utcoffset() is None:
        return None
    return moment.astimezone(dt.UTC)


def status_callback_answer(
    *,
    provider: str,
    channel: str,
    call_id: str,
    status: str,
    final: bool,
    duration_seconds: int | None = None,
    price: Decimal | None = None,
    price_unit: str = "",
    caller: str = "",
    called: str = "",
    direction: str = Direction.INBOUND,
    ended_at: dt.datetime | None = None,
    detail: str = "",
    log_if_missing: bool = True,
    agent_public_id: str = "",
    agent_resolver: AgentResolver | None = None,
) -> HttpResponse:
    """Records an authenticated status callback and answers it (204)."""
    if not call_id:
        return HttpResponse("The call id is missing.", status=400, content_type="text/plain")
    recorded = services.call_provider_status_record(
        channel=channel,
        provider_call_id=call_id,
        status=status,
        final=final,
        duration_seconds=duration_seconds,
        price=price,
        price_unit=price_unit,
        caller_number=caller,
        called_number=called,
        direction=direction,
        ended_at=ended_at,
        detail=detail,
        log_if_missing=log_if_missing,
        agent_public_id=agent_public_id,
        agent_resolver=agent_resolver,
    )
    logger.info("%s status %s for call %s: %s", provider, status, call_id, recorded)
    return HttpResponse(status=204)
