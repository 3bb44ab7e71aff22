"""OpenAI's ``realtime.call.incoming`` webhook: a call reached our project's SIP
connector. Kept fast (OpenAI retries a delivery not answered 2xx within seconds):
verify, deduplicate, route, accept (or reject), hand the sideband over, answer 200.

- The signature (Standard Webhooks: ``webhook-id``, ``webhook-timestamp``,
  ``webhook-signature``) is checked by the ``openai`` package's ``webhooks.unwrap`` with
  ``OPENAI_WEBHOOK_SECRET`` over the raw body; a bad or old (> 5 min) one, or a missing
  header: 400, nothing written.
- ``webhook-id`` is claimed once (a unique row): a delivery sent again gets 200 and
  changes nothing.
- Other event types are answered 200 and ignored.
"""

from __future__ import annotations

import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from openai import InvalidWebhookSignatureError
from openai.types.webhooks import RealtimeCallIncomingWebhookEvent

from calls.selectors import agent_snapshot
from calls.sip import control, headers
from calls.sip.services import (
    SipRefused,
    sip_call_admit,
    sip_call_not_answered,
    webhook_receipt_claim,
)
from calls.sip.supervisor import sideband_dispatch
from phone_numbers.models import SIP_PROVIDER

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
async def incoming(request: HttpRequest) -> HttpResponse:
    if not settings.OPENAI_WEBHOOK_SECRET or not settings.OPENAI_API_KEY:
        logger.error("SIP webhook: OPENAI_WEBHOOK_SECRET and OPENAI_API_KEY must be set")
        return HttpResponse(status=503)
    try:
        async with control.openai_client() as client:
            event = client.webhooks.unwrap(request.body, request.headers)
    except (InvalidWebhookSignatureError, ValueError) as exc:
        # ValueError: a missing header, or a body that is not JSON.
        logger.warning("SIP webhook refused: %s", str(exc)[:200])
        return HttpResponse(status=400)
    # The package parses without validating: dispatch on the type, then narrow.
    if event.type != "realtime.call.incoming" or not isinstance(
        event, RealtimeCallIncomingWebhookEvent
    ):
        return HttpResponse(status=200)  # not ours to handle (other event types)
    delivery = request.headers.get("webhook-id", "")
    claimed = await sync_to_async(webhook_receipt_claim)(source=SIP_PROVIDER, delivery_id=delivery)
    if not claimed:
        logger.info("SIP webhook %s delivered again: ignored", delivery)
        return HttpResponse(status=200)
    await _answer(event.data.call_id, list(event.data.sip_headers or []))
    return HttpResponse(status=200)


async def _answer(sip_call_id: str, sip_headers: list[headers.Header]) -> None:
    called = headers.called_candidates(sip_headers)
    caller = headers.caller_number(sip_headers)
    admitted = await sync_to_async(sip_call_admit)(
        sip_call_id=sip_call_id,
        called_candidates=called,
        caller=caller,
        model=settings.OPENAI_REALTIME_MODEL,
    )
    if isinstance(admitted, SipRefused):
        logger.info(
            "Refused SIP call %s to %s: %s", sip_call_id, called[:1] or "?", admitted.reason
        )
        if admitted.status_code is not None:
            error = await control.call_reject(
                sip_call_id=sip_call_id, status_code=admitted.status_code
            )
            if error:
                logger.warning("SIP call %s: reject failed (%s)", sip_call_id, error)
        return
    call_id = admitted.call_id
    snapshot = agent_snapshot(
        agent=admitted.agent, default_model=settings.OPENAI_REALTIME_MODEL, phone=True
    )
    try:
        body = control.accept_body(snapshot)
        await control.call_accept(sip_call_id=sip_call_id, body=body)
    except control.CallGone:
        logger.info("SIP call %s: gone before it was accepted", sip_call_id)
        await sync_to_async(sip_call_not_answered)(
            call_id=call_id, error="The caller hung up before the call was answered."
        )
        return
    except (control.InvalidSession, control.CallControlError) as exc:
        logger.error("SIP call %s: not accepted (%s)", sip_call_id, exc)
        await sync_to_async(sip_call_not_answered)(
            call_id=call_id, error=f"The call could not be answered: {str(exc)[:300]}"
        )
        # The caller hears a refusal rather than ringing until the carrier gives up.
        await control.call_reject(sip_call_id=sip_call_id, status_code=480)
        return
    logger.info("SIP call %s accepted as call %s", sip_call_id, call_id)
    await sideband_dispatch(call_id=call_id)
