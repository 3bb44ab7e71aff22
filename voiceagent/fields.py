"""Model fields shared by the apps."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Lookup
from django.db.models.lookups import IsNull

from voiceagent.crypto import Secret, decrypt_text, encrypt_text

if TYPE_CHECKING:
    # For the type checker the field holds any JSON value, not the text of its column
    # (Django's field classes cannot be subscripted at run time).
    _EncryptedJSONBase = models.TextField[object, object | None]
else:
    _EncryptedJSONBase = models.TextField


class EncryptedJSONField(_EncryptedJSONBase):
    """JSON stored encrypted (Fernet) in a text column.

    Ciphertext is randomised, so only ``isnull`` lookups make sense; anything else
    is refused rather than silently matching nothing.
    """

    description = "JSON encrypted at rest"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return json.loads(decrypt_text(value))

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return encrypt_text(json.dumps(value, cls=DjangoJSONEncoder))

    def value_to_string(self, obj: models.Model) -> str:
        # Fixtures and dumpdata must not expose the secret in clear text.
        return "<encrypted>"

    def get_lookup(self, lookup_name: str) -> type[Lookup] | None:
        if lookup_name == "isnull":
            return IsNull
        return None


if TYPE_CHECKING:
    _EncryptedSecretBase = models.TextField[Secret | str, Secret]
else:
    _EncryptedSecretBase = models.TextField


class EncryptedSecretField(_EncryptedSecretBase):
    """A text secret stored encrypted (Fernet), read as a ``Secret`` that decrypts only
    when revealed."""

    description = "A secret encrypted at rest, decrypted on use"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        return None if value is None else Secret(ciphertext=value)

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, Secret):
            return value
        return Secret(plaintext=str(value))

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        secret = value if isinstance(value, Secret) else Secret(plaintext=str(value))
        return secret.ciphertext()

    def value_to_string(self, obj: models.Model) -> str:
        return "<encrypted>"

    def get_lookup(self, lookup_name: str) -> type[Lookup] | None:
        if lookup_name == "isnull":
            return IsNull
        return None
