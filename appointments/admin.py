from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.http import HttpRequest
from django.utils import timezone as dj_timezone

from agents.admin import OwnedAgentFilter
from appointments.models import Appointment, CalendarConnection
from appointments.selectors import appointments_for_user, calendar_connections_for_user
from voiceagent.admin import OwnerScopedAdmin


def appointment_when(appointment: Appointment, *, compact: bool = False) -> str:
    """When it starts, in the time zone it was booked in (the business's); ``compact``
    for lists: no year, no zone."""
    local = dj_timezone.localtime(appointment.start_at, ZoneInfo(appointment.timezone))
    if compact:
        return f"{local:%a %d %b, %H:%M}"
    return f"{local:%a %d %b %Y, %H:%M} ({appointment.timezone})"


@admin.register(Appointment)
class AppointmentAdmin(OwnerScopedAdmin):
    """Appointments are booked by calls; the admin reads them and keeps notes."""

    scoped_queryset = staticmethod(appointments_for_user)
    list_display = [
        "local_start",
        "service_name",
        "contact",
        "agent",
        "status",
        "provider",
    ]
    list_filter = ["status", "provider", ("agent", OwnedAgentFilter), "start_at"]
    date_hierarchy = "start_at"
    search_fields = [
        "=id",
        "service_name",
        "contact__name",
        "contact__email",
        "contact__phone",
        "external_event_id",
    ]
    list_select_related = ["agent", "contact"]
    fieldsets = [
        (None, {"fields": ["service_name", "local_start", "start_at", "end_at", "timezone"]}),
        ("Who", {"fields": ["agent", "contact", "call"]}),
        (
            "Calendar",
            {
                "fields": [
                    "status",
                    "provider",
                    "external_event_id",
                    "calendar_link",
                    "meeting_link",
                    "last_error",
                    "sync_attempts",
                    "sync_next_attempt_at",
                ]
            },
        ),
        ("Notes", {"fields": ["notes"]}),
        ("Record", {"fields": ["id", "idempotency_key", "created_at", "updated_at"]}),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field for field in flatten_fieldsets(self.fieldsets) if field != "notes"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Bookings go through the booking service (availability, calendar event).
        return False

    @admin.display(description="Starts (local time)", ordering="start_at")
    def local_start(self, appointment: Appointment) -> str:
        return appointment_when(appointment)


@admin.register(CalendarConnection)
class CalendarConnectionAdmin(OwnerScopedAdmin):
    """Connections are made through the provider's sign-in; tokens are never shown."""

    scoped_queryset = staticmethod(calendar_connections_for_user)
    owner_field = "owner"
    list_display = ["account_email", "provider", "calendar_id", "status", "owner", "updated_at"]
    list_filter = ["provider", "status"]
    search_fields = ["account_email", "calendar_id"]
    fields = [
        "owner",
        "provider",
        "account_email",
        "calendar_id",
        "status",
        "add_online_meeting",
        "token_stored",
        "scopes",
        "token_expires_at",
        "last_error",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [
        "provider",
        "account_email",
        "token_stored",
        "scopes",
        "token_expires_at",
        "last_error",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Token stored", boolean=True)
    def token_stored(self, connection: CalendarConnection) -> bool:
        return connection.has_token
