import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from appointments.models import Appointment, AppointmentStatus


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def appointment_ics(request: HttpRequest, appointment_id: str) -> HttpResponse:
    """The appointment as an iCalendar file; the unguessable id is the only key."""
    appointment = Appointment.objects.select_related("agent").filter(pk=appointment_id).first()
    if appointment is None:
        raise Http404("No such appointment.")
    stamp = "%Y%m%dT%H%M%SZ"
    status = "CANCELLED" if appointment.status == AppointmentStatus.CANCELLED else "CONFIRMED"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Voice agent platform//EN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{appointment.pk}@voiceagent",
        f"DTSTAMP:{timezone.now():{stamp}}",
        f"DTSTART:{appointment.start_at.astimezone(dt.UTC):{stamp}}",
        f"DTEND:{appointment.end_at.astimezone(dt.UTC):{stamp}}",
        f"SUMMARY:{_ics_text(appointment.service_name)} with {_ics_text(appointment.agent.name)}",
        f"STATUS:{status}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    response = HttpResponse(
        "\r\n".join(lines) + "\r\n", content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.pk}.ics"'
    return response
