"""Reads of API keys."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from accounts.models import ApiKey
from accounts.services import api_key_hash
from voiceagent.selectors import owned_by


def api_keys_for_user(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[ApiKey]:
    return owned_by(ApiKey.objects.select_related("user"), user=user, owner_lookup="user")


def api_key_find(*, key: str) -> ApiKey | None:
    """The active key whose plaintext is ``key``, with its user."""
    return (
        ApiKey.objects.select_related("user")
        .filter(key_hash=api_key_hash(key), revoked_at__isnull=True)
        .first()
    )
