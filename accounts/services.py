"""Writes of API keys."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import User
from django.utils import timezone

from accounts.models import KEY_PREFIX, ApiKey


def api_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_create(*, user: User, name: str) -> tuple[ApiKey, str]:
    """Makes a key for ``user``; returns it with its plaintext, which is not stored and
    cannot be shown again."""
    prefix = KEY_PREFIX + secrets.token_hex(4)
    plaintext = f"{prefix}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey.objects.create(
        user=user, name=name, prefix=prefix, key_hash=api_key_hash(plaintext)
    )
    return api_key, plaintext


def api_keys_revoke(*, key_ids: list[int]) -> int:
    return ApiKey.objects.filter(pk__in=key_ids, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), updated_at=timezone.now()
    )


def api_key_mark_used(*, key_id: int) -> None:
    """Records use at most once a minute per key (one write, not one per request)."""
    now = timezone.now()
    ApiKey.objects.filter(pk=key_id).exclude(last_used_at__gt=now - dt.timedelta(minutes=1)).update(
        last_used_at=now
    )
