"""Many calls at once without cross-talk, and no database work per audio frame."""

from __future__ import annotations

import asyncio
import base64
import zlib
from typing import Any

import pytest
from django.db.backends.utils import CursorWrapper
from pytest_django import Settings

from agents.models import Agent
from calls import services
from calls.tests.conftest import CallClient
from calls.tests.fake_openai import FakeRealtimeServer, pcm_chunks

pytestmark = pytest.mark.django_db(transaction=True)


async def test_twenty_concurrent_calls_without_cross_talk(
    agent: Agent, fake: FakeRealtimeServer, settings: Settings
) -> None:
    settings.CALL_RATE_LIMIT_PER_MINUTE = 100
    agent.max_concurrent_calls = 20
    await agent.asave()

    async def echo(connection: Any, event: dict[str, Any]) -> None:
        text = next(
            e["item"]["content"][0]["text"]
            for e in reversed(connection.received)
            if e["type"] == "conversation.item.create" and e["item"].get("role") == "user"
        )
        await connection.speak(
            f"echo {text}", pcm_chunks(3, seed=zlib.crc32(text.encode())), pause=0.005
        )

    fake.on_response_create = echo

    async def one_call(n: int) -> None:
        client = CallClient()
        assert await client.connect()
        await client.until("ready", timeout=15)
        await client.until("response_done", timeout=15)  # greeting
        text = f"caller number {n}"
        await client.send(type="text", text=text)
        reply = await client.until(
            "transcript", role="assistant", final=True, timeout=15, text=f"echo {text}"
        )
        assert client.audio_bytes(reply["item_id"]) == pcm_chunks(3, seed=zlib.crc32(text.encode()))
        finals = [m["text"] for m in client.received("transcript") if m["final"]]
        assert all(str(n) in t for t in finals if "caller number" in t)
        await client.send(type="end")
        await client.until("ended", timeout=15)
        await client.close()

    await asyncio.gather(*(one_call(n) for n in range(20)))
    assert len(fake.connections) == 20


async def test_audio_frames_cause_no_queries_and_turns_are_batched(
    agent: Agent, fake: FakeRealtimeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    queries: list[str] = []
    original_execute = CursorWrapper.execute

    def counting_execute(self: CursorWrapper, sql: str, params: Any = None) -> Any:
        queries.append(sql)
        return original_execute(self, sql, params)

    saves: list[int] = []
    original_save = services.transcript_turns_save

    def counting_save(*, call_id: str, turns: list[Any]) -> None:
        saves.append(len(turns))
        original_save(call_id=call_id, turns=turns)

    monkeypatch.setattr(services, "transcript_turns_save", counting_save)
    client = CallClient()
    assert await client.connect()
    await client.until("ready")
    await client.until("response_done")
    await asyncio.sleep(1.2)  # the greeting's turn is flushed
    monkeypatch.setattr(CursorWrapper, "execute", counting_execute)
    frame = base64.b64encode(pcm_chunks(1)[0]).decode()
    for _ in range(100):
        await client.send(type="audio", audio=frame)
    upstream = await fake.connection()
    await upstream.wait_for("input_audio_buffer.append", count=100)
    assert queries == []

    saves.clear()
    for n in range(10):
        await upstream.caller_turn(f"utterance {n}")
    await client.until("transcript", role="user", final=True, text="utterance 9")
    await asyncio.sleep(2.1)  # persisted within two seconds of arrival...
    assert sum(saves) == 10
    assert len(saves) <= 2  # ...in batches, not a query per turn
    await client.close()
