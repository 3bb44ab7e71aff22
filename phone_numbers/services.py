"""Writes to phone numbers: validated as the admin validates (model checks: E.164, the
agent's owner, credentials given together, one number per provider)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from phone_numbers.models import NUMBER_TAKEN, PhoneNumber
from voiceagent.crypto import Secret

TAKEN_MESSAGE = "This number is already set up on this server."


class PhoneNumberTaken(Exception):
    """Another row (of any account) already routes this provider's number."""


def _taken(error: ValidationError) -> bool:
    errors = error.error_dict.get(NON_FIELD_ERRORS, []) if hasattr(error, "error_dict") else []
    return any(e.code == NUMBER_TAKEN for e in errors)


def phone_number_save(
    *, phone_number: PhoneNumber, changes: Mapping[str, Any] | None = None
) -> PhoneNumber:
    """Applies ``changes`` (field → value), validates and saves. ``auth_token`` is
    write-only: a string sets it, ``""`` or None removes it (the number then uses the
    server's credentials), leaving it out keeps the stored one."""
    for field, value in (changes or {}).items():
        if field == "auth_token":
            value = Secret(plaintext=value) if value else None
        setattr(phone_number, field, value)
    try:
        phone_number.full_clean()
    except ValidationError as error:
        if _taken(error):
            raise PhoneNumberTaken(TAKEN_MESSAGE) from None
        raise
    try:
        with transaction.atomic():
            phone_number.save()
    except IntegrityError:
        # Two saves of the same number at once: the loser's check passed before the
        # winner's insert.
        others = PhoneNumber.objects.exclude(pk=phone_number.pk)
        if others.filter(provider=phone_number.provider, number=phone_number.number).exists():
            raise PhoneNumberTaken(TAKEN_MESSAGE) from None
        raise
    return phone_number


def phone_number_delete(*, phone_number: PhoneNumber) -> None:
    phone_number.delete()
