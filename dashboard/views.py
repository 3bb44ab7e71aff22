"""The staff dashboard's pages: thin views over ``dashboard.selectors`` (reads) and
``calls.live_services`` (hanging up). Staff only; anyone else goes to the admin login.
What the figures mean: docs/dashboard.md."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from calls import live_services
from calls.live_services import HangUp
from calls.recordings import recording_url
from dashboard.charts import overview_charts
from dashboard.forms import OverviewFilterForm
from dashboard.periods import DEFAULT_PERIOD
from dashboard.selectors import (
    call_appointments,
    call_for_user,
    call_timeline,
    dashboard_agents,
    live_call_row,
    live_calls,
    overview_get,
    overview_period,
)

logger = logging.getLogger(__name__)

HANG_UP_MESSAGES = {
    HangUp.ENDED: (messages.SUCCESS, "The call was ended (staff ended)."),
    HangUp.ENDING: (messages.INFO, "The call is ending; a tool it was running is finishing."),
    HangUp.NOT_LIVE: (messages.WARNING, "The call is not live: it had already ended."),
    HangUp.NO_PROCESS: (
        messages.ERROR,
        "The call is not live in any server process (its process has stopped); it is "
        "closed as lost once that process misses its heartbeats, within about a minute.",
    ),
    HangUp.UNAVAILABLE: (
        messages.ERROR,
        "The call could not be reached: the channel layer is unavailable. Try again.",
    ),
}


@staff_member_required
def overview(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    data.setdefault("period", DEFAULT_PERIOD)
    form = OverviewFilterForm(data, agents=dashboard_agents(user=request.user))
    choice: dict[str, Any] = form.cleaned_data if form.is_valid() else {"period": DEFAULT_PERIOD}
    agent = choice.get("agent")
    period = overview_period(
        user=request.user,
        agent=agent,
        key=choice["period"],
        first=choice.get("start"),
        last=choice.get("end"),
        now=timezone.now(),
    )
    figures = overview_get(user=request.user, period=period, agent=agent)
    context = {"section": "overview", "form": form, "overview": figures, **overview_charts(figures)}
    return render(request, "dashboard/overview.html", context)


@staff_member_required
def call_detail(request: HttpRequest, call_id: uuid.UUID) -> HttpResponse:
    call = call_for_user(user=request.user, call_id=call_id)
    if call is None:
        raise Http404("No such call.")
    context = {
        "call": call,
        "timeline": call_timeline(call=call),
        "appointments": call_appointments(call=call),
        # Signed and expiring; played with the staff user's session (owner checked again).
        "recording_url": recording_url(call=call),
        "total_cost": call.cost_usd + call.summary_cost_usd,
    }
    return render(request, "dashboard/call_detail.html", context)


@staff_member_required
def live(request: HttpRequest) -> HttpResponse:
    calls = list(live_calls(user=request.user))
    return render(request, "dashboard/live.html", {"section": "live", "calls": calls})


@staff_member_required
def live_calls_json(request: HttpRequest) -> JsonResponse:
    """The live page asks for this every few seconds to show calls that began since."""
    return JsonResponse({"calls": [live_call_row(call) for call in live_calls(user=request.user)]})


@staff_member_required
@require_POST
async def call_hang_up(request: HttpRequest, call_id: uuid.UUID) -> HttpResponse:
    """Ends a live call with reason ``staff_ended``, wherever it runs. Async: the answer
    comes through the channel layer, received in the server's event loop."""
    user = await request.auser()
    call = await sync_to_async(call_for_user)(user=user, call_id=call_id)
    if call is None:
        raise Http404("No such call.")
    result = await live_services.call_hang_up(call_id=str(call.pk))
    logger.info("Call %s: hang-up by %s: %s", call.pk, user.pk, result)
    level, text = HANG_UP_MESSAGES[result]
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"result": result.value, "message": text})
    messages.add_message(request, level, text)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("dashboard:call", args=[call.pk])
    return redirect(target)
