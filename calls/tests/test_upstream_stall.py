"""A realtime service that keeps its socket open but stops sending mid-reply is noticed."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest
from pytest_django import Settings

from agents.models import Agent
from calls.models import CallLog, TranscriptTurn
from calls.tests.conftest import CallClient
from calls.tests.fake_openai import FakeConnection, FakeRealtimeServer, pcm_chunks

pytestmark = pytest.mark.django_db(transaction=True)


async def _greeted_client() -> tuple[CallClient, uuid.UUID]:
    client = CallClient()
    assert await client.connect()
    call_id = uuid.UUID((await client.until("ready"))["call_id"])
    await client.until("response_done")  # the greeting
    return client, call_id


async def _stall_mid_reply(connection: FakeConnection, event: dict[str, Any]) -> None:
    # Half a reply, then nothing more, ever: the socket stays open.
    await connection.speak("Let me think", pcm_chunks(2), finish=False)


async def test_a_stalled_reply_is_detected_reported_and_recorded(
    agent: Agent, fake: FakeRealtimeServer, settings: Settings
) -> None:
    settings.REALTIME_STALL_TIMEOUT = 1.0
    fake.on_response_create = _stall_mid_reply
    client, call_id = await _greeted_client()
    await client.send(type="text", text="what are your opening hours?")
    started = time.monotonic()
    error = await client.until("error", timeout=5)
    detected_after = time.monotonic() - started
    assert error["code"] == "upstream_error" and "stopped responding" in error["message"]
    ended = await client.until("ended", timeout=5)
    assert ended["reason"] == "upstream_stalled"
    assert 1.0 <= detected_after < 4.0
    call = await CallLog.objects.aget(pk=call_id)
    assert (call.status, call.end_reason) == ("failed", "upstream_stalled")
    assert "sent nothing" in call.error_message
    texts = [t.text async for t in TranscriptTurn.objects.filter(call_id=call_id)]
    assert "what are your opening hours?" in texts
    upstream = await fake.connection()
    await asyncio.wait_for(upstream.closed.wait(), 5)  # the stalled socket is closed


async def test_a_quiet_call_with_no_reply_under_way_is_not_a_stall(
    agent: Agent, fake: FakeRealtimeServer, settings: Settings
) -> None:
    settings.REALTIME_STALL_TIMEOUT = 1.0
    client, _ = await _greeted_client()
    # Nothing from the caller or the service for longer than the stall timeout.
    assert await client.nothing_more(timeout=1.6)
    await client.send(type="ping", id=1)
    assert (await client.until("pong"))["id"] == 1
    await client.close()


async def _answer_after_a_moment(connection: FakeConnection, event: dict[str, Any]) -> None:
    await asyncio.sleep(0.4)
    await connection.speak("We open at nine.", pcm_chunks(2))


async def test_a_reply_asked_for_after_a_long_silence_is_not_a_stall(
    agent: Agent, fake: FakeRealtimeServer, settings: Settings
) -> None:
    # The service sends nothing while the caller is quiet; the stall clock starts when
    # a reply is asked for, not at the last event before the silence.
    settings.REALTIME_STALL_TIMEOUT = 1.0
    fake.on_response_create = _answer_after_a_moment
    client, _ = await _greeted_client()
    await asyncio.sleep(1.5)  # longer than the stall timeout, nothing under way
    await client.send(type="text", text="when do you open?")
    done = await client.until("response_done", timeout=5)
    assert done["type"] == "response_done"
    assert client.received("ended") == [] and client.received("error") == []
    await client.close()


async def test_a_refused_reply_request_is_not_waited_for_forever(
    agent: Agent, fake: FakeRealtimeServer, settings: Settings
) -> None:
    settings.REALTIME_STALL_TIMEOUT = 1.0

    async def refuse(connection: FakeConnection, event: dict[str, Any]) -> None:
        await connection.error("invalid_value", "The response could not be created.")

    fake.on_response_create = refuse
    client, _ = await _greeted_client()
    await client.send(type="text", text="hello?")
    assert (await client.until("error"))["code"] == "upstream_error"
    assert await client.nothing_more(timeout=1.6)  # no stall: no reply is awaited any more
    await client.close()
