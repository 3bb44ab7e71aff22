"""Session tokens for web calls started by a website's own backend.

The backend asks the API for a token (``POST /api/agents/<public_id>/web-sessions/``),
hands it to its page, and the widget presents it when it connects
(``?session_token=``). The token is signed with the Django secret key, names the agent,
expires, and admits one call: its id is claimed in the shared cache at admission.
What the backend knows of its signed-in user (name, email, phone) and its own
``metadata`` travel in it to the call log.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from django.core import signing
from django.core.cache import cache
from django.utils import timezone

SALT = "calls.web.session"  # a namespace for signing, not a secret
MIN_TTL_SECONDS = 30
MAX_TTL_SECONDS = 3600
DEFAULT_TTL_SECONDS = 300


@dataclass(frozen=True)
class WebSession:
    token: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class WebSessionGrant:
    agent_public_id: str
    session_id: str
    expires_at: float  # Unix time
    user_info: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)


def web_session_mint(
    *,
    agent_public_id: str,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
    user_info: dict[str, str] | None = None,
    metadata: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> WebSession:
    """A token for one web call with the agent, valid for ``ttl_seconds``."""
    if not MIN_TTL_SECONDS <= ttl_seconds <= MAX_TTL_SECONDS:
        raise ValueError(f"ttl_seconds must be {MIN_TTL_SECONDS} to {MAX_TTL_SECONDS}")
    expires_at = (now or timezone.now()) + dt.timedelta(seconds=ttl_seconds)
    payload = {
        "a": agent_public_id,
        "s": secrets.token_urlsafe(12),
        "e": int(expires_at.timestamp()),
        "u": {k: v for k, v in (user_info or {}).items() if v},
        "m": metadata or {},
    }
    token = signing.dumps(payload, salt=SALT, compress=True)
    return WebSession(token=token, expires_at=expires_at.replace(microsecond=0))


def call_websocket_url(*, base_url: str, agent_public_id: str, session_token: str) -> str:
    """The call WebSocket's address for a token (docs/protocol.md)."""
    parts = urlsplit(base_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    query = urlencode({"session_token": session_token})
    return f"{scheme}://{parts.netloc}/ws/calls/{quote(agent_public_id)}/?{query}"


def web_session_grant(
    *, token: str, agent_public_id: str, now: dt.datetime | None = None
) -> WebSessionGrant | None:
    """What a token grants: None if it is forged, expired or for another agent."""
    if not token or len(token) > 8192:
        return None
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_TTL_SECONDS)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(payload, dict) or payload.get("a") != agent_public_id:
        return None
    expires_at = payload.get("e")
    if not isinstance(expires_at, int) or expires_at <= (now or timezone.now()).timestamp():
        return None
    user_info, metadata = payload.get("u"), payload.get("m")
    return WebSessionGrant(
        agent_public_id=agent_public_id,
        session_id=str(payload.get("s") or ""),
        expires_at=float(expires_at),
        user_info=user_info if isinstance(user_info, dict) else {},
        metadata=metadata if isinstance(metadata, dict) else {},
    )


def web_session_claim(*, grant: WebSessionGrant, now: dt.datetime | None = None) -> bool:
    """True the first time the token is used; the claim outlives the token."""
    remaining = grant.expires_at - (now or timezone.now()).timestamp()
    timeout = max(int(remaining) + 60, 60)
    return bool(cache.add(f"web-session-used:{grant.session_id}", 1, timeout=timeout))
