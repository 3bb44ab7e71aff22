"""API key authentication: ``Authorization: Bearer <key>``."""

from __future__ import annotations

from typing import Any

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from accounts.models import KEY_PREFIX
from accounts.selectors import api_key_find
from accounts.services import api_key_mark_used


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """A bearer key made in the admin (API keys). A malformed, unknown or revoked key
    is refused with 401; no header leaves the request to the next authenticator."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).decode(errors="replace")
        if not header:
            return None
        scheme, _, key = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None
        key = key.strip()
        if not key.startswith(KEY_PREFIX) or len(key) > 200:
            raise exceptions.AuthenticationFailed("Malformed API key.")
        api_key = api_key_find(key=key)
        if api_key is None or not api_key.user.is_active:
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.")
        api_key_mark_used(key_id=api_key.pk)
        return api_key.user, api_key

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
