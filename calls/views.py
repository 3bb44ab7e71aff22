from typing import Any

from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from agents.selectors import agent_embed_snippet, agent_get_active
from agents.services import DEMO_AGENT_PUBLIC_ID
from calls.models import CallLog
from calls.recordings import recording_response, recording_token_grant
from calls.selectors import calls_for_user
from voiceagent.links import public_base_url


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
            "engine": agent.engine_name,
            "snippet": agent_embed_snippet(agent=agent, base_url=public_base_url(request)),
        },
    )


def _owned_call(user: Any, call_id: str) -> CallLog | None:
    try:
        calls = calls_for_user(user=user).select_related(None)
        return calls.filter(pk=call_id).only("pk", "recording").first()
    except ValidationError:  # not a UUID
        return None


def _link_user(user_id: int) -> Any:
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


@require_GET
async def call_recording(request: HttpRequest, token: str) -> HttpResponseBase:
    """A call's recording, for a signed and unexpired link and the owner of the call's
    agent (superusers: any): the signed-in staff user, or the user a link from the API
    was made for. Anything else is a 404, the same whether or not the recording
    exists, so a link tells nobody else anything."""
    grant = recording_token_grant(token)
    if grant is None:
        raise Http404("No such recording.")
    call_id, link_user_id = grant
    user: Any = await request.auser()
    if not (user.is_authenticated and user.is_staff):
        if link_user_id is None:
            # A link for the admin or dashboard: sign in first, as for their pages.
            return redirect_to_login(request.get_full_path(), login_url=reverse("admin:login"))
        user = await database_sync_to_async(_link_user)(link_user_id)
        if user is None:
            raise Http404("No such recording.")
    call = await database_sync_to_async(_owned_call)(user, call_id)
    if call is None or not call.recording:
        raise Http404("No such recording.")
    try:
        return await recording_response(call=call, range_header=request.headers.get("Range", ""))
    except FileNotFoundError:
        raise Http404("No such recording.") from None
