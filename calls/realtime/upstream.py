"""The session's peer: a Realtime-protocol engine exchanging events as dicts.

Over a WebSocket (OpenAI) events are JSON text frames; in-process engines (offline)
hand the dicts over as they are. Caller audio has its own method so the WebSocket path
can build its frame without re-encoding the base64 20 to 50 times a second.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any, Protocol
from urllib.parse import urlencode

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from calls.realtime.text import JSON_ERRORS, may_hold_unstorable, storable_json

logger = logging.getLogger(__name__)

# Provider messages may quote a (masked) key back; none of it goes into logs.
_KEY_PATTERN = re.compile(r"\b(sk|rk|sess)-[A-Za-z0-9_*\-]{4,}")
ERROR_TEXT_LIMIT = 300


class UpstreamClosed(Exception):
    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"upstream closed ({code}): {reason}")
        self.code = code
        self.reason = reason


class UpstreamUnavailable(Exception):
    """The realtime service could not be reached or configured in time."""


class Upstream(Protocol):
    """A Realtime-protocol peer.

    An event dict changes hands when it is sent or received: in-process engines keep
    what they are sent, so neither side may change an event (or anything in it) after
    handing it over."""

    async def send(self, event: dict[str, Any]) -> None:
        """A client event; raises UpstreamClosed when the peer is gone."""

    async def send_audio(self, audio: str) -> None:
        """``input_audio_buffer.append`` of base64 audio in the session's format."""

    async def recv(self) -> dict[str, Any]:
        """The next server event; raises UpstreamClosed when the peer is gone."""

    async def close(self) -> None: ...


class WebSocketUpstream:
    def __init__(self, connection: ClientConnection, *, call_id: str = "") -> None:
        self._connection = connection
        self._call_id = call_id

    async def send(self, event: dict[str, Any]) -> None:
        await self._send_frame(json.dumps(event, separators=(",", ":")))

    async def send_audio(self, audio: str) -> None:
        # Base64 passes through untouched; it cannot contain characters JSON escapes.
        await self._send_frame('{"type":"input_audio_buffer.append","audio":"' + audio + '"}')

    async def _send_frame(self, frame: str) -> None:
        try:
            await self._connection.send(frame)
        except ConnectionClosed as exc:
            raise UpstreamClosed(exc.rcvd.code if exc.rcvd else None, "send failed") from None

    async def recv(self) -> dict[str, Any]:
        while True:
            try:
                frame = await self._connection.recv()
            except ConnectionClosed as exc:
                code = exc.rcvd.code if exc.rcvd else None
                reason = exc.rcvd.reason if exc.rcvd else ""
                raise UpstreamClosed(code, reason) from None
            text = frame if isinstance(frame, str) else frame.decode(errors="replace")
            try:
                event = json.loads(text)
            except JSON_ERRORS:
                logger.warning("Call %s: upstream sent a frame that is not JSON", self._call_id)
                continue
            if isinstance(event, dict):
                # Transcripts and tool arguments are stored: decoded escapes must be storable.
                return storable_json(event) if may_hold_unstorable(text) else event

    async def close(self) -> None:
        await self._connection.close()


async def connect_realtime(
    *,
    url: str,
    model: str,
    api_key: str,
    timeout: float,
    call_id: str = "",
    sip_call_id: str = "",
) -> WebSocketUpstream:
    """Opens the GA Realtime WebSocket: only the Authorization header, no beta header.

    With ``sip_call_id`` (an ``rtc_…`` id) it is the sideband of that SIP call, which
    was accepted with its model and session: ``?call_id=`` replaces ``?model=``."""
    separator = "&" if "?" in url else "?"
    query = {"call_id": sip_call_id} if sip_call_id else {"model": model}
    full_url = f"{url}{separator}{urlencode(query)}"
    try:
        connection = await asyncio.wait_for(
            connect(
                full_url,
                additional_headers={"Authorization": f"Bearer {api_key}"},
                open_timeout=None,
                max_size=None,
                ping_interval=20,
                ping_timeout=20,
                close_timeout=1,
            ),
            timeout,
        )
    except TimeoutError:
        raise UpstreamUnavailable(f"no connection within {timeout:g} s") from None
    except InvalidStatus as exc:
        # A refused handshake says why in its body (a bad key, an unknown model, quota).
        raise UpstreamUnavailable(refusal_description(exc)) from None
    except Exception as exc:
        raise UpstreamUnavailable(f"{type(exc).__name__}: {redacted(str(exc))}") from None
    return WebSocketUpstream(connection, call_id=call_id)


def refusal_description(exc: InvalidStatus) -> str:
    """``HTTP 401: Incorrect API key provided (invalid_api_key)`` from a refused handshake."""
    response = exc.response
    detail = ""
    body = bytes(response.body or b"")
    try:
        error = json.loads(body).get("error") or {}
        message, code = str(error.get("message") or ""), str(error.get("code") or "")
        detail = f"{message} ({code})" if code else message
    except (*JSON_ERRORS, AttributeError):
        detail = body.decode(errors="replace").strip()
    description = f"HTTP {response.status_code}"
    if detail:
        description += ": " + redacted(detail)[:ERROR_TEXT_LIMIT]
    return description


def redacted(text: str) -> str:
    return _KEY_PATTERN.sub(lambda match: match.group(1) + "-…", text)


async def configure_session(upstream: Upstream, update: dict[str, Any]) -> bool:
    """The opening handshake: waits for ``session.created``, sends the ``session.update``
    and waits for ``session.updated``. Returns whether the service cuts its own response
    off when the caller speaks (the effective ``interrupt_response``)."""
    event = await upstream.recv()
    while event.get("type") != "session.created":
        _raise_if_error(event)
        event = await upstream.recv()
    await upstream.send(update)
    while True:
        event = await upstream.recv()
        if event.get("type") == "session.updated":
            session = event.get("session") or {}
            detection = ((session.get("audio") or {}).get("input") or {}).get(
                "turn_detection"
            ) or {}
            return detection.get("interrupt_response", True) is True
        _raise_if_error(event)


def _raise_if_error(event: dict[str, Any]) -> None:
    if event.get("type") == "error":
        raise UpstreamUnavailable(str((event.get("error") or {}).get("code")))
