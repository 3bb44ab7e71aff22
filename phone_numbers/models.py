"""Phone numbers: which agent answers a number called through a phone provider, and the
provider account (its own credentials, or the server's) that signs its calls."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from calls.telephony.registry import PROVIDERS, provider_choices
from voiceagent.crypto import Secret
from voiceagent.fields import EncryptedSecretField
from voiceagent.models import TimeStampedModel
from voiceagent.validators import validate_e164

NUMBER_TAKEN = "number_taken"  # the unique constraint's error code
SIP_PROVIDER = "openai_sip"  # numbers reached through a SIP trunk pointed at OpenAI


class PhoneNumber(TimeStampedModel):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="phone_numbers"
    )
    # The provider registry is the list (calls/telephony/registry.py); the check
    # constraint below follows it (a new provider gets its migration from
    # `makemigrations`).
    provider = models.CharField(max_length=16, choices=provider_choices)
    number = models.CharField(
        max_length=20,
        validators=[validate_e164],
        help_text="The number callers dial, in E.164 form (+14155550100).",
    )
    agent = models.ForeignKey(
        "agents.Agent",
        on_delete=models.PROTECT,
        related_name="phone_numbers",
        help_text="Who answers calls to this number.",
    )
    label = models.CharField(max_length=80, blank=True, help_text="For you, e.g. “Main line”.")
    is_active = models.BooleanField(
        default=True,
        help_text="Calls to an inactive number are told nobody can take them, and hung up.",
    )
    max_outbound_calls = models.PositiveSmallIntegerField(
        "outbound calls at once",
        default=5,
        help_text="Outbound calls placed from this number at the same time, at most "
        "(campaigns and single calls together).",
    )
    account_id = models.CharField(
        "account id",
        max_length=64,
        blank=True,
        help_text="The provider account that owns the number (Twilio: Account SID; Plivo: "
        "Auth ID), with its auth token. Empty: the server's account.",
    )
    # Write-only: the admin and the API accept a new token, never show the stored one.
    # None: the number uses the server's account. (The field's stub type reads a Secret;
    # null allowed, it is Secret | None.)
    auth_token: Secret | None = EncryptedSecretField(  # type: ignore[assignment,misc]
        null=True,
        blank=True,
        default=None,
        help_text="The account's auth token (checks the provider's signatures); encrypted at rest.",
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "number"],
                name="phone_number_unique_provider_number",
                violation_error_message="This number is already set up on this server.",
                violation_error_code=NUMBER_TAKEN,
            ),
            models.CheckConstraint(
                condition=Q(provider__in=list(PROVIDERS)), name="phone_number_provider_valid"
            ),
        ]
        indexes = [models.Index(fields=["owner", "is_active"])]

    def __str__(self) -> str:
        return f"{self.number} ({self.label})" if self.label else self.number

    @property
    def has_own_credentials(self) -> bool:
        return self.auth_token is not None

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.agent_id is not None and self.owner_id is not None:
            if self.agent.owner_id != self.owner_id:
                errors["agent"] = "The agent belongs to another account than the number."
        # A token alone cannot place or end calls (the REST API needs the account), and an
        # account alone checks no signature: the number uses both, or the server's. (Both
        # problems are the account id's: forms never show the token.)
        if self.account_id and not self.has_own_credentials:
            errors["account_id"] = "An account id needs the account's auth token."
        if self.has_own_credentials and not self.account_id:
            errors["account_id"] = "Give the account id that goes with the auth token."
        if self.provider == SIP_PROVIDER and (self.account_id or self.has_own_credentials):
            # Its calls are OpenAI's, signed with the server's webhook secret and
            # answered with the server's key (OPENAI_WEBHOOK_SECRET, OPENAI_API_KEY).
            errors["account_id"] = "A SIP trunk number uses the server's OpenAI project."
        if errors:
            raise ValidationError(errors)
