"""Builders that turn environment values into Django/Celery/Channels settings.

Kept apart from ``settings.py`` as plain functions so that each switch (Redis or
not, debug or production) can be tested without re-importing the settings module.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from voiceagent.env import Env

logger = logging.getLogger(__name__)

MIN_SECRET_KEY_LENGTH = 32


def _generated_file(path: Path, make_value: Callable[[], str]) -> str:
    """Returns the value stored in ``path``, creating it (mode 0600) on first use."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make_value()
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value


def secret_key(env: Env, *, debug: bool, data_dir: Path) -> str:
    """``DJANGO_SECRET_KEY``; in debug mode a key generated once under the data folder."""
    if env.is_set("DJANGO_SECRET_KEY") or env.is_set("DJANGO_SECRET_KEY_FILE"):
        key = env.secret("DJANGO_SECRET_KEY")
        if not debug and len(key) < MIN_SECRET_KEY_LENGTH:
            raise ImproperlyConfigured(
                f"DJANGO_SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters "
                "long in production (DJANGO_DEBUG off)."
            )
        return key
    if not debug:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off. Generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    return _generated_file(data_dir / "secret_key", lambda: secrets.token_urlsafe(50))


def field_encryption_keys(env: Env, *, debug: bool, data_dir: Path) -> list[str]:
    """``FIELD_ENCRYPTION_KEY``: comma-separated Fernet keys, newest first.

    The first key encrypts; every key decrypts, which is how keys are rotated.
    """
    if env.is_set("FIELD_ENCRYPTION_KEY") or env.is_set("FIELD_ENCRYPTION_KEY_FILE"):
        keys = [k.strip() for k in env.secret("FIELD_ENCRYPTION_KEY").split(",") if k.strip()]
    elif debug:
        keys = [
            _generated_file(
                data_dir / "field_encryption_key", lambda: Fernet.generate_key().decode()
            )
        ]
    else:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY is required when DJANGO_DEBUG is off. Generate one with "
            "`python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`."
        )
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEY: key #{position} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes)."
            ) from None
    return keys


def channel_layers(redis_url: str) -> dict[str, Any]:
    """channels-redis when ``REDIS_URL`` is set, else the in-process layer."""
    if redis_url:
        return {
            "default": {
                # channels-redis, with cancellations of receive() that take
                # (voiceagent/layers.py).
                "BACKEND": "voiceagent.layers.RedisChannelLayer",
                "CONFIG": {
                    # channels-redis blocks 5 s in BZPOPMIN; redis-py 8's default socket
                    # timeout is also 5 s, which makes idle receives fail at random.
                    "hosts": [
                        {"address": redis_url, "socket_timeout": 15, "socket_connect_timeout": 3}
                    ],
                    "capacity": 1000,
                    "expiry": 60,
                },
            }
        }
    return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


EMBEDDED_BROKER_URL = "memory://localhost/"


def celery_broker(env: Env, *, redis_url: str) -> tuple[str, bool]:
    """Returns ``(broker_url, always_eager)``.

    With no broker configured, tasks run in-process right after the transaction
    commits (like pretix without a broker), so the embedded default needs no
    service beside the web server.
    """
    broker_url = env.url(
        "CELERY_BROKER_URL", "", schemes=("redis", "rediss", "amqp", "amqps", "sqs")
    )
    broker_url = broker_url or redis_url
    if broker_url:
        return broker_url, env.bool("CELERY_TASK_ALWAYS_EAGER", False)
    # Eager tasks still take a producer from kombu's pool, which opens this (in-memory)
    # connection: without a host kombu logs "No hostname was supplied" on every task.
    return EMBEDDED_BROKER_URL, True


# Addresses a server bound to every interface answers on from this machine (read, not
# bound to: the S104 rule is about binding).
_WILDCARD_HOSTS = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "[::]": "[::1]", "": "127.0.0.1"}  # noqa: S104


def dev_base_url(env: Env) -> str:
    """The address `make run` serves on, from the ``HOST`` and ``PORT`` it exports
    (``PORT=8123 make run``): links made outside a request (emails, the booking's
    ``.ics`` link in a call) point at it in development."""
    port = env.int("PORT", 8000, min_value=1, max_value=65535)
    host = env.str("HOST", "127.0.0.1")
    host = _WILDCARD_HOSTS.get(host, host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    return f"http://{host}:{port}"
