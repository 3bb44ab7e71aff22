"""Filler phrases on the Realtime engine, through the real consumer and the fake service:
a slow tool gets one filler before its answer, a quick one none."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest

from agents.models import Agent
from calls import tool_registry as tools
from calls.models import TranscriptTurn
from calls.realtime.fillers import PHRASES, filler_language, quoted_phrase
from calls.tests.conftest import CallClient, calls_settled
from calls.tests.fake_openai import FakeConnection, FakeRealtimeServer, pcm_chunks

pytestmark = pytest.mark.django_db(transaction=True)

ANSWER = "Monday at three is free."


def _purpose(event: dict[str, Any]) -> str | None:
    return ((event.get("response") or {}).get("metadata") or {}).get("purpose")


def _slow_check_availability(monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """check_availability (filler "calendar") answers only once the test releases it."""
    release = asyncio.Event()

    async def slow(arguments: dict[str, Any], context: Any) -> dict[str, Any]:
        await release.wait()
        return {"ok": True, "available": True}

    slowed = dataclasses.replace(tools.REGISTRY["check_availability"], handler=slow)
    monkeypatch.setitem(tools.REGISTRY, "check_availability", slowed)
    return release


async def _started(fake: FakeRealtimeServer) -> tuple[CallClient, FakeConnection]:
    client = CallClient()
    assert await client.connect()
    await client.until("ready")
    await client.until("response_done")  # the greeting
    return client, await fake.connection()


async def test_a_slow_tool_gets_one_filler_before_its_answer(
    agent: Agent, fake: FakeRealtimeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "check_availability" in agent.enabled_tools
    release = _slow_check_availability(monkeypatch)
    finishing: list[asyncio.Task[None]] = []

    async def respond(connection: FakeConnection, event: dict[str, Any]) -> None:
        if _purpose(event) != "filler":
            await connection.speak(ANSWER, pcm_chunks(4, seed=5))
            return
        text = quoted_phrase(event["response"]["instructions"])
        response_id, _ = await connection.speak(
            text, pcm_chunks(3, seed=3), metadata=event["response"]["metadata"], finish=False
        )
        outputs = len(connection.of_type("conversation.item.create"))

        async def finish() -> None:
            # The tool answers while the filler is still being said: its answer must
            # wait for the filler's response.done, not collide with it.
            release.set()
            await connection.wait_for("conversation.item.create", count=outputs + 1)
            await asyncio.sleep(0.1)  # a response.create sent too early would be here now
            await connection.finish_response(response_id, [])

        finishing.append(asyncio.ensure_future(finish()))

    fake.on_response_create = respond
    client, upstream = await _started(fake)
    await upstream.call_functions([("check_availability", {"service": "Consultation"})])
    await client.until("transcript", role="assistant", final=True, text=ANSWER, timeout=10)

    sent = upstream.received
    creates = [i for i, e in enumerate(sent) if e["type"] == "response.create"]
    fillers = [i for i in creates if _purpose(sent[i]) == "filler"]
    assert len(fillers) == 1
    filler = sent[fillers[0]]["response"]
    assert filler["tool_choice"] == "none"
    phrase = quoted_phrase(filler["instructions"])
    assert phrase in PHRASES[filler_language(agent.language)]["calendar"]
    output = next(
        i
        for i, e in enumerate(sent)
        if e["type"] == "conversation.item.create" and e["item"]["type"] == "function_call_output"
    )
    answer = [i for i in creates if i > fillers[0] and _purpose(sent[i]) is None]
    assert fillers[0] < output < answer[0] and len(answer) == 1
    assert not [m for m in client.messages if m["type"] == "error"]
    # The filler was heard and shown like any reply, before the answer.
    finals = [
        m["text"] for m in client.received("transcript") if m["role"] == "assistant" and m["final"]
    ]
    assert finals[-2:] == [phrase, ANSWER]
    await client.send(type="end")
    await client.until("ended")
    await client.close()
    await calls_settled()
    assert await TranscriptTurn.objects.filter(role="assistant", text=phrase).aexists()
    await asyncio.gather(*finishing)


async def test_a_quick_tool_gets_no_filler(agent: Agent, fake: FakeRealtimeServer) -> None:
    async def respond(connection: FakeConnection, event: dict[str, Any]) -> None:
        await connection.speak("Noted, thank you.", pcm_chunks(2, seed=4))

    fake.on_response_create = respond
    client, upstream = await _started(fake)
    await upstream.call_functions([("update_user_info", {"name": "Ada Lovelace"})])
    await client.until("transcript", role="assistant", final=True, text="Noted, thank you.")
    await asyncio.sleep(1.0)  # past the 700 ms a filler would wait for
    purposes = [_purpose(e) for e in upstream.of_type("response.create")]
    assert "filler" not in purposes and purposes.count(None) == 1
    await client.close()
