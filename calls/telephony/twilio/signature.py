"""Twilio's signatures: on the voice webhook and on the Media Stream's upgrade."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from twilio.request_validator import RequestValidator

from calls.telephony.credentials import credentials_for
from calls.telephony.twilio import NAME, STREAM_PATH
from calls.telephony.webhook import public_url, stream_url
from voiceagent.links import configured_base_url

logger = logging.getLogger(__name__)

NOT_CONFIGURED = (
    "Twilio is not configured on this server: set TWILIO_AUTH_TOKEN (or the number's own "
    "auth token) and PUBLIC_BASE_URL."
)


def configured() -> bool:
    """Phone calls on the server's account need its auth token (signatures) and the
    public address Twilio uses: signatures cover URLs, so both ends must build them from
    the same base. (A number with its own credentials needs only the address.)"""
    return bool(settings.TWILIO_AUTH_TOKEN and configured_base_url())


def signature_valid(*, url: str, params: Any, signature: str, auth_token: str) -> bool:
    """Twilio's own validator: it also tries the URL with and without the default port."""
    if not auth_token or not signature or not configured_base_url():
        return False
    return bool(RequestValidator(auth_token).validate(url, params, signature))


def media_stream_url(*, line: str = "") -> str:
    """The Media Stream's URL as the TwiML gives it: Twilio signs the upgrade over it,
    with the token of the account that owns the number. A number with its own
    credentials gets a path naming its line, so the stream knows which token to check
    (no query string: Twilio refuses one)."""
    return stream_url(f"{STREAM_PATH}{line}/" if line else STREAM_PATH)


def request_refusal(request: HttpRequest, *, line: str, what: str) -> HttpResponse | None:
    """None when Twilio signed ``request`` (over the URL it called, on PUBLIC_BASE_URL)
    with the token of ``line``'s account (its own, else the server's); else the answer:
    503 when there is no token or address to check with, 403 for a bad signature."""
    credentials = credentials_for(provider=NAME, line=line)
    if credentials is None or not configured_base_url():
        return HttpResponse(NOT_CONFIGURED, status=503, content_type="text/plain")
    url = public_url(path=request.path, query=request.META.get("QUERY_STRING", ""))
    given = request.headers.get("X-Twilio-Signature", "")
    if not signature_valid(
        url=url, params=request.POST, signature=given, auth_token=credentials.auth_token
    ):
        logger.warning("Refused a Twilio %s with a bad signature for %s", what, url)
        return HttpResponse("Invalid Twilio signature.", status=403, content_type="text/plain")
    return None
