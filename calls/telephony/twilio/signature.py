"""Twilio's signatures: on the voice webhook and on the Media Stream's upgrade."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from twilio.request_validator import RequestValidator

from calls.telephony.twilio import STREAM_PATH
from calls.telephony.webhook import stream_url
from voiceagent.links import configured_base_url


def configured() -> bool:
    """Phone calls need the auth token (signatures) and the public address Twilio uses:
    signatures cover URLs, so both ends must build them from the same base."""
    return bool(settings.TWILIO_AUTH_TOKEN and configured_base_url())


def signature_valid(*, url: str, params: Any, signature: str) -> bool:
    """Twilio's own validator: it also tries the URL with and without the default port."""
    if not configured() or not signature:
        return False
    return bool(RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, params, signature))


def media_stream_url() -> str:
    """The Media Stream's URL as the TwiML gives it: Twilio signs the upgrade over it."""
    return stream_url(STREAM_PATH)
