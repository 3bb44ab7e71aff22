"""The fake Realtime server itself refuses beta-shaped and invalid traffic."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.client import connect

from calls.tests.fake_openai import FakeRealtimeServer, validate_server_event

pytestmark = pytest.mark.embedded_pass_only  # no database or service: run once


async def _send(server: FakeRealtimeServer, headers: dict[str, str], *events: dict) -> None:
    async with connect(server.url + "?model=gpt-realtime", additional_headers=headers) as ws:
        json.loads(await ws.recv())  # session.created
        for event in events:
            await ws.send(json.dumps(event))
        # Give the server time to answer before the socket closes.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(0.3):
                async for _ in ws:
                    pass


@pytest.fixture
async def server() -> AsyncIterator[FakeRealtimeServer]:
    fake = FakeRealtimeServer()
    await fake.start()
    yield fake
    await fake.stop()


async def test_beta_header_is_a_violation(server: FakeRealtimeServer) -> None:
    await _send(server, {"Authorization": "Bearer k", "OpenAI-Beta": "realtime=v1"})
    assert "OpenAI-Beta header sent" in server.violations


async def test_flat_session_fields_are_a_violation(server: FakeRealtimeServer) -> None:
    beta_session = {
        "type": "session.update",
        "session": {"type": "realtime", "modalities": ["audio"], "input_audio_format": "pcm16"},
    }
    await _send(server, {"Authorization": "Bearer k"}, beta_session)
    assert any("beta-shaped session fields" in v for v in server.violations)


async def test_beta_and_malformed_events_are_violations(server: FakeRealtimeServer) -> None:
    await _send(
        server,
        {"Authorization": "Bearer k"},
        {"type": "transcription_session.update", "session": {}},
        {"type": "conversation.item.truncate", "item_id": "i", "content_index": 0},
    )
    assert len([v for v in server.violations if v.startswith("invalid client event")]) == 2


def test_server_events_are_validated_before_sending() -> None:
    with pytest.raises(ValueError):
        validate_server_event({"type": "response.audio.delta", "delta": "AAAA"})  # beta name
