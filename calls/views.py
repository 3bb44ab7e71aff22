from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from agents.selectors import agent_embed_snippet, agent_get_active
from agents.services import DEMO_AGENT_PUBLIC_ID


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
