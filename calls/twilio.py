"""Twilio Programmable Voice: the voice webhook's TwiML, its signatures and the stream token.

A call to a Twilio number configured with ``<PUBLIC_BASE_URL>/twilio/voice/<agent>/``:

1. Twilio POSTs the webhook; its ``X-Twilio-Signature`` is checked with twilio's own
   ``RequestValidator`` (HMAC-SHA1 of the URL and the sorted form parameters).
2. The answer is ``<Connect><Stream>`` to ``/ws/twilio/media/`` (a bidirectional Media
   Stream) with a single-use, short-lived token signed with the Django secret key, carrying
   the agent, the CallSid and the caller's number.
3. Twilio opens the stream (its upgrade is signed too) and sends ``start`` with the token in
   ``customParameters``; the consumer admits the call only if the token is valid, fresh, for
   that CallSid, and unused.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Connect, VoiceResponse

STREAM_PATH = "/ws/twilio/media/"
STREAM_GRANT_SALT = "calls.twilio.stream"  # a namespace for signing, not a secret
TOKEN_MAX_AGE_SECONDS = 120  # Twilio opens the stream within a second or two of the answer
TOKEN_USED_TTL_SECONDS = 600


@dataclass(frozen=True)
class StreamGrant:
    """What a valid stream token says about the call."""

    agent_public_id: str
    call_sid: str
    caller_number: str
    called_number: str


def configured() -> bool:
    """Phone calls need the auth token (signatures) and the public address Twilio uses:
    signatures cover URLs, so both ends must build them from the same base."""
    return bool(settings.TWILIO_AUTH_TOKEN and settings.PUBLIC_BASE_URL)


def signature_valid(*, url: str, params: object, signature: str) -> bool:
    """Twilio's own validator: it also tries the URL with and without the default port."""
    if not configured() or not signature:
        return False
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, params, signature)


def public_url(*, path: str, query: str = "") -> str:
    """A URL as Twilio knows it (signatures cover it byte for byte), on PUBLIC_BASE_URL."""
    base = urlsplit(settings.PUBLIC_BASE_URL)
    return urlunsplit((base.scheme, base.netloc, path, query, ""))


def stream_url() -> str:
    """The Media Stream's URL: wss on an https server (Twilio needs wss)."""
    base = urlsplit(settings.PUBLIC_BASE_URL)
    scheme = "wss" if base.scheme == "https" else "ws"
    return urlunsplit((scheme, base.netloc, STREAM_PATH, "", ""))


def stream_token(*, agent_public_id: str, call_sid: str, caller: str, called: str) -> str:
    return signing.dumps(
        {"a": agent_public_id, "c": call_sid, "f": caller, "t": called},
        salt=STREAM_GRANT_SALT,
        compress=True,
    )


def stream_grant(*, token: str, call_sid: str) -> StreamGrant | None:
    """The grant in a stream token: None if forged, stale or for another call. Whether it
    was used already is ``stream_grant_claim``'s question."""
    try:
        payload = signing.loads(token, salt=STREAM_GRANT_SALT, max_age=TOKEN_MAX_AGE_SECONDS)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(payload, dict) or payload.get("c") != call_sid or not call_sid:
        return None
    return StreamGrant(
        agent_public_id=str(payload.get("a") or ""),
        call_sid=call_sid,
        caller_number=str(payload.get("f") or ""),
        called_number=str(payload.get("t") or ""),
    )


async def stream_grant_claim(*, call_sid: str) -> bool:
    """True the first time a call's stream is claimed. ``add`` is atomic and, with Redis,
    shared between processes; the CallLog's CallSid (checked at admission) keeps a call
    from streaming twice after the key expires."""
    return await cache.aadd(f"twilio-stream-used:{call_sid}", 1, timeout=TOKEN_USED_TTL_SECONDS)


def connect_twiml(*, stream: str, token: str) -> str:
    response = VoiceResponse()
    connect = Connect()
    media = connect.stream(url=stream)
    media.parameter(name="call_token", value=token)
    response.append(connect)
    return str(response)


def refusal_twiml(message: str) -> str:
    response = VoiceResponse()
    response.say(message)
    response.hangup()
    return str(response)
