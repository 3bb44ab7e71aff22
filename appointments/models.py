"""Appointments booked by the agents and the calendars they go into."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from voiceagent.fields import EncryptedJSONField
from voiceagent.models import TimeStampedModel
from voiceagent.validators import validate_timezone


class AppointmentStatus(models.TextChoices):
    PENDING = "pending", "Pending (calendar event not created yet)"
    CONFIRMED = "confirmed", "Confirmed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class CalendarProvider(models.TextChoices):
    GOOGLE = "google", "Google Calendar"
    MICROSOFT = "microsoft", "Microsoft 365"
    LOCAL = "local", "Local (.ics)"


class ConnectionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    NEEDS_REAUTH = "needs_reauth", "Needs to be connected again"
    REVOKED = "revoked", "Revoked"


class CalendarConnection(TimeStampedModel):
    """An OAuth connection to a Google or Microsoft calendar; tokens encrypted at rest."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_connections"
    )
    provider = models.CharField(
        max_length=10,
        choices=[
            (CalendarProvider.GOOGLE.value, CalendarProvider.GOOGLE.label),
            (CalendarProvider.MICROSOFT.value, CalendarProvider.MICROSOFT.label),
        ],
    )
    account_email = models.EmailField()
    calendar_id = models.CharField(
        max_length=255, default="primary", help_text="Which calendar of the account to use."
    )
    token_data = EncryptedJSONField(
        null=True, help_text="OAuth tokens (access, refresh, expiry), encrypted."
    )
    scopes = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=16, choices=ConnectionStatus, default=ConnectionStatus.ACTIVE
    )
    token_expires_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    add_online_meeting = models.BooleanField(
        default=False,
        help_text="Give each booked event a video link (Google Meet, Microsoft Teams).",
    )

    class Meta:
        ordering = ["provider", "account_email"]
        constraints = [
            models.UniqueConstraint(
                "owner",
                "provider",
                Lower("account_email"),
                name="calendar_connection_unique_account",
                violation_error_message="This account is already connected.",
            ),
            models.CheckConstraint(
                condition=Q(provider__in=["google", "microsoft"]),
                name="calendar_connection_provider_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ConnectionStatus.values),
                name="calendar_connection_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()}: {self.account_email}"

    @property
    def has_token(self) -> bool:
        return self.token_data is not None


class Appointment(TimeStampedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agent = models.ForeignKey("agents.Agent", on_delete=models.PROTECT, related_name="appointments")
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
    )
    call = models.ForeignKey(
        "calls.CallLog",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
        help_text="The call in which it was booked.",
    )
    service = models.ForeignKey(
        "agents.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
    )
    service_name = models.CharField(
        max_length=80, help_text="The service as booked (kept if the service is renamed)."
    )
    start_at = models.DateTimeField(help_text="Stored in UTC.")
    end_at = models.DateTimeField(help_text="Stored in UTC.")
    timezone = models.CharField(
        max_length=64,
        validators=[validate_timezone],
        help_text="Time zone the appointment was booked in (the agent's).",
    )
    status = models.CharField(
        max_length=10, choices=AppointmentStatus, default=AppointmentStatus.PENDING
    )
    provider = models.CharField(
        max_length=10, choices=CalendarProvider, default=CalendarProvider.LOCAL
    )
    external_event_id = models.CharField(max_length=255, blank=True)
    calendar_link = models.URLField(max_length=1000, blank=True)
    meeting_link = models.URLField(
        max_length=1000, blank=True, help_text="The event's Meet or Teams link, when it has one."
    )
    sync_attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Failed tries at the calendar event since the last change."
    )
    sync_next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When the calendar event is tried again."
    )
    revision = models.PositiveIntegerField(
        default=0, editable=False, help_text="Grows with each reschedule and cancellation."
    )
    idempotency_key = models.CharField(
        max_length=64,
        unique=True,
        help_text="Makes booking and calendar-event creation safe to retry.",
    )
    notes = models.TextField(blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-start_at"]
        indexes = [
            models.Index(fields=["agent", "start_at"], name="appointment_agent_start"),
            models.Index(fields=["status", "start_at"], name="appointment_status_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_at__gt=F("start_at")),
                name="appointment_ends_after_start",
                violation_error_message="The appointment must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AppointmentStatus.values),
                name="appointment_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(provider__in=CalendarProvider.values),
                name="appointment_provider_valid",
            ),
            # Last line of defence against double booking: two live bookings of one
            # agent cannot start at the same instant. Overlaps are checked under a
            # lock by the booking service.
            models.UniqueConstraint(
                fields=["agent", "start_at"],
                condition=Q(status__in=["pending", "confirmed"]),
                name="appointment_no_double_booking",
                violation_error_message="This time is already booked.",
            ),
            models.UniqueConstraint(
                fields=["provider", "external_event_id"],
                condition=~Q(external_event_id=""),
                name="appointment_unique_external_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_name} at {self.start_at:%Y-%m-%d %H:%M} UTC"
