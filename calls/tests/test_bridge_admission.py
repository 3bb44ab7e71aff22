"""Refusals happen before accept(), and write no call log."""

from __future__ import annotations

import pytest
from pytest_django import Settings

from agents.models import Agent
from calls.models import CallLog
from calls.tests.conftest import CallClient
from calls.tests.fake_openai import FakeRealtimeServer

pytestmark = pytest.mark.django_db(transaction=True)


def _origin(origin: str, host: str = "voice.example.com") -> list[tuple[bytes, bytes]]:
    return [(b"origin", origin.encode()), (b"host", host.encode())]


async def _refused(client: CallClient) -> bool:
    connected = await client.connect()
    return connected is False


async def test_unknown_and_inactive_agents_are_refused(
    agent: Agent, fake: FakeRealtimeServer
) -> None:
    assert await _refused(CallClient("/ws/calls/no-such-agent/"))
    agent.is_active = False
    await agent.asave()
    assert await _refused(CallClient())
    assert await CallLog.objects.acount() == 0
    assert fake.handshakes == []


async def test_hosts_outside_allowed_hosts_are_refused(
    agent: Agent, fake: FakeRealtimeServer, settings: Settings
) -> None:
    # DNS rebinding: a page on attacker.example whose name resolves to this server.
    # Its Origin matches its Host, which an agent with no allowed origins would accept.
    settings.ALLOWED_HOSTS = ["voice.example.com"]
    rebound = CallClient(headers=_origin("http://attacker.example", host="attacker.example"))
    assert await _refused(rebound)
    assert await _refused(CallClient(headers=[(b"host", b"")]))
    assert await CallLog.objects.acount() == 0
    ours = CallClient(headers=_origin("https://voice.example.com"))
    assert await ours.connect()
    await ours.close()


async def test_origins_follow_the_agent_setting(
    agent: Agent, fake: FakeRealtimeServer, settings: Settings
) -> None:
    settings.ALLOWED_HOSTS = ["voice.example.com"]
    # Empty list: only pages of this server.
    assert await _refused(CallClient(headers=_origin("https://evil.example")))
    same_host = CallClient(headers=_origin("https://voice.example.com"))
    assert await same_host.connect()
    await same_host.close()

    agent.allowed_origins = "https://shop.example\nhttps://www.shop.example"
    await agent.asave()
    assert await _refused(CallClient(headers=_origin("https://evil.example")))
    allowed = CallClient(headers=_origin("https://www.shop.example"))
    assert await allowed.connect()
    await allowed.close()


async def test_concurrent_call_limit(agent: Agent, fake: FakeRealtimeServer) -> None:
    agent.max_concurrent_calls = 1
    await agent.asave()
    first = CallClient()
    assert await first.connect()
    await first.until("ready")
    assert await _refused(CallClient())
    assert await CallLog.objects.acount() == 1
    await first.close()


async def test_rate_limit_per_address(
    agent: Agent, fake: FakeRealtimeServer, settings: Settings
) -> None:
    settings.CALL_RATE_LIMIT_PER_MINUTE = 2
    for _ in range(2):
        client = CallClient()
        assert await client.connect()
        await client.send(type="end")
        await client.until("ended")
        await client.close()
    assert await _refused(CallClient())
