"""Signed webhook deliveries: the signature, its verification, and one POST.

The signature follows the scheme Stripe and Svix made familiar: an HMAC-SHA256, keyed
with the agent's webhook secret, over ``"{timestamp}.{body}"``, sent as
``Voiceagent-Signature: t=<unix seconds>,v1=<hex digest>``. Signing the timestamp with
the body lets a receiver refuse replays of an old delivery (docs/webhooks.md shows the
check in a few lines of Python).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

import requests
import urllib3

SIGNATURE_HEADER = "Voiceagent-Signature"
EVENT_HEADER = "Voiceagent-Event"
DELIVERY_HEADER = "Voiceagent-Delivery"
USER_AGENT = "voiceagent-webhooks/1"
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 10.0
RESPONSE_EXCERPT = 500
# 408 Request Timeout, 425 Too Early and 429 Too Many Requests are "later", not "never".
RETRYABLE_CLIENT_ERRORS = frozenset({408, 425, 429})


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


class SignatureInvalid(Exception):
    pass


def signature_verify(
    *, secret: str, header: str, body: bytes, tolerance: int = 300, now: float | None = None
) -> int:
    """Checks a ``Voiceagent-Signature`` header; returns its timestamp.

    Raises ``SignatureInvalid`` for a malformed header, a wrong signature or a timestamp
    more than ``tolerance`` seconds away. This is what a receiver runs (our own tests do).
    """
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        fields.setdefault(key, []).append(value)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, ValueError):
        raise SignatureInvalid("No timestamp in the signature header.") from None
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        raise SignatureInvalid("The signature's timestamp is too old or in the future.")
    expected = signature(secret, timestamp, body)
    # Several v1 values are allowed: a sender may sign with an old and a new secret.
    if not any(hmac.compare_digest(expected, given) for given in fields.get("v1", [])):
        raise SignatureInvalid("The signature does not match.")
    return timestamp


@dataclass(frozen=True)
class PostResult:
    ok: bool
    retryable: bool
    status_code: int | None
    error: str
    response_excerpt: str
    retry_after: str | None  # the raw header, read by voiceagent.retry


def post(*, url: str, body: bytes, secret: str, event: str, delivery_id: str) -> PostResult:
    """One delivery attempt. Redirects are not followed: an endpoint that moved must be
    changed on the agent, not followed blindly with a signed body."""
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: signature_header(secret, timestamp, body),
        EVENT_HEADER: event,
        # Stable across retries: receivers drop a delivery they already processed.
        DELIVERY_HEADER: delivery_id,
    }
    try:
        with requests.post(
            url,
            data=body,
            headers=headers,
            timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
            allow_redirects=False,
            stream=True,
        ) as response:
            # Only the start of the answer is kept: an endpoint cannot fill our memory.
            head = response.raw.read(RESPONSE_EXCERPT * 4, decode_content=True) or b""
            code = response.status_code
            retry_after = response.headers.get("Retry-After")
    except requests.Timeout:
        return PostResult(False, True, None, "The endpoint did not answer in time.", "", None)
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
        return PostResult(
            False, True, None, f"Could not reach the endpoint ({type(exc).__name__}).", "", None
        )
    excerpt = head.decode("utf-8", errors="replace")[:RESPONSE_EXCERPT]
    if 200 <= code < 300:
        return PostResult(True, False, code, "", excerpt, None)
    retryable = code >= 500 or code in RETRYABLE_CLIENT_ERRORS
    if 300 <= code < 400:
        error = f"HTTP {code}: redirects are not followed; set the endpoint's final URL."
    else:
        error = f"HTTP {code} from the endpoint."
    return PostResult(False, retryable, code, error, excerpt, retry_after)
