"""Twilio's callbacks for calls the agent places (``outbound``): signed by the account
of the number the call comes from, addressed to one attempt.

- ``answer``: the callee picked up; ``<Connect><Stream>`` to the agent, whose stream
  token names the attempt (its contact's context, its direction);
- ``machine``: the asynchronous answering-machine verdict (``AnsweredBy``);
  ``DetectMessageEnd`` sends a machine's verdict after its beep;
- ``status``: progress and the final status (busy, no-answer, failed, completed…).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.twiml.voice_response import VoiceResponse

from calls.models import Channel
from calls.telephony import callbacks
from calls.telephony.twilio import NAME, signature
from calls.telephony.twilio.status import FINAL_STATUSES
from calls.telephony.twilio.webhook import connect_twiml
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


@csrf_exempt  # Twilio signs the request instead
@require_POST
def answer(request: HttpRequest, attempt_id: int) -> HttpResponse:
    refused = _checked(request, attempt_id, "outbound answer")
    if refused is not None:
        return refused
    call_sid = request.POST.get("CallSid", "")
    if not call_sid:
        return HttpResponse("CallSid is missing.", status=400, content_type="text/plain")
    token = webhooks.outbound_answer(provider=NAME, attempt_id=attempt_id, call_id=call_sid)
    if token is None:
        response = VoiceResponse()
        response.hangup()
        return HttpResponse(str(response), content_type="text/xml")
    line = webhooks.attempt_line(provider=NAME, attempt_id=attempt_id) or ""
    twiml = connect_twiml(stream=signature.media_stream_url(line=line), token=token)
    return HttpResponse(twiml, content_type="text/xml")


@csrf_exempt
@require_POST
def machine(request: HttpRequest, attempt_id: int) -> HttpResponse:
    refused = _checked(request, attempt_id, "answering-machine callback")
    if refused is not None:
        return refused
    answered_by = request.POST.get("AnsweredBy", "").strip().lower()
    webhooks.outbound_machine(
        provider=NAME,
        attempt_id=attempt_id,
        call_id=request.POST.get("CallSid", ""),
        answered_by=answered_by,
        # DetectMessageEnd reports a machine once its greeting is over.
        after_beep=answered_by.startswith("machine_end"),
    )
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def status(request: HttpRequest, attempt_id: int) -> HttpResponse:
    refused = _checked(request, attempt_id, "outbound status callback")
    if refused is not None:
        return refused
    call_status = request.POST.get("CallStatus", "").strip().lower()
    webhooks.outbound_progress(
        attempt_id=attempt_id,
        provider_status=call_status,
        final=call_status in FINAL_STATUSES,
        channel=Channel.TWILIO,
        call_id=request.POST.get("CallSid", ""),
        duration_seconds=callbacks.whole_seconds(request.POST.get("CallDuration", "")),
    )
    return HttpResponse(status=204)
