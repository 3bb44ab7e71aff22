"""Outbound calls: each agent's policy for calling people, campaigns, and every attempt.

An attempt is one call the agent places to a contact: it is scheduled, dialled, rings,
is answered (or not), and ends with a result. Its status row is what makes placing and
retrying calls idempotent and race-safe: a contact has at most one live attempt at a
time (a partial unique constraint), whichever campaign or person asked for it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from voiceagent.models import TimeStampedModel

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def default_calling_days() -> list[int]:
    return [0, 1, 2, 3, 4]  # Monday to Friday


class VoicemailAction(models.TextChoices):
    HANG_UP = "hang_up", "Hang up"
    LEAVE_MESSAGE = "leave_message", "Leave a message after the beep"


DEFAULT_OUTBOUND_GREETING = "Hi {name}, this is {agent}, calling you back. Is now a good time?"
DEFAULT_VOICEMAIL_MESSAGE = (
    "Hi {name}, this is {agent}, returning your call. Sorry we missed you. "
    "Please call us back when it suits you. Goodbye!"
)


class OutboundPolicy(TimeStampedModel):
    """How an agent calls people: when, how often it tries again, what it does when an
    answering machine picks up. An agent without a row uses the defaults."""

    agent = models.OneToOneField(
        "agents.Agent", on_delete=models.CASCADE, related_name="outbound_policy"
    )
    greeting = models.TextField(
        "outbound greeting",
        default=DEFAULT_OUTBOUND_GREETING,
        help_text="What the agent says when the person answers. {name}: the contact's "
        "name (empty when unknown); {agent}: the agent's name.",
    )
    calling_hours_start = models.TimeField(
        default=dt.time(9, 0), help_text="Earliest time to call, in the contact's time zone."
    )
    calling_hours_end = models.TimeField(
        default=dt.time(20, 0), help_text="Latest time to start a call, in the contact's time zone."
    )
    calling_days = models.JSONField(
        default=default_calling_days,
        help_text="Weekdays calls may be placed on, in the contact's time zone: "
        "0 = Monday … 6 = Sunday.",
    )
    max_attempts = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="Calls to one person in all, counting retries after busy, no answer, "
        "failure or an answering machine.",
    )
    retry_minutes = models.PositiveIntegerField(
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(7 * 24 * 60)],
        help_text="Minutes between one attempt's end and the next (then at the next "
        "calling hours).",
    )
    ring_seconds = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(60)],
        help_text="How long the phone rings before the attempt counts as not answered.",
    )
    voicemail_action = models.CharField(
        max_length=16,
        choices=VoicemailAction,
        default=VoicemailAction.LEAVE_MESSAGE,
        help_text="When an answering machine picks up (the provider's answering-machine "
        "detection).",
    )
    voicemail_message = models.TextField(
        default=DEFAULT_VOICEMAIL_MESSAGE,
        help_text="Spoken by the agent after the beep. {name} and {agent} as in the greeting.",
    )

    class Meta:
        verbose_name = "outbound calling policy"
        verbose_name_plural = "outbound calling policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(voicemail_action__in=VoicemailAction.values),
                name="outbound_policy_voicemail_action_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Outbound calling of {self.agent}"

    def clean(self) -> None:
        days = self.calling_days
        if (
            not isinstance(days, list)
            or not days
            or any(not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 6 for d in days)
        ):
            raise ValidationError(
                {"calling_days": "A non-empty list of weekdays, 0 (Monday) to 6 (Sunday)."}
            )
        if self.calling_hours_start >= self.calling_hours_end:
            raise ValidationError({"calling_hours_end": "Calling hours must end after they start."})
        for field in ("greeting", "voicemail_message"):
            try:
                getattr(self, field).format(name="", agent="")
            except (KeyError, IndexError, ValueError) as exc:
                raise ValidationError(
                    {field: f"Only {{name}} and {{agent}} may be used ({exc})."}
                ) from None


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class Campaign(TimeStampedModel):
    """A list of contacts an agent calls from one number, within the contacts' calling
    hours, at most ``max_concurrent_calls`` at a time."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campaigns"
    )
    name = models.CharField(max_length=120)
    agent = models.ForeignKey("agents.Agent", on_delete=models.PROTECT, related_name="campaigns")
    phone_number = models.ForeignKey(
        "phone_numbers.PhoneNumber",
        on_delete=models.PROTECT,
        related_name="campaigns",
        help_text="The number the calls come from (its provider places them).",
    )
    status = models.CharField(max_length=10, choices=CampaignStatus, default=CampaignStatus.DRAFT)
    starts_at = models.DateTimeField(
        default=timezone.now, help_text="No call is placed before this time."
    )
    ends_at = models.DateTimeField(
        null=True, blank=True, help_text="No call is placed after this time. Empty: no end."
    )
    max_concurrent_calls = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text="Calls of this campaign at once (the agent's and the number's limits apply too).",
    )
    contacts = models.ManyToManyField(
        "contacts.Contact", through="CampaignContact", related_name="campaigns"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CampaignStatus.values), name="campaign_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="campaign_ends_after_start",
                violation_error_message="A campaign must end after it starts.",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="campaign_status")]

    def __str__(self) -> str:
        return self.name


