from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from agents.models import Agent
from agents.selectors import agents_for_user
from appointments.calendar_services import (
    calendar_connection_connect,
    calendar_connection_disconnect,
)
from appointments.calendars import backend_for
from appointments.calendars.base import CalendarBackend, CalendarError
from appointments.ics import appointment_ics as ics_text
from appointments.ics import ics_filename
from appointments.models import Appointment, CalendarProvider
from voiceagent.links import public_url

logger = logging.getLogger(__name__)


def appointment_ics(request: HttpRequest, appointment_id: str) -> HttpResponse:
    """The appointment as an iCalendar file; the unguessable id is the only key."""
    appointment = Appointment.objects.select_related("agent").filter(pk=appointment_id).first()
    if appointment is None:
        raise Http404("No such appointment.")
    response = HttpResponse(
        ics_text(appointment, agent_name=appointment.agent.name),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{ics_filename(appointment)}"'
    return response


# -- calendar connections (linked from the agent's admin page)

SESSION_KEY = "calendar_oauth"


def _agent_page(agent_id: int) -> str:
    return reverse("admin:agents_agent_change", args=[agent_id])


def _callback_uri(request: HttpRequest, provider: str) -> str:
    path = reverse("calendar-callback", args=[provider])
    return public_url(path, request)


def _backend(provider: str) -> CalendarBackend:
    if provider not in CalendarProvider.values or provider == CalendarProvider.LOCAL:
        raise Http404("No such calendar provider.")
    return backend_for(provider)


# The connect and callback views talk to the provider (msal fetches its configuration,
# the code is exchanged for tokens). They are async so that, under ASGI, that wait happens
# in a worker thread of its own: a sync view runs in the one thread every call's database
# work shares, and would hold all calls for as long as the provider takes.
def _agent_for(user: Any, agent_id: int) -> Agent | None:
    return agents_for_user(user=user).filter(pk=agent_id).first()


@staff_member_required
@require_GET
async def calendar_connect(request: HttpRequest, provider: str, agent_id: int) -> HttpResponse:
    """Sends the owner to the provider's consent page; state, PKCE verifier and nonce
    stay in the server-side session until the callback."""
    backend = _backend(provider)
    user = await request.auser()
    agent = await database_sync_to_async(_agent_for)(user, agent_id)
    if agent is None:
        raise Http404("No such agent.")
    label = CalendarProvider(provider).label
    if not backend.configured():
        messages.error(
            request,
            f"{label} is not configured on this server: set its client id and secret "
            "(docs/calendars.md).",
        )
        return redirect(_agent_page(agent.pk))
    try:
        start = await sync_to_async(backend.authorization_start, thread_sensitive=False)(
            redirect_uri=_callback_uri(request, provider)
        )
    except CalendarError as exc:
        messages.error(request, f"Could not start the {label} sign-in: {exc}")
        return redirect(_agent_page(agent.pk))
    await request.session.aset(
        SESSION_KEY,
        {
            "provider": provider,
            "agent_id": agent.pk,
            "state": start.state,
            "pending": start.pending,
        },
    )
    return redirect(start.url)


@csrf_exempt  # the provider may post here (form_post); the OAuth state is the CSRF check
@staff_member_required
@require_http_methods(["GET", "POST"])
async def calendar_callback(request: HttpRequest, provider: str) -> HttpResponse:
    backend = _backend(provider)
    pending = await request.session.apop(SESSION_KEY, None)
    if not pending or pending.get("provider") != provider:
        messages.error(request, "That sign-in expired or was not started here; start again.")
        return redirect(reverse("admin:agents_agent_changelist"))
    agent_id = int(pending["agent_id"])
    user = await request.auser()
    agent = await database_sync_to_async(_agent_for)(user, agent_id)
    if agent is None:
        raise Http404("No such agent.")
    query = request.POST if request.method == "POST" else request.GET
    params = {key: str(query.get(key, "")) for key in query}
    label = CalendarProvider(provider).label
    try:
        authorized = await sync_to_async(backend.authorization_finish, thread_sensitive=False)(
            pending=pending["pending"],
            params=params,
            redirect_uri=_callback_uri(request, provider),
        )
    except CalendarError as exc:
        logger.warning("%s sign-in for agent %s refused: %s", label, agent_id, exc)
        messages.error(request, f"{label} was not connected: {exc}")
        return redirect(_agent_page(agent_id))
    connection = await database_sync_to_async(calendar_connection_connect)(
        owner_id=agent.owner_id, agent_id=agent_id, provider=provider, authorized=authorized
    )
    messages.success(request, f"{agent.name} now books into {connection}.")
    return redirect(_agent_page(agent_id))


@staff_member_required
@require_http_methods(["GET", "POST"])
def calendar_disconnect(request: HttpRequest, agent_id: int) -> HttpResponse:
    agent = get_object_or_404(
        agents_for_user(user=request.user).select_related("calendar_connection"), pk=agent_id
    )
    if request.method == "POST":
        connection = calendar_connection_disconnect(agent_id=agent.pk)
        if connection is not None:
            messages.success(
                request, f"{agent.name} no longer books into {connection}; bookings stay local."
            )
        return redirect(_agent_page(agent.pk))
    return render(
        request,
        "admin/appointments/calendar_disconnect.html",
        {
            "agent": agent,
            "connection": agent.calendar_connection,
            "title": "Disconnect the calendar",
            "site_header": "Voice agent platform",
        },
    )
