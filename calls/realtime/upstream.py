"""The upstream connection to a Realtime server: OpenAI's, or the offline engine's."""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol
from urllib.parse import urlencode

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

logger = logging.getLogger(__name__)


class UpstreamClosed(Exception):
    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"upstream closed ({code}): {reason}")
        self.code = code
        self.reason = reason


class UpstreamUnavailable(Exception):
    """The realtime service could not be reached or configured in time."""


class Upstream(Protocol):
    """A Realtime-protocol peer exchanging JSON text frames."""

    async def send(self, frame: str) -> None: ...

    async def recv(self) -> str: ...

    async def close(self) -> None: ...


class WebSocketUpstream:
    def __init__(self, connection: ClientConnection) -> None:
        self._connection = connection

    async def send(self, frame: str) -> None:
        try:
            await self._connection.send(frame)
        except ConnectionClosed as exc:
            raise UpstreamClosed(exc.rcvd.code if exc.rcvd else None, "send failed") from None

    async def recv(self) -> str:
        try:
            frame = await self._connection.recv()
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else None
            reason = exc.rcvd.reason if exc.rcvd else ""
            raise UpstreamClosed(code, reason) from None
        return frame if isinstance(frame, str) else frame.decode()

    async def close(self) -> None:
        await self._connection.close()


async def connect_openai(
    *, url: str, model: str, api_key: str, timeout: float
) -> WebSocketUpstream:
    """Opens the GA Realtime WebSocket: only the Authorization header, no beta header."""
    separator = "&" if "?" in url else "?"
    full_url = f"{url}{separator}{urlencode({'model': model})}"
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
    except (OSError, ConnectionClosed) as exc:
        raise UpstreamUnavailable(type(exc).__name__) from None
    except Exception as exc:
        raise UpstreamUnavailable(type(exc).__name__) from None
    return WebSocketUpstream(connection)
