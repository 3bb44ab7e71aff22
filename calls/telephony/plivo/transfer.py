"""Plivo's side of a transfer to a person (``calls.transfers``), all signed (V3):

- ``dial``: the A-leg's new XML (``aleg_url`` of the transfer request): ``<Dial>`` the
  person, with hold audio for the caller (``dialMusic``) and, for a warm transfer, the
  whisper the person hears and must accept with 1 (``confirmSound``/``confirmKey``);
- ``whisper``: the one-sentence summary;
- ``hold``: what the caller hears while the person's phone rings;
- ``result``: the ``<Dial action>``: answered, the call ends with the conversation;
  unanswered (or not accepted), the caller comes back to the agent on a new stream.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from plivo import plivoxml

from agents.models import TransferMode
from calls.telephony.plivo import NAME, signature, stream_token
from calls.telephony.plivo.webhook import refusal_xml, stream_xml
from calls.telephony.webhook import (
    UNAVAILABLE_MESSAGE,
    call_line,
    public_url,
    return_stream_token,
    transfer_links,
)
from calls.transfers import call_transfer_dialling, call_transfer_result

logger = logging.getLogger(__name__)

ACCEPT_KEY = "1"
HOLD_MESSAGE = "Please hold while I put you through."
WHISPER_FALLBACK = "A caller is being put through to you."


def _refused(request: HttpRequest, call_id: uuid.UUID) -> HttpResponse | None:
    line = call_line(provider=NAME, call_id=str(call_id))
    return signature.request_refusal(request, line=line, what="transfer request")


def _xml(response: plivoxml.ResponseElement) -> HttpResponse:
    return HttpResponse(str(response.to_string(False)), content_type="text/xml")


@csrf_exempt  # Plivo signs the request instead
@require_POST
def dial(request: HttpRequest, call_id: uuid.UUID) -> HttpResponse:
    refused = _refused(request, call_id)
    if refused is not None:
        return refused
    call = call_transfer_dialling(call_id=str(call_id))
    response = plivoxml.ResponseElement()
    if call is None:
        response.add(plivoxml.SpeakElement(UNAVAILABLE_MESSAGE))
        response.add(plivoxml.HangupElement())
        return _xml(response)
    links = transfer_links(
        provider=NAME, call_id=str(call.pk), warm=call.transfer_mode == TransferMode.WARM
    )
    element = plivoxml.DialElement(
        action=links.result,
        method="POST",
        timeout=settings.TRANSFER_RING_SECONDS,
        dial_music=links.hold,
        confirm_sound=links.whisper or None,
        confirm_key=ACCEPT_KEY if links.whisper else None,
    )
    element.add(plivoxml.NumberElement(call.transfer_target))
    response.add(element)
    return _xml(response)


@csrf_exempt
@require_POST
def whisper(request: HttpRequest, call_id: uuid.UUID) -> HttpResponse:
    refused = _refused(request, call_id)
    if refused is not None:
        return refused
    call = call_transfer_dialling(call_id=str(call_id))
    summary = (call.transfer_summary if call is not None else "") or WHISPER_FALLBACK
    response = plivoxml.ResponseElement()
    response.add(plivoxml.SpeakElement(f"{summary} Press {ACCEPT_KEY} to take the call."))
    return _xml(response)


@csrf_exempt
@require_POST
def hold(request: HttpRequest, call_id: uuid.UUID) -> HttpResponse:
    refused = _refused(request, call_id)
    if refused is not None:
        return refused
    response = plivoxml.ResponseElement()
    response.add(plivoxml.SpeakElement(HOLD_MESSAGE))
    response.add(plivoxml.PlayElement(public_url(path=reverse("phone-hold-audio")), loop=0))
    return _xml(response)


@csrf_exempt
@require_POST
def dial_result(request: HttpRequest, call_id: uuid.UUID) -> HttpResponse:
    refused = _refused(request, call_id)
    if refused is not None:
        return refused
    back = call_transfer_result(
        call_id=str(call_id), dial_status=request.POST.get("DialStatus", "")
    )
    response = plivoxml.ResponseElement()
    if back is None:
        response.add(plivoxml.HangupElement())
        return _xml(response)
    line = call_line(provider=NAME, call_id=str(call_id))
    headers = stream_token.extra_headers(return_stream_token(provider=NAME, back=back, line=line))
    if headers is None:
        return HttpResponse(refusal_xml(UNAVAILABLE_MESSAGE), content_type="text/xml")
    body = stream_xml(stream=signature.audio_stream_url(line=line), extra_headers=headers)
    return HttpResponse(body, content_type="text/xml")