class CampaignContact(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="entries")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="campaign_entries"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "contact"], name="campaign_contact_unique")
        ]

    def __str__(self) -> str:
        return f"{self.contact} in {self.campaign}"


class AttemptStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"  # waits for its time (a retry, a campaign's turn)
    DIALLING = "dialling", "Dialling"  # claimed: the provider is being asked to call
    RINGING = "ringing", "Ringing"  # the provider accepted the request
    IN_PROGRESS = "in_progress", "In progress"  # answered
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


# Attempts that hold a line (count against the campaign's, number's and agent's limits).
LIVE_STATUSES = (AttemptStatus.DIALLING, AttemptStatus.RINGING, AttemptStatus.IN_PROGRESS)
# Attempts not finished: a contact has at most one.
OPEN_STATUSES = (AttemptStatus.SCHEDULED, *LIVE_STATUSES)


class AttemptResult(models.TextChoices):
    NONE = "", "—"
    ANSWERED = "answered", "Answered"
    VOICEMAIL_LEFT = "voicemail_left", "Voicemail: message left"
    VOICEMAIL = "voicemail", "Voicemail: hung up"
    BUSY = "busy", "Busy"
    NO_ANSWER = "no_answer", "No answer"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


# Results after which the contact is called again (policy permitting).
RETRYABLE_RESULTS = frozenset(
    {AttemptResult.BUSY, AttemptResult.NO_ANSWER, AttemptResult.FAILED, AttemptResult.VOICEMAIL}
)


class CallAttempt(TimeStampedModel):
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="call_attempts"
    )
    agent = models.ForeignKey(
        "agents.Agent", on_delete=models.PROTECT, related_name="call_attempts"
    )
    phone_number = models.ForeignKey(
        "phone_numbers.PhoneNumber",
        on_delete=models.PROTECT,
        related_name="call_attempts",
        help_text="The number the call comes from.",
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attempts",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    number = models.PositiveSmallIntegerField(
        "attempt", default=1, help_text="1 for the first call, 2 for the first retry…"
    )
    to_number = models.CharField(max_length=20, help_text="The number called (E.164).")
    status = models.CharField(max_length=12, choices=AttemptStatus, default=AttemptStatus.SCHEDULED)
    result = models.CharField(max_length=16, choices=AttemptResult, blank=True)
    scheduled_for = models.DateTimeField(default=timezone.now)
    dialled_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    provider = models.CharField(max_length=16)
    # Twilio: the CallSid, known at once. Plivo: the request's uuid at first, then the
    # CallUUID once the call is answered (provider_request_id keeps the request's).
    provider_call_id = models.CharField(max_length=64, blank=True, db_index=True)
    provider_request_id = models.CharField(max_length=64, blank=True)
    provider_status = models.CharField(max_length=20, blank=True)
    answered_by = models.CharField(
        max_length=24, blank=True, help_text="The provider's answering-machine detection."
    )
    call = models.ForeignKey(
        "calls.CallLog",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbound_attempts",
        help_text="The conversation, when the call was answered.",
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Nobody is called twice at once, whichever campaign or person asked.
            models.UniqueConstraint(
                fields=["contact"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="call_attempt_one_open_per_contact",
                violation_error_message="This contact already has a call scheduled or under way.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AttemptStatus.values), name="call_attempt_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(result__in=AttemptResult.values), name="call_attempt_result_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "scheduled_for"], name="call_attempt_due"),
            models.Index(fields=["campaign", "status"], name="call_attempt_campaign"),
        ]

    def __str__(self) -> str:
        return f"Call {self.number} to {self.to_number}"
