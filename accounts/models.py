"""Per-user API keys for the REST API."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from voiceagent.models import TimeStampedModel

KEY_PREFIX = "vak_"


class ApiKey(TimeStampedModel):
    """A key is shown once, when made; only its SHA-256 is stored (keys are 256 random
    bits, so a fast hash is as good as a slow one and costs nothing per request). The
    prefix, stored in clear, lets a user recognise a key in lists and logs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100, help_text="What uses it, e.g. 'CRM sync'.")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
