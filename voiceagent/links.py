"""This server's absolute address, for every link it hands out: the widget's embed
snippet, the `.ics` link of a booking, links in emails and webhooks, recording links,
OAuth callbacks and telephony webhooks.

One rule, in this order:

1. ``PUBLIC_BASE_URL`` when it is set (production; behind a proxy the only right one);
2. the address of the request being served, when there is one (the request passed in,
   else the one ``CurrentRequestMiddleware`` is serving in this context);
3. ``DEV_BASE_URL`` in development: the ``HOST``/``PORT`` that `make run` serves on;
4. nothing (``""``): links are then relative.

Telephony uses ``configured_base_url`` (1 and 3 only): a provider signs the URL it was
given, whatever host the admin page was opened on.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest

_current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)


def public_base_url(request: HttpRequest | None = None) -> str:
    """The scheme and host (no trailing slash) that links start with; see the module."""
    if settings.PUBLIC_BASE_URL:
        return str(settings.PUBLIC_BASE_URL).rstrip("/")
    request = request if request is not None else _current_request.get()
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return str(getattr(settings, "DEV_BASE_URL", "") or "").rstrip("/")


def configured_base_url() -> str:
    """The base without a request's say: ``PUBLIC_BASE_URL``, else ``DEV_BASE_URL``.
    For addresses handed to a third party that calls us back at exactly that address
    (a phone provider's webhook, whose signature covers the URL)."""
    base = settings.PUBLIC_BASE_URL or getattr(settings, "DEV_BASE_URL", "") or ""
    return str(base).rstrip("/")


def public_url(path: str, request: HttpRequest | None = None) -> str:
    """An absolute link to ``path`` (which starts with ``/``) on this server."""
    return public_base_url(request) + path


class CurrentRequestMiddleware:
    """Lets code that has no request in hand (an admin field, a serializer, a selector
    building an email inside a request) make links on the address the browser used."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if iscoroutinefunction(self):
            return self._acall(request)
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)

    async def _acall(self, request: HttpRequest) -> Any:
        token = _current_request.set(request)
        try:
            return await self.get_response(request)
        finally:
            _current_request.reset(token)
