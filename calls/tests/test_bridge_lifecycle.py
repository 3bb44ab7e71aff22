"""Errors, drops, timeouts and limits: every call ends once, recorded."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from pytest_django import Settings

from agents.models import Agent
from calls.models import CallLog, TranscriptTurn
from calls.tests.conftest import CallClient
from calls.tests.fake_openai import FakeRealtimeServer

pytestmark = pytest.mark.django_db(transaction=True)


async def _call(client: CallClient) -> uuid.UUID:
    assert await client.connect()
    return uuid.UUID((await client.until("ready"))["call_id"])


async def _only_call() -> CallLog:
    return await CallLog.objects.aget()


async def test_upstream_error_event_is_reported_and_the_call_goes_on(
    agent: Agent, fake: FakeRealtimeServer
) -> None:
    client = CallClient()
    await _call(client)
    upstream = await fake.connection()
    await upstream.error("server_error", "The server had an error.", error_type="server_error")
    error = await client.until("error")
    assert error["code"] == "upstream_error" and "server_error" in error["message"]
    await client.send(type="ping", id=2)
    await client.until("pong")
    await client.close()


async def test_upstream_drop_ends_the_call(agent: Agent, fake: FakeRealtimeServer) -> None:
    client = CallClient()
    call_id = await _call(client)
    await client.send(type="text", text="Hello there")
    upstream = await fake.connection()
    await upstream.wait_for("response.create", count=2)
    await upstream.websocket.close(code=1011, reason="boom")
    ended = await client.until("ended")
    assert ended["reason"] == "upstream_closed"
    call = await CallLog.objects.aget(pk=call_id)
    assert (call.status, call.end_reason) == ("completed", "upstream_closed")
    assert await TranscriptTurn.objects.filter(call_id=call_id, text="Hello there").aexists()


async def test_session_expired_ends_the_call_gracefully(
    agent: Agent, fake: FakeRealtimeServer
) -> None:
    client = CallClient()
    await _call(client)
    upstream = await fake.connection()
    await upstream.error("session_expired", "Your session hit the maximum duration of 60 minutes.")
    assert (await client.until("ended"))["reason"] == "upstream_closed"


async def test_connect_timeout_fails_the_call(
    agent: Agent, fake: FakeRealtimeServer, settings: Settings
) -> None:
    fake.handshake_delay = 3
    settings.REALTIME_CONNECT_TIMEOUT = 0.5
    client = CallClient()
    assert await client.connect()
    error = await client.until("error")
    assert error["code"] == "upstream_unavailable"
    ended = await client.until("ended")
    assert ended["reason"] == "upstream_unavailable"
    assert client.received("ready") == []
    call = await _only_call()
    assert (call.status, call.end_reason) == ("failed", "upstream_unavailable")


async def test_unreachable_upstream_fails_the_call(
    agent: Agent, fake: FakeRealtimeServer, settings: Settings
) -> None:
    settings.OPENAI_REALTIME_URL = "ws://127.0.0.1:1/v1/realtime"
    client = CallClient()
    assert await client.connect()
    assert (await client.until("ended"))["reason"] == "upstream_unavailable"
    assert (await _only_call()).status == "failed"


async def test_client_vanishing_is_recorded(agent: Agent, fake: FakeRealtimeServer) -> None:
    client = CallClient()
    call_id = await _call(client)
    await client.send(type="text", text="I have to go")
    await client.until("transcript", role="user")
    await client.close()  # no `end`
    for _ in range(100):
        call = await CallLog.objects.aget(pk=call_id)
        if not call.is_live:
            break
        await asyncio.sleep(0.05)
    assert (call.status, call.end_reason) == ("completed", "connection_lost")
    assert await TranscriptTurn.objects.filter(call_id=call_id, text="I have to go").aexists()
    upstream = await fake.connection()
    await asyncio.wait_for(upstream.closed.wait(), 5)


async def test_server_shutdown_is_recorded(agent: Agent, fake: FakeRealtimeServer) -> None:
    client = CallClient()
    call_id = await _call(client)
    await client.communicator.disconnect(code=1012)  # what uvicorn sends on SIGTERM
    for _ in range(100):
        call = await CallLog.objects.aget(pk=call_id)
        if not call.is_live:
            break
        await asyncio.sleep(0.05)
    assert call.end_reason == "server_shutdown"


async def test_max_duration_wraps_up_then_ends(agent: Agent, fake: FakeRealtimeServer) -> None:
    await type(agent).objects.filter(pk=agent.pk).aupdate(max_call_seconds=2)
    client = CallClient()
    call_id = await _call(client)
    ended = await client.until("ended", timeout=5)
    assert ended["reason"] == "max_duration"
    upstream = await fake.connection()
    system = [
        e["item"]
        for e in upstream.of_type("conversation.item.create")
        if e["item"].get("role") == "system"
    ]
    assert system and "Wrap up" in system[0]["content"][0]["text"]
    call = await CallLog.objects.aget(pk=call_id)
    assert (call.end_reason, call.duration_seconds) == ("max_duration", 2)


async def test_idle_caller_is_prompted_once_then_the_call_ends(
    agent: Agent, fake: FakeRealtimeServer
) -> None:
    await type(agent).objects.filter(pk=agent.pk).aupdate(idle_seconds=1, greeting="")
    prompts: list[str] = []

    async def reply(connection: Any, event: dict[str, Any]) -> None:
        prompts.append((event.get("response") or {}).get("instructions", ""))
        await connection.speak("Are you still there?", [b"\x00\x00" * 1200])

    fake.on_response_create = reply
    client = CallClient()
    await _call(client)
    ended = await client.until("ended", timeout=8)
    assert ended["reason"] == "idle_timeout"
    assert sum("still there" in p for p in prompts) == 1


async def test_ending_before_ready_closes_the_upstream_too(
    agent: Agent, fake: FakeRealtimeServer
) -> None:
    fake.handshake_delay = 0.5
    client = CallClient()
    assert await client.connect()
    await client.send(type="end")
    assert (await client.until("ended"))["reason"] == "client_ended"
    upstream = await fake.connection()
    await asyncio.wait_for(upstream.closed.wait(), 5)
    call = await _only_call()
    assert (call.status, call.end_reason) == ("completed", "client_ended")
