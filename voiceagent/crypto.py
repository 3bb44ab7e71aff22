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


class Secret:
    """A secret held encrypted until ``reveal()``: loading a row never decrypts it (a
    wrong key fails where the secret is used, not every read of its row), and printing
    or logging it shows nothing."""

    __slots__ = ("_ciphertext", "_plaintext")

    def __init__(self, *, plaintext: str | None = None, ciphertext: str | None = None) -> None:
        if (plaintext is None) == (ciphertext is None):
            raise ValueError("A Secret holds either its plaintext or its ciphertext.")
        self._plaintext, self._ciphertext = plaintext, ciphertext

    def reveal(self) -> str:
        if self._plaintext is None:
            self._plaintext = decrypt_text(self._ciphertext or "")
        return self._plaintext

    def ciphertext(self) -> str:
        if self._ciphertext is None:
            self._ciphertext = encrypt_text(self._plaintext or "")
        return self._ciphertext

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and self.reveal() == other.reveal()

    def __hash__(self) -> int:
        return hash(self.reveal())

    def __repr__(self) -> str:
        return "Secret(…)"

    __str__ = __repr__
