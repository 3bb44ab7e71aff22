"""Function calls: outputs per call_id, one response.create after response.done."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest

from calls import tool_registry as tools
from calls.models import CallLog, ToolInvocation
from calls.realtime.config import ToolDeclaration
from calls.tests.conftest import CallClient
from calls.tests.fake_openai import FakeRealtimeServer

pytestmark = pytest.mark.django_db(transaction=True)


async def _started(fake: FakeRealtimeServer) -> tuple[CallClient, Any, uuid.UUID]:
    client = CallClient()
    assert await client.connect()
    ready = await client.until("ready")
    await client.until("response_done")  # greeting
    return client, await fake.connection(), uuid.UUID(ready["call_id"])


def _after_tools(upstream: Any) -> list[dict[str, Any]]:
    """Events the bridge sent after the fake's last response.done."""
    return upstream.received[upstream.server.response_done_at[-1] :]


async def test_one_function_call_round_trip(agent: Any, fake: FakeRealtimeServer) -> None:
    client, upstream, call_id = await _started(fake)
    await upstream.call_functions(
        [("update_user_info", {"name": "Ada Lovelace", "email": "ADA@Example.com"})]
    )
    info = await client.until("user_info")
    assert info["user_info"] == {"name": "Ada Lovelace", "email": "ada@example.com", "phone": None}
    await upstream.wait_for("response.create", count=2)
    after = _after_tools(upstream)
    outputs = [e for e in after if e["type"] == "conversation.item.create"]
    assert len(outputs) == 1
    output = outputs[0]["item"]
    assert output["type"] == "function_call_output" and output["call_id"].startswith("call_")
    assert json.loads(output["output"])["ok"] is True
    creates = [e["type"] for e in after if e["type"] == "response.create"]
    assert creates == ["response.create"]
    assert after.index(outputs[0]) < [e["type"] for e in after].index("response.create")

    await asyncio.sleep(0.2)
    invocation = await ToolInvocation.objects.aget(call_id=call_id)
    assert (invocation.name, invocation.ok) == ("update_user_info", True)
    assert invocation.arguments["email"] == "ADA@Example.com"
    assert invocation.latency_ms >= 0
    call = await CallLog.objects.aget(pk=call_id)
    assert call.user_info["email"] == "ada@example.com"
    await client.close()


async def test_parallel_calls_get_one_response_create(agent: Any, fake: FakeRealtimeServer) -> None:
    client, upstream, call_id = await _started(fake)
    await upstream.call_functions(
        [("update_user_info", {"name": "Ada"}), ("update_user_info", {"phone": "+442071838750"})]
    )
    await upstream.wait_for("response.create", count=2)
    await asyncio.sleep(0.3)  # a second response.create would have arrived by now
    after = _after_tools(upstream)
    outputs = [e["item"]["call_id"] for e in after if e["type"] == "conversation.item.create"]
    assert len(outputs) == 2 and len(set(outputs)) == 2
    assert [e["type"] for e in after].count("response.create") == 1
    assert [e["type"] for e in after][-1] == "response.create"
    assert await ToolInvocation.objects.filter(call_id=call_id).acount() == 2
    await client.close()


