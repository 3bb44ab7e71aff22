"""Plivo's answer webhook: answers a signed call with a bidirectional audio stream."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from plivo import plivoxml

from calls import services
from calls.telephony.credentials import credentials_for, credentials_line
from calls.telephony.plivo import NAME, signature, stream_token
from calls.telephony.webhook import UNAVAILABLE_MESSAGE, phone_call_answer, public_url
from voiceagent.links import configured_base_url

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
    credentials = credentials_for(provider=NAME, line=line)
    if credentials is None or not configured_base_url():
        return HttpResponse(
            "Plivo is not configured on this server: set PLIVO_AUTH_TOKEN (or the number's "
            "own auth token) and PUBLIC_BASE_URL.",
            status=503,
            content_type="text/plain",
        )
    url = public_url(path=request.path, query=request.META.get("QUERY_STRING", ""))
    if not signature.signature_valid(
        method="POST",
        url=url,
        params=request.POST.dict(),
        nonce=request.headers.get(signature.NONCE_HEADER, ""),
        signature=request.headers.get(signature.SIGNATURE_HEADER, ""),
        auth_token=credentials.auth_token,
    ):
        logger.warning("Refused a Plivo webhook with a bad signature for %s", url)
        return HttpResponse("Invalid Plivo signature.", status=403, content_type="text/plain")
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
