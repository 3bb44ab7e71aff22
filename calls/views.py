from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from agents.selectors import agent_embed_snippet, agent_get_active
from agents.services import DEMO_AGENT_PUBLIC_ID
from calls.models import CallLog
from calls.recordings import recording_response, recording_token_call_id
from calls.selectors import calls_for_user


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


def _owned_call(user: Any, call_id: str) -> CallLog | None:
    try:
        calls = calls_for_user(user=user).select_related(None)
        return calls.filter(pk=call_id).only("pk", "recording").first()
    except ValidationError:  # not a UUID
        return None


@staff_member_required
@require_GET
async def call_recording(request: HttpRequest, token: str) -> HttpResponseBase:
    """A call's recording, for a signed and unexpired link and the owner of the call's
    agent (superusers: any). Anything else is a 404, the same whether or not the
    recording exists, so a link tells nobody else anything."""
    call_id = recording_token_call_id(token)
    if call_id is None:
        raise Http404("No such recording.")
    user = await request.auser()
    call = await database_sync_to_async(_owned_call)(user, call_id)
    if call is None or not call.recording:
        raise Http404("No such recording.")
    try:
        return await recording_response(call=call, range_header=request.headers.get("Range", ""))
    except FileNotFoundError:
        raise Http404("No such recording.") from None