async def test_failing_slow_and_unknown_tools_become_results(
    agent: Any, fake: FakeRealtimeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(arguments: dict[str, Any], context: Any) -> dict[str, Any]:
        raise RuntimeError("database on fire")

    async def slow(arguments: dict[str, Any], context: Any) -> dict[str, Any]:
        await asyncio.sleep(30)
        return {"ok": True}

    monkeypatch.setitem(
        tools.REGISTRY,
        "broken",
        tools.Tool(ToolDeclaration("broken", "d", {"type": "object"}), broken),
    )
    monkeypatch.setitem(
        tools.REGISTRY, "slow", tools.Tool(ToolDeclaration("slow", "d", {"type": "object"}), slow)
    )
    monkeypatch.setattr("calls.realtime.toolcalls.TOOL_TIMEOUT_SECONDS", 0.3)
    client, upstream, call_id = await _started(fake)
    await upstream.call_functions([("broken", {}), ("slow", {}), ("no_such_tool", {})])
    await upstream.wait_for("response.create", count=2, timeout=5)
    results = {
        e["item"]["call_id"]: json.loads(e["item"]["output"])
        for e in _after_tools(upstream)
        if e["type"] == "conversation.item.create"
    }
    assert len(results) == 3 and all(r["ok"] is False for r in results.values())
    assert "database on fire" not in json.dumps(results)
    # The call goes on.
    await client.send(type="ping", id=1)
    await client.until("pong")
    errors = [m for m in client.messages if m["type"] == "error"]
    # The unknown tool is the model's mistake, reported to it alone.
    assert [m["code"] for m in errors] == ["tool_failed"] * 2
    await asyncio.sleep(0.2)
    stored = {t.name: t async for t in ToolInvocation.objects.filter(call_id=call_id)}
    assert stored["broken"].error == "RuntimeError" and not stored["broken"].ok
    assert "took longer" in stored["slow"].error
    await client.close()


async def test_invalid_arguments_and_invalid_values_are_reported_to_the_model(
    agent: Any, fake: FakeRealtimeServer
) -> None:
    client, upstream, _ = await _started(fake)
    await upstream.call_functions([("update_user_info", {"email": "not an email"})])
    await upstream.wait_for("response.create", count=2)
    output = json.loads(
        next(e for e in _after_tools(upstream) if e["type"] == "conversation.item.create")["item"][
            "output"
        ]
    )
    assert output["ok"] is False and "ask for the email address again" in output["error"]
    await client.close()


async def test_end_call_ends_after_the_goodbye_audio(agent: Any, fake: FakeRealtimeServer) -> None:
    async def goodbye(connection: Any, event: dict[str, Any]) -> None:
        await connection.speak("Goodbye!", [b"\x00\x01" * 1200] * 4)

    fake.on_response_create = goodbye
    client, upstream, call_id = await _started(fake)
    await upstream.call_functions([("end_call", {"reason": "done"})])
    transcript = await client.until("transcript", role="assistant", final=True, text="Goodbye!")
    ended = await client.until("ended", timeout=5)
    assert ended["reason"] == "agent_ended"
    goodbye_audio = [
        m for m in client.messages if m["type"] == "audio" and m["item_id"] == transcript["item_id"]
    ]
    assert len(goodbye_audio) == 4
    assert client.messages.index(goodbye_audio[-1]) < client.messages.index(ended)
    call = await CallLog.objects.aget(pk=call_id)
    assert (call.status, call.end_reason) == ("completed", "agent_ended")


async def test_outputs_finished_during_a_response_get_their_own_reply(
    agent: Any, fake: FakeRealtimeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A response that began before the tool's output existed cannot use it; the bridge
    asks for one more response after it (and only one)."""
    release = asyncio.Event()

    async def slow(arguments: dict[str, Any], context: Any) -> dict[str, Any]:
        await release.wait()
        return {"ok": True, "answer": 42}

    monkeypatch.setitem(
        tools.REGISTRY,
        "slow_lookup",
        tools.Tool(ToolDeclaration("slow_lookup", "d", {"type": "object"}), slow),
    )

    async def reply(connection: Any, event: dict[str, Any]) -> None:
        await connection.speak("Working on it.", [b"\x00\x00" * 1200], finish=False)

    fake.on_response_create = reply
    client, upstream, _ = await _started(fake)
    await upstream.call_functions([("slow_lookup", {})])
    # The caller types while the tool runs: a response starts without the output.
    await client.send(type="text", text="hello?")
    await upstream.wait_for("response.create", count=2)
    running = upstream.active_response
    release.set()
    await upstream.wait_for("conversation.item.create", count=2)  # text, then the output
    await asyncio.sleep(0.2)
    assert len(upstream.of_type("response.create")) == 2  # nothing while it runs
    await upstream.finish_response(running, [])
    await upstream.wait_for("response.create", count=3)
    await asyncio.sleep(0.3)
    assert len(upstream.of_type("response.create")) == 3
    await client.close()
