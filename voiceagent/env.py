"""Typed readers for environment variables.

Every reader fails loudly: a value that cannot be parsed stops start-up with an
``ImproperlyConfigured`` naming the variable and what was expected, instead of
silently falling back to a default. URL parsing (``DATABASE_URL``, ``EMAIL_URL``)
is delegated to django-environ.
"""

from __future__ import annotations

import builtins
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class Env:
    """Reads typed values from a mapping (``os.environ`` unless given).

    The readers are named after the types they return (``str``, ``int``...), which hides
    those builtins inside the class body: its annotations spell them ``builtins.str``.
    """

    def __init__(self, source: Mapping[builtins.str, builtins.str] | None = None) -> None:
        self._source = os.environ if source is None else source

    def _raw(self, name: builtins.str) -> builtins.str | None:
        value = self._source.get(name)
        if value is None or value.strip() == "":
            return None
        return value.strip()

    def is_set(self, name: builtins.str) -> builtins.bool:
        return self._raw(name) is not None

    def str(self, name: builtins.str, default: builtins.str | None = None) -> builtins.str:
        value = self._raw(name)
        if value is None:
            if default is None:
                raise ImproperlyConfigured(f"{name} is required but not set.")
            return default
        return value

    def secret(self, name: builtins.str, default: builtins.str | None = None) -> builtins.str:
        """Like ``str`` but also reads ``<NAME>_FILE`` (Docker/Kubernetes secrets)."""
        file_path = self._raw(f"{name}_FILE")
        if file_path is not None:
            try:
                return Path(file_path).read_text().strip()
            except OSError as exc:
                raise ImproperlyConfigured(
                    f"{name}_FILE points to {file_path!r}, which cannot be read: {exc.strerror}."
                ) from exc
        return self.str(name, default)

    def bool(self, name: builtins.str, default: builtins.bool) -> builtins.bool:
        value = self._raw(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfigured(
            f"{name} must be a boolean (one of true/false, 1/0, yes/no, on/off); got {value!r}."
        )

    def int(
        self,
        name: builtins.str,
        default: builtins.int,
        *,
        min_value: builtins.int | None = None,
        max_value: builtins.int | None = None,
    ) -> builtins.int:
        value = self._raw(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}.") from None
        _check_range(name, number, min_value, max_value)
        return number

    def float(
        self,
        name: builtins.str,
        default: builtins.float,
        *,
        min_value: builtins.float | None = None,
        max_value: builtins.float | None = None,
    ) -> builtins.float:
        value = self._raw(name)
        if value is None:
            return default
        try:
            number = float(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be a number; got {value!r}.") from None
        _check_range(name, number, min_value, max_value)
        return number

    def list(
        self, name: builtins.str, default: Iterable[builtins.str] = ()
    ) -> builtins.list[builtins.str]:
        """A comma-separated list; empty items are dropped."""
        value = self._raw(name)
        if value is None:
            return list(default)
        return [item.strip() for item in value.split(",") if item.strip()]

    def choice(
        self, name: builtins.str, default: builtins.str, choices: Iterable[builtins.str]
    ) -> builtins.str:
        allowed = list(choices)
        value = self.str(name, default)
        if value not in allowed:
            raise ImproperlyConfigured(
                f"{name} must be one of {', '.join(allowed)}; got {value!r}."
            )
        return value

    def url(
        self,
        name: builtins.str,
        default: builtins.str = "",
        *,
        schemes: Iterable[builtins.str] = ("http", "https"),
    ) -> builtins.str:
        """An absolute URL with one of ``schemes``; returns ``default`` when unset."""
        value = self._raw(name)
        if value is None:
            return default
        allowed = tuple(schemes)
        parts = urlsplit(value)
        if parts.scheme not in allowed or not parts.netloc:
            raise ImproperlyConfigured(
                f"{name} must be an absolute URL starting with "
                f"{' or '.join(s + '://' for s in allowed)}; got {_redact_url(value)!r}."
            )
        return value

    def database(self, name: builtins.str, default: builtins.str) -> dict[builtins.str, object]:
        url = self.str(name, default)
        scheme = urlsplit(url).scheme
        if scheme not in environ.Env.DB_SCHEMES:
            raise ImproperlyConfigured(
                f"{name} must be a database URL such as postgres://user@host:5432/name "
                f"or sqlite:////absolute/path.db; got scheme {scheme!r}."
            )
        return dict(environ.Env.db_url_config(url))

    def email(self, name: builtins.str, default: builtins.str) -> dict[builtins.str, object]:
        url = self.str(name, default)
        scheme = urlsplit(url).scheme
        if scheme not in environ.Env.EMAIL_SCHEMES:
            raise ImproperlyConfigured(
                f"{name} must be an email URL (smtp://, smtp+tls://, smtp+ssl://, "
                f"consolemail://, filemail://, memorymail://); got scheme {scheme!r}."
            )
        config = dict(environ.Env.email_url_config(url))
        if scheme == "filemail":
            # django-environ drops the leading slash: filemail:///var/mail would land in
            # ./var/mail. The URL's path is the folder.
            config["EMAIL_FILE_PATH"] = unquote(urlsplit(url).path) or "."
        return config


def _check_range(
    name: str,
    number: float,
    min_value: float | None,
    max_value: float | None,
) -> None:
    if min_value is not None and number < min_value:
        raise ImproperlyConfigured(f"{name} must be at least {min_value}; got {number}.")
    if max_value is not None and number > max_value:
        raise ImproperlyConfigured(f"{name} must be at most {max_value}; got {number}.")


def _redact_url(url: str) -> str:
    """Hides the password of a URL so that it can go into an error message."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)
