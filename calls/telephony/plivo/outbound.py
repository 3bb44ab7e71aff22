"""Plivo's callbacks for calls the agent places (``outbound``): signed (V3) by the
account of the number the call comes from, addressed to one attempt.

- ``answer``: the callee picked up (``CallUUID`` is the call's id from now on); the
  stream to the agent, whose token names the attempt;
- ``machine``: asynchronous machine detection (``Machine=true``), given early in a
  machine's greeting: the session waits for the greeting to end before a message;
- ``status``: Plivo's hangup URL for the call (``CallStatus``: completed, busy,
  no-answer, timeout, failed, cancel).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from plivo import plivoxml

from calls.models import Channel
from calls.telephony import callbacks
from calls.telephony.plivo import NAME, signature, stream_token
from calls.telephony.plivo.webhook import stream_xml
from outbound import webhooks


def _checked(request: HttpRequest, attempt_id: int, what: str) -> HttpResponse | None:
    line = webhooks.attempt_line(provider=NAME, attempt_id=attempt_id)
    if line is None:
        # Only a request the server's account signed learns that there is no such call
        # (attempt ids are sequential: nobody else may probe them).
        refused = signature.request_refusal(request, line="", what=what)
        return refused or HttpResponse(
            "No such outbound call.", status=404, content_type="text/plain"
        )
    return signature.request_refusal(request, line=line, what=what)


def _hang_up_xml() -> HttpResponse:
    response = plivoxml.ResponseElement()
    response.add(plivoxml.HangupElement())
    return HttpResponse(str(response.to_string(False)), content_type="text/xml")


@csrf_exempt  # Plivo signs the request instead
@require_POST
def answer(request: HttpRequest, attempt_id: int) -> HttpResponse:
    refused = _checked(request, attempt_id, "outbound answer")
    if refused is not None:
        return refused
    call_uuid = request.POST.get("CallUUID", "")
    if not call_uuid:
        return HttpResponse("CallUUID is missing.", status=400, content_type="text/plain")
    token = webhooks.outbound_answer(provider=NAME, attempt_id=attempt_id, call_id=call_uuid)
    headers = stream_token.extra_headers(token) if token is not None else None
    if headers is None:
        return _hang_up_xml()
    line = webhooks.attempt_line(provider=NAME, attempt_id=attempt_id) or ""
    body = stream_xml(stream=signature.audio_stream_url(line=line), extra_headers=headers)
    return HttpResponse(body, content_type="text/xml")


@csrf_exempt
@require_POST
def machine(request: HttpRequest, attempt_id: int) -> HttpResponse:
    refused = _checked(request, attempt_id, "machine detection callback")
    if refused is not None:
        return refused
    is_machine = request.POST.get("Machine", "").strip().lower() == "true"
    webhooks.outbound_machine(
        provider=NAME,
        attempt_id=attempt_id,
        call_id=request.POST.get("CallUUID", ""),
        answered_by="machine_start" if is_machine else "human",
        after_beep=False,
    )
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def status(request: HttpRequest, attempt_id: int) -> HttpResponse:
    refused = _checked(request, attempt_id, "outbound hangup callback")
    if refused is not None:
        return refused
    form = request.POST
    cause = form.get("HangupCause", "").strip()
    currency = form.get("Currency", "").strip().upper()
    cost = callbacks.price(form.get("TotalCost", ""))
    webhooks.outbound_progress(
        attempt_id=attempt_id,
        provider_status=form.get("CallStatus", "").strip().lower(),
        final=True,  # Plivo's hangup URL is called once, at the end
        channel=Channel.PLIVO,
        call_id=form.get("CallUUID", ""),
        duration_seconds=callbacks.whole_seconds(form.get("BillDuration", "")),
        detail=f"Plivo: {cause}" if cause else "",
        price=cost,
        price_unit=currency if len(currency) == 3 and currency.isalpha() else "USD",
    )
    return HttpResponse(status=204)
