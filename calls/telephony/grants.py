"""Single-use stream grants: what a provider's webhook hands its media stream.

The webhook (signed by the provider) answers with a stream address and a token signed
with the Django secret key that names the agent, the provider's call id, the numbers
and the line (whose credentials the call uses, ``calls.telephony.credentials``). The
stream presents it in its start frame; the consumer admits the call only if the token is
genuine, fresh, for that call and its stream's line, and claimed for the first time.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core import signing
from django.core.cache import cache

TOKEN_MAX_AGE_SECONDS = 120  # providers open the stream within a second or two of the answer
TOKEN_USED_TTL_SECONDS = 600


@dataclass(frozen=True)
class StreamGrant:
    """What a valid stream token says about the call."""

    agent_public_id: str
    call_id: str  # the provider's id for the call (Twilio's CallSid)
    caller_number: str
    called_number: str
    # Our call log's id when the stream brings a caller back to the agent (a transfer
    # nobody answered); empty for a new call.
    resume: str = ""
    nonce: str = ""  # tells one return of a call from the next
    line: str = ""  # the number whose own credentials the call uses ("": the server's)
    outbound: str = ""  # the outbound attempt (``outbound.CallAttempt``) the call answers


def _salt(provider: str) -> str:
    return f"calls.{provider}.stream"  # a namespace for signing, not a secret


def stream_token(
    *,
    provider: str,
    agent_public_id: str,
    call_id: str,
    caller: str,
    called: str,
    line: str = "",
    resume: str = "",
    outbound: str = "",
) -> str:
    payload = {"a": agent_public_id, "c": call_id, "f": caller, "t": called, "l": line}
    if outbound:
        payload["o"] = outbound
    if resume:
        payload |= {"r": resume, "n": secrets.token_hex(4)}
    return signing.dumps(payload, salt=_salt(provider), compress=True)


def stream_grant(*, provider: str, token: str, call_id: str) -> StreamGrant | None:
    """The grant in a stream token: None if forged, stale, for another provider or for
    another call. Whether it was used already is ``stream_grant_claim``'s question."""
    try:
        payload = signing.loads(token, salt=_salt(provider), max_age=TOKEN_MAX_AGE_SECONDS)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(payload, dict) or payload.get("c") != call_id or not call_id:
        return None
    return StreamGrant(
        agent_public_id=str(payload.get("a") or ""),
        call_id=call_id,
        caller_number=str(payload.get("f") or ""),
        called_number=str(payload.get("t") or ""),
        resume=str(payload.get("r") or ""),
        nonce=str(payload.get("n") or ""),
        line=str(payload.get("l") or ""),
        outbound=str(payload.get("o") or ""),
    )


async def stream_grant_claim(*, provider: str, call_id: str, nonce: str = "") -> bool:
    """True the first time a call's stream is claimed. ``add`` is atomic and, with Redis,
    shared between processes; the CallLog's provider call id (checked at admission)
    keeps a call from streaming twice after the key expires. A return to the agent
    (``nonce``) is claimed on its own key."""
    key = f"{provider}-stream-used:{call_id}" + (f":{nonce}" if nonce else "")
    return await cache.aadd(key, 1, timeout=TOKEN_USED_TTL_SECONDS)
