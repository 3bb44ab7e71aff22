"""Calendar tokens and webhook secrets are encrypted at rest, fail loudly with a wrong key,
and rotate."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from pytest_django import Settings

from appointments.models import CalendarConnection
from voiceagent.crypto import DecryptionError

pytestmark = pytest.mark.django_db

TOKENS = {"access_token": "ya29.secret-access", "refresh_token": "1//secret-refresh"}


def _stored_text(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT token_data FROM appointments_calendarconnection WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _connection(owner: User) -> CalendarConnection:
    return CalendarConnection.objects.create(
        owner=owner, provider="google", account_email="desk@example.com", token_data=TOKENS
    )


def test_tokens_are_not_stored_in_clear_text(owner: User) -> None:
    saved = _connection(owner)
    stored = _stored_text(saved.pk)
    assert "secret-access" not in stored and "secret-refresh" not in stored
    assert CalendarConnection.objects.get(pk=saved.pk).token_data == TOKENS


def test_wrong_key_raises_instead_of_returning_ciphertext(owner: User, settings: Settings) -> None:
    saved = _connection(owner)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(DecryptionError, match="could not be decrypted"):
        CalendarConnection.objects.get(pk=saved.pk)


def test_rotation_re_encrypts_with_the_new_key(owner: User, settings: Settings) -> None:
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    saved = _connection(owner)
    before = _stored_text(saved.pk)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    out = io.StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "Re-encrypted 1 calendar connection" in out.getvalue()
    assert _stored_text(saved.pk) != before
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert CalendarConnection.objects.get(pk=saved.pk).token_data == TOKENS


def test_encrypted_field_refuses_lookups_on_content(owner: User) -> None:
    from django.core.exceptions import FieldError

    _connection(owner)
    assert CalendarConnection.objects.filter(token_data__isnull=False).count() == 1
    with pytest.raises(FieldError):
        list(CalendarConnection.objects.filter(token_data=TOKENS))


def test_webhook_secrets_are_encrypted_and_rotate_too(owner: User, settings: Settings) -> None:
    from agents.models import Agent

    agent = Agent.objects.create(owner=owner, name="Rotating", instructions="x")
    plain = Agent.objects.get(pk=agent.pk).webhook_secret.reveal()
    with connection.cursor() as cursor:
        cursor.execute("SELECT webhook_secret FROM agents_agent WHERE id = %s", [agent.pk])
        (stored,) = cursor.fetchone()
    assert plain.startswith("whsec_") and plain not in stored
    old_key, new_key = settings.FIELD_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    out = io.StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "Re-encrypted 1 webhook secret" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert Agent.objects.get(pk=agent.pk).webhook_secret.reveal() == plain
