"""Contacts (leads) captured by the agents, one address book per owner."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from voiceagent.models import TimeStampedModel
from voiceagent.validators import validate_e164, validate_timezone


class ContactStatus(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    BOOKED = "booked", "Booked"
    TRANSFERRED = "transferred", "Transferred"
    OPTED_OUT = "opted_out", "Opted out"


class Contact(TimeStampedModel):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contacts"
    )
    agent = models.ForeignKey(
        "agents.Agent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        help_text="The agent that first captured this contact.",
    )
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(
        max_length=20, blank=True, validators=[validate_e164], help_text="E.164, e.g. +15551234567."
    )
    source_call = models.ForeignKey(
        "calls.CallLog",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="captured_contacts",
        help_text="The call in which this contact was first captured.",
    )
    status = models.CharField(max_length=12, choices=ContactStatus, default=ContactStatus.NEW)
    notes = models.TextField(blank=True)
    timezone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_timezone],
        help_text="IANA time zone, e.g. America/Chicago, for calling hours. Empty: derived "
        "from the phone number.",
    )
    do_not_call = models.BooleanField(
        "do not call",
        default=False,
        help_text="Never place a call to this contact (they asked, or you decided).",
    )
    opted_out_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "status"], name="contact_owner_status")]
        constraints = [
            # One contact per person per owner: the same email (any case) or the
            # same phone number updates the existing row instead of duplicating it.
            models.UniqueConstraint(
                "owner",
                Lower("email"),
                condition=~Q(email=""),
                name="contact_unique_owner_email",
                violation_error_message="A contact with this email already exists.",
            ),
            models.UniqueConstraint(
                fields=["owner", "phone"],
                condition=~Q(phone=""),
                name="contact_unique_owner_phone",
                violation_error_message="A contact with this phone number already exists.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ContactStatus.values), name="contact_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(name="", email="", phone=""),
                name="contact_not_empty",
                violation_error_message="A contact needs a name, an email or a phone number.",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.email or self.phone
