import logging

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from agents.selectors import agent_embed_snippet, agent_get_active
from agents.services import DEMO_AGENT_PUBLIC_ID
from calls import services, twilio

logger = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = "Sorry, nobody can take your call right now. Please try again later."


def demo(request: HttpRequest) -> HttpResponse:
    """The demo agent's widget, and how to embed it."""
    agent = agent_get_active(public_id=DEMO_AGENT_PUBLIC_ID)
    if agent is None:
        raise Http404("Run `python manage.py bootstrap` to create the demo agent.")
    return render(
        request,
        "demo.html",
        {
            "agent": agent,
            "engine": settings.VOICEAGENT_ENGINE,
            "snippet": agent_embed_snippet(
                agent=agent, base_url=settings.PUBLIC_BASE_URL or request.build_absolute_uri("/")
            ),
        },
    )


@csrf_exempt  # Twilio signs the request instead
@require_POST
def twilio_voice(request: HttpRequest, agent_public_id: str) -> HttpResponse:
    """Twilio's voice webhook: answers with a bidirectional Media Stream to the agent."""
    if not twilio.configured():
        return HttpResponse(
            "Twilio is not configured on this server: set TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL.",
            status=503,
            content_type="text/plain",
        )
    url = twilio.public_url(path=request.path, query=request.META.get("QUERY_STRING", ""))
    signature = request.headers.get("X-Twilio-Signature", "")
    if not twilio.signature_valid(url=url, params=request.POST, signature=signature):
        logger.warning("Refused a Twilio webhook with a bad signature for %s", url)
        return HttpResponse("Invalid Twilio signature.", status=403, content_type="text/plain")
    call_sid = request.POST.get("CallSid", "")
    if not call_sid:
        return HttpResponse("CallSid is missing.", status=400, content_type="text/plain")
    admitted = services.phone_call_admit(public_id=agent_public_id, provider_call_id=call_sid)
    if isinstance(admitted, services.Refusal):
        logger.info("Refused Twilio call %s: %s", call_sid, admitted.reason)
        return HttpResponse(twilio.refusal_twiml(UNAVAILABLE_MESSAGE), content_type="text/xml")
    token = twilio.stream_token(
        agent_public_id=admitted.public_id,
        call_sid=call_sid,
        caller=request.POST.get("From", ""),
        called=request.POST.get("To", ""),
    )
    twiml = twilio.connect_twiml(stream=twilio.stream_url(), token=token)
    return HttpResponse(twiml, content_type="text/xml")
