"""Twilio's voice webhook: answers a signed call with a bidirectional Media Stream."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.twiml.voice_response import Connect, VoiceResponse

from calls import services
from calls.telephony.credentials import credentials_line
from calls.telephony.twilio import NAME, signature
from calls.telephony.webhook import UNAVAILABLE_MESSAGE, phone_call_answer

logger = logging.getLogger(__name__)


@csrf_exempt  # Twilio signs the request instead
@require_POST
def voice(request: HttpRequest, agent_public_id: str | None = None) -> HttpResponse:
    """Twilio's voice webhook: answers with a bidirectional Media Stream to the agent of
    the number called (``/twilio/voice/``) or to the agent in the address.

    The account that owns the number signs the request: a number set up with its own
    credentials is checked with its token, anything else with the server's. The
    per-agent address takes the server's account only, so that nobody else's account
    can send calls to an agent.
    """
    called = request.POST.get("To", "")
    line = "" if agent_public_id is not None else credentials_line(provider=NAME, called=called)
    refused = signature.request_refusal(request, line=line, what="webhook")
    if refused is not None:
        return refused
    call_sid = request.POST.get("CallSid", "")
    if not call_sid:
        return HttpResponse("CallSid is missing.", status=400, content_type="text/plain")
    answer = phone_call_answer(
        provider=NAME,
        agent_public_id=agent_public_id,
        call_id=call_sid,
        caller=request.POST.get("From", ""),
        called=called,
        line=line,
    )
    if isinstance(answer, services.Refusal):
        return HttpResponse(refusal_twiml(UNAVAILABLE_MESSAGE), content_type="text/xml")
    twiml = connect_twiml(stream=signature.media_stream_url(line=line), token=answer)
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
