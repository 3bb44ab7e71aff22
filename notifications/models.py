"""The outbox: every email and webhook a call or booking causes, as a row with a status.

A row is written in the same transaction as what caused it (a summary stored, an
appointment confirmed), so nothing is sent for work that rolled back and nothing is
lost when a process dies between the commit and the send. Sending claims the row
first, so a task that runs twice sends once.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from voiceagent.models import TimeStampedModel


class OutboxKind(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (gave up)"
    CANCELLED = "cancelled", "Cancelled"


class OutboxMessage(TimeStampedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outbox_messages"
    )
    agent = models.ForeignKey(
        "agents.Agent",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbox_messages",
    )
    # A purged call takes its follow-ups with it: they quote its transcript.
    call = models.ForeignKey(
        "calls.CallLog",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbox_messages",
    )
    appointment = models.ForeignKey(
        "appointments.Appointment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbox_messages",
    )
    kind = models.CharField(max_length=8, choices=OutboxKind)
    topic = models.CharField(
        max_length=40, help_text="What it is about: call.ended, summary.caller, ..."
    )
    dedupe_key = models.CharField(
        max_length=200,
        unique=True,
        help_text="One message per key: asking twice for the same follow-up writes one row.",
    )
    recipient = models.CharField(
        max_length=1000, help_text="Email addresses, or the webhook URL, at the time it was made."
    )
    payload = models.JSONField(
        help_text="Email: subject, text, html, attachments. Webhook: the JSON body."
    )
    status = models.CharField(max_length=10, choices=OutboxStatus, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=8)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When a waiting message is due (empty: at once)."
    )
    claimed_until = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="A sender holds the message until then; after that, it was lost and "
        "another may take it.",
    )
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "outbox message"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_status_due"),
            models.Index(fields=["agent", "-created_at"], name="outbox_agent_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=OutboxKind.values), name="outbox_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=OutboxStatus.values), name="outbox_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} to {self.recipient[:60]}"


class DeliveryAttempt(models.Model):
    """One try at sending an outbox message: the delivery log."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="deliveries")
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    ok = models.BooleanField(default=False)
    status_code = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The webhook endpoint's HTTP status."
    )
    error = models.TextField(blank=True)
    response_excerpt = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["message", "-started_at"], name="delivery_message_started")]

    def __str__(self) -> str:
        return f"{'ok' if self.ok else 'failed'} at {self.started_at:%Y-%m-%d %H:%M:%S}"
