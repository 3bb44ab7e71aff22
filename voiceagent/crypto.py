"""Encryption of secrets at rest with Fernet keys from ``FIELD_ENCRYPTION_KEY``.

Fernet (AES-128-CBC with an HMAC-SHA256 tag, from ``cryptography``) through
``MultiFernet``: the first key encrypts, every listed key decrypts, and
``rotate_token`` re-encrypts an old token under the first key.
"""

from __future__ import annotations

import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver


class DecryptionError(Exception):
    """A stored secret cannot be decrypted with any configured key."""


@functools.cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.FIELD_ENCRYPTION_KEYS])


@receiver(setting_changed)
def _forget_keys(*, setting: str, **kwargs: object) -> None:
    if setting == "FIELD_ENCRYPTION_KEYS":
        _fernet.cache_clear()


def encrypt_text(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt_text(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        # Never fall back to returning the stored text: it would hand ciphertext
        # to a provider as if it were a token.
        raise DecryptionError(
            "A stored secret could not be decrypted: FIELD_ENCRYPTION_KEY does not "
            "contain the key it was encrypted with."
        ) from None


def rotate_token(token: str) -> str:
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError(
            "A stored secret could not be re-encrypted: none of the keys in "
            "FIELD_ENCRYPTION_KEY decrypts it."
        ) from None
