"""Twilio's voice webhook: answers a signed call with a bidirectional Media Stream."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.twiml.voice_response import Connect, VoiceResponse

from calls import services
from calls.telephony.twilio import NAME, signature
from calls.telephony.webhook import UNAVAILABLE_MESSAGE, phone_call_answer, public_url

logger = logging.getLogger(__name__)


@csrf_exempt  # Twilio signs the request instead
@require_POST
def voice(request: HttpRequest, agent_public_id: str) -> HttpResponse:
    """Twilio's voice webhook: answers with a bidirectional Media Stream to the agent."""
    if not signature.configured():
        return HttpResponse(
            "Twilio is not configured on this server: set TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL.",
            status=503,
            content_type="text/plain",
        )
    url = public_url(path=request.path, query=request.META.get("QUERY_STRING", ""))
    given = request.headers.get("X-Twilio-Signature", "")
    if not signature.signature_valid(url=url, params=request.POST, signature=given):
        logger.warning("Refused a Twilio webhook with a bad signature for %s", url)
        return HttpResponse("Invalid Twilio signature.", status=403, content_type="text/plain")
    call_sid = request.POST.get("CallSid", "")
    if not call_sid:
        return HttpResponse("CallSid is missing.", status=400, content_type="text/plain")
    answer = phone_call_answer(
        provider=NAME,
        agent_public_id=agent_public_id,
        call_id=call_sid,
        caller=request.POST.get("From", ""),
        called=request.POST.get("To", ""),
    )
    if isinstance(answer, services.Refusal):
        return HttpResponse(refusal_twiml(UNAVAILABLE_MESSAGE), content_type="text/xml")
    twiml = connect_twiml(stream=signature.media_stream_url(), token=answer)
    return HttpResponse(twiml, content_type="text/xml")


def connect_twiml(*, stream: str, token: str) -> str:
    """``<Connect><Stream>``: with no ``action``, Twilio hangs up when the stream ends."""
    response = VoiceResponse()
    connect = Connect()
    media = connect.stream(url=stream)
    media.parameter(name="call_token", value=token)
    response.append(connect)
    return str(response)


def refusal_twiml(message: str) -> str:
    response = VoiceResponse()
    response.say(message)
    response.hangup()
    return str(response)
