"""Twilio's side of a transfer to a person (``calls.transfers``): the whisper the person
hears before a warm transfer (``<Number url>``), and the ``<Dial action>`` that reports
how the dial went. Both are signed by Twilio like the voice webhook."""

from __future__ import annotations

import logging
import uuid

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.twiml.voice_response import VoiceResponse

from calls.telephony.twilio import NAME, signature
from calls.telephony.twilio.webhook import connect_twiml
from calls.telephony.webhook import call_line, return_stream_token
from calls.transfers import call_transfer_dialling, call_transfer_result

logger = logging.getLogger(__name__)

WHISPER_FALLBACK = "A caller is being put through to you."


def _twiml(response: VoiceResponse) -> HttpResponse:
    return HttpResponse(str(response), content_type="text/xml")


@csrf_exempt  # Twilio signs the request instead
@require_POST
def whisper(request: HttpRequest, call_id: uuid.UUID) -> HttpResponse:
    """Played to the person who answers, before the caller is connected."""
    refused = signature.request_refusal(
        request, line=call_line(provider=NAME, call_id=str(call_id)), what="transfer whisper"
    )
    if refused is not None:
        return refused
    call = call_transfer_dialling(call_id=str(call_id))
    response = VoiceResponse()
    summary = call.transfer_summary if call is not None else ""
    response.say(f"{summary or WHISPER_FALLBACK} Connecting you now.")
    return _twiml(response)


@csrf_exempt
@require_POST
def dial_result(request: HttpRequest, call_id: uuid.UUID) -> HttpResponse:
    """The dial ended: after a conversation the call ends; unanswered, the caller
    comes back to the agent on a new media stream."""
    line = call_line(provider=NAME, call_id=str(call_id))
    refused = signature.request_refusal(request, line=line, what="dial result")
    if refused is not None:
        return refused
    status = request.POST.get("DialCallStatus", "")
    back = call_transfer_result(call_id=str(call_id), dial_status=status)
    response = VoiceResponse()
    if back is None:
        response.hangup()
        return _twiml(response)
    token = return_stream_token(provider=NAME, back=back, line=line)
    return HttpResponse(
        connect_twiml(stream=signature.media_stream_url(line=line), token=token),
        content_type="text/xml",
    )
