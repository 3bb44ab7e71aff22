from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from appointments.ics import appointment_ics as ics_text
from appointments.ics import ics_filename
from appointments.models import Appointment


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
