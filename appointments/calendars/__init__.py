"""Calendar providers: one module per provider, one registry (this module).

The keys are ``appointments.models.CalendarProvider`` values (local needs no
backend: the .ics link is its calendar). Modules load on first use, so a server
that never talks to Google never imports googleapiclient.
"""

from __future__ import annotations

import functools
import importlib

from appointments.calendars.base import CalendarBackend

BACKENDS: dict[str, str] = {
    "google": "appointments.calendars.google:GoogleCalendar",
    "microsoft": "appointments.calendars.microsoft:MicrosoftCalendar",
}


@functools.cache
def backend_for(provider: str) -> CalendarBackend:
    """The backend of ``provider``; ``KeyError`` for a provider without one."""
    module_name, _, class_name = BACKENDS[provider].partition(":")
    backend: CalendarBackend = getattr(importlib.import_module(module_name), class_name)()
    return backend
