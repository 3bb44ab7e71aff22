"""This server's absolute address, for every link it hands out: the widget's embed
snippet, the `.ics` link of a booking, links in emails and webhooks, recording links,
OAuth callbacks and telephony webhooks.

Two kinds of link, two rules:

- Links shown in the response to a request (``public_base_url``/``public_url``: the embed
  snippet on a page, a recording link in an API answer): ``PUBLIC_BASE_URL`` when set, else
  the address of that request (passed in, or the one ``CurrentRequestMiddleware`` is
  serving), else ``DEV_BASE_URL``.
- Links stored or sent to someone else (``configured_base_url``/``stored_url``: emails,
  webhooks, calendar events, a booking's `.ics` link, telephony webhooks whose signature
  covers the URL): ``PUBLIC_BASE_URL``, else ``DEV_BASE_URL`` (the ``HOST``/``PORT`` that
  `make run` serves on), never a request's ``Host`` header, which a client chooses: a link
  built from it and mailed to a caller would point wherever that client wanted.

With neither set, links are relative (``""``); `manage.py check --deploy` warns about it.
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
    """An absolute link to ``path`` (which starts with ``/``), shown in a response."""
    return public_base_url(request) + path


def stored_url(path: str) -> str:
    """An absolute link to ``path`` for an email, a webhook, a calendar event or anything
    kept to be read later: never from a request's ``Host``."""
    return configured_base_url() + path


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
