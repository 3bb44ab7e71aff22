"""System checks for configurations that run but are dangerous."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register

_LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1", ".localhost", "testserver"}


@register("security", deploy=False)
def debug_on_public_hosts(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG and set(settings.ALLOWED_HOSTS) - _LOCAL_HOSTS:
        return [
            Warning(
                "DJANGO_DEBUG is on while DJANGO_ALLOWED_HOSTS names public hosts.",
                hint="Set DJANGO_DEBUG=false (with DJANGO_SECRET_KEY and "
                "FIELD_ENCRYPTION_KEY) for any deployment reachable by others.",
                id="voiceagent.W001",
            )
        ]
    return []


@register("security")
def channel_layer_for_production(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    if not settings.DEBUG and backend.endswith("InMemoryChannelLayer"):
        return [
            Warning(
                "The in-memory channel layer only works inside one server process.",
                hint="Set REDIS_URL so that several ASGI processes and the Celery "
                "workers can reach live calls.",
                id="voiceagent.W002",
            )
        ]
    return []


@register("security", deploy=True)
def public_address_for_links(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if not settings.DEBUG and not settings.PUBLIC_BASE_URL:
        return [
            Warning(
                "PUBLIC_BASE_URL is not set: links in emails, webhooks, calendar events and "
                "phone webhooks are relative, so they do not work outside this server.",
                hint="Set PUBLIC_BASE_URL to the address callers and businesses reach this "
                "server on, e.g. https://voice.example.com (docs/configuration.md).",
                id="voiceagent.W003",
            )
        ]
    return []
