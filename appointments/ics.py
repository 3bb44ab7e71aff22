"""Appointments as iCalendar (RFC 5545) text: the download link and the email attachment."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from appointments.models import Appointment, AppointmentStatus

STAMP = "%Y%m%dT%H%M%SZ"


def _text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    data = line.encode()
    if len(data) <= 75:
        return [line]
    parts: list[str] = []
    while data:
        limit = 75 if not parts else 74
        cut = min(limit, len(data))
        while cut < len(data) and (data[cut] & 0xC0) == 0x80:  # never split a UTF-8 sequence
            cut -= 1
        parts.append(("" if not parts else " ") + data[:cut].decode())
        data = data[cut:]
    return parts


def appointment_ics(appointment: Appointment, *, agent_name: str) -> str:
    """The appointment as one VEVENT. The UID is stable and SEQUENCE grows with every
    change, so a calendar that imported the file updates it (a reschedule moves the
    event, a cancellation cancels it) instead of adding a second one."""
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Voice agent platform//EN",
        "METHOD:CANCEL" if cancelled else "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{appointment.pk}@voiceagent",
        f"SEQUENCE:{int(appointment.updated_at.timestamp()) if appointment.updated_at else 0}",
        f"DTSTAMP:{timezone.now():{STAMP}}",
        f"DTSTART:{appointment.start_at.astimezone(dt.UTC):{STAMP}}",
        f"DTEND:{appointment.end_at.astimezone(dt.UTC):{STAMP}}",
        f"SUMMARY:{_text(appointment.service_name)} with {_text(agent_name)}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
    ]
    if appointment.calendar_link:
        lines.append(f"URL:{appointment.calendar_link}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(part + "\r\n" for line in lines for part in _fold(line))


def ics_filename(appointment: Appointment) -> str:
    return f"appointment-{appointment.pk}.ics"
