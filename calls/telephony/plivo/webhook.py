"""Plivo's answer webhook: answers a signed call with a bidirectional audio stream."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from plivo import plivoxml

from calls import services
from calls.telephony.credentials import credentials_line
from calls.telephony.plivo import NAME, signature, stream_token
from calls.telephony.webhook import UNAVAILABLE_MESSAGE, phone_call_answer

logger = logging.getLogger(__name__)

STREAM_CONTENT_TYPE = "audio/x-mulaw;rate=8000"  # passed through to OpenAI as audio/pcmu


@csrf_exempt  # Plivo signs the request instead
@require_POST
def answer(request: HttpRequest, agent_public_id: str | None = None) -> HttpResponse:
    """Plivo's answer URL: a bidirectional audio stream to the agent of the number called
    (``/plivo/answer/``) or to the agent in the address (the server's account only, as
    for Twilio: no other account can send calls to an agent)."""
    called = request.POST.get("To", "")
    line = "" if agent_public_id is not None else credentials_line(provider=NAME, called=called)
    refused = signature.request_refusal(request, line=line, what="webhook")
    if refused is not None:
        return refused
    call_uuid = request.POST.get("CallUUID", "")
    if not call_uuid:
        return HttpResponse("CallUUID is missing.", status=400, content_type="text/plain")
    answered = phone_call_answer(
        provider=NAME,
        agent_public_id=agent_public_id,
        call_id=call_uuid,
        caller=request.POST.get("From", ""),
        called=called,
        line=line,
    )
    if isinstance(answered, services.Refusal):
        return _xml(refusal_xml(UNAVAILABLE_MESSAGE))
    headers = stream_token.extra_headers(answered)
    if headers is None:  # only with absurdly long numbers from Plivo
        logger.error("Refused Plivo call %s: its stream token is too long", call_uuid)
        return _xml(refusal_xml(UNAVAILABLE_MESSAGE))
    return _xml(stream_xml(stream=signature.audio_stream_url(line=line), extra_headers=headers))


def _xml(body: str) -> HttpResponse:
    return HttpResponse(body, content_type="text/xml")


def stream_xml(*, stream: str, extra_headers: str) -> str:
    """``<Stream>``: with ``keepCallAlive`` nothing after it runs while it streams, and with
    nothing after it Plivo hangs up when the stream ends."""
    response = plivoxml.ResponseElement()
    response.add(
        plivoxml.StreamElement(
            stream,
            bidirectional=True,
            keepCallAlive=True,
            contentType=STREAM_CONTENT_TYPE,
            extraHeaders=extra_headers,
        )
    )
    return str(response.to_string(False))


def refusal_xml(message: str) -> str:
    response = plivoxml.ResponseElement()
    response.add(plivoxml.SpeakElement(message))
    response.add(plivoxml.HangupElement())
    return str(response.to_string(False))
