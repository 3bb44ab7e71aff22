"""Fixtures for call tests: the fake Realtime server and a protocol client."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from pytest_django import Settings

from calls.tests.fake_openai import FakeRealtimeServer
from voiceagent.asgi import application


@pytest.fixture
async def fake(settings: Settings) -> AsyncIterator[FakeRealtimeServer]:
    """The fake OpenAI Realtime server, with the product pointed at it."""
    server = FakeRealtimeServer()
    settings.OPENAI_REALTIME_URL = await server.start()
    settings.OPENAI_API_KEY = "sk-test-not-a-real-key"
    settings.VOICEAGENT_ENGINE = "openai"
    settings.REALTIME_CONNECT_TIMEOUT = 3.0
    yield server
    await calls_settled()
    await server.stop()
    assert server.violations == [], server.violations


async def calls_settled(timeout: float = 10) -> None:
    """Waits until no call is live, so that no session writes during teardown."""
    from calls.models import CallLog, CallStatus

    async with asyncio.timeout(timeout):
        while await CallLog.objects.filter(
            status__in=[CallStatus.CONNECTING, CallStatus.ACTIVE]
        ).aexists():
            await asyncio.sleep(0.05)


class CallClient:
    """The widget protocol from the browser's side, over channels' communicator."""

    def __init__(self, path: str = "/ws/calls/front-desk/", headers: list[Any] | None = None):
        headers = list(headers or [])
        if not any(name == b"host" for name, _ in headers):
            headers.append((b"host", b"localhost"))  # as a browser sends it
        self.communicator = WebsocketCommunicator(application, path, headers=headers)
        self.communicator.scope["client"] = ("198.51.100.7", 50000)
        self.messages: list[dict[str, Any]] = []

    async def connect(self) -> bool:
        connected, _ = await self.communicator.connect(timeout=5)
        return connected

    async def send(self, **message: Any) -> None:
        await self.communicator.send_to(text_data=json.dumps(message))

    async def send_raw(self, text: str | None = None, data: bytes | None = None) -> None:
        await self.communicator.send_to(text_data=text, bytes_data=data)

    async def receive(self, timeout: float = 5) -> dict[str, Any]:
        message = json.loads(await self.communicator.receive_from(timeout=timeout))
        self.messages.append(message)
        return message

    async def until(self, kind: str, timeout: float = 5, **match: Any) -> dict[str, Any]:
        while True:
            message = await self.receive(timeout)
            if message["type"] == kind and all(message.get(k) == v for k, v in match.items()):
                return message

    def received(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["type"] == kind]

    def audio_bytes(self, item_id: str | None = None) -> list[bytes]:
        return [
            base64.b64decode(m["audio"])
            for m in self.received("audio")
            if item_id is None or m["item_id"] == item_id
        ]

    async def nothing_more(self, timeout: float = 0.3) -> bool:
        return await self.communicator.receive_nothing(timeout=timeout)

    async def close(self) -> None:
        await self.communicator.disconnect()
