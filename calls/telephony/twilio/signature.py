"""Twilio's signatures: on the voice webhook and on the Media Stream's upgrade."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from twilio.request_validator import RequestValidator

from calls.telephony.twilio import STREAM_PATH
from calls.telephony.webhook import stream_url
from voiceagent.links import configured_base_url


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
