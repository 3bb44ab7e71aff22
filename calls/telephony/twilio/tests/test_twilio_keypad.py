"""Keys pressed on a Twilio call (DTMF) reach the model as one message per entry, the
transcript and the call's monitors; a key over the agent stops it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.layers import get_channel_layer

from calls.consumers import monitor_group
from calls.models import CallLog, CallStatus, TranscriptTurn
from calls.realtime import dtmf
from calls.telephony.twilio.tests.test_twilio import (
    ULAW_50MS,
    TwilioStream,
    _greeted_call,
    _hang_up,
    streams_closed,
    twilio_settings,
)
from calls.tests.fake_openai import FakeConnection, FakeRealtimeServer

pytestmark = pytest.mark.django_db(transaction=True)

__all__ = ["streams_closed", "twilio_settings"]  # fixtures this module uses

PAUSE = 0.3  # the end-of-entry pause, shortened for the tests


@pytest.fixture(autouse=True)
def short_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dtmf, "PAUSE_SECONDS", PAUSE)


@pytest.fixture(autouse=True)
def answers(fake: FakeRealtimeServer) -> None:
    """The model answers every response.create with a short reply."""

    async def reply(connection: FakeConnection, event: dict[str, Any]) -> None:
        await connection.speak("Thank you.", ULAW_50MS[:1])

    fake.on_response_create = reply


async def _press(stream: TwilioStream, keys: str) -> None:
    for key in keys:
        await stream.send(
            {
                "event": "dtmf",
                "streamSid": "MZ0001",
                "sequenceNumber": "5",
                "dtmf": {"track": "inbound_track", "digit": key},
            }
        )


def _user_messages(upstream: FakeConnection) -> list[str]:
    return [
        event["item"]["content"][0]["text"]
        for event in upstream.of_type("conversation.item.create")
        if event["item"].get("role") == "user"
    ]


async def _user_turns() -> list[tuple[str, str]]:
    return [
        (turn.item_id, turn.text)
        async for turn in TranscriptTurn.objects.filter(role="user").order_by("seq")
    ]


async def test_an_entry_ended_by_hash_reaches_the_model_once_and_the_transcript(
    agent: Any, twilio_settings: Any, fake: FakeRealtimeServer
) -> None:
    stream = await _greeted_call(fake)
    upstream = await fake.connection()
    call = await CallLog.objects.aget()
    layer = get_channel_layer()
    monitor = await layer.new_channel()
    await layer.group_add(monitor_group(str(call.pk)), monitor)

    await _press(stream, "4412#")
    await upstream.wait_for("response.create", count=2)  # the greeting's, then this one
    assert _user_messages(upstream) == [
        "The caller entered 4 4 1 2 on the phone keypad (together: 4412)."
    ]
    async with asyncio.timeout(5):  # monitors see it as the caller's final turn
        while (event := (await layer.receive(monitor))["event"])["type"] != "transcript" or (
            event["role"] != "user"
        ):
            pass
    assert (event["text"], event["final"]) == ("Keypad: 4412", True)

    await _press(stream, "#")  # pound alone is an entry of its own
    await upstream.wait_for("response.create", count=3)
    assert _user_messages(upstream)[1] == "The caller pressed # on the phone keypad."
    await asyncio.sleep(PAUSE * 2)
    assert len(upstream.of_type("response.create")) == 3  # each entry answered once
    await _hang_up(stream)
    turns = await _user_turns()
    assert [text for _, text in turns] == ["Keypad: 4412", "Keypad: #"]
    assert all(item_id.startswith("keypad_") for item_id, _ in turns)


async def test_keys_followed_by_a_pause_are_one_entry(
    agent: Any, twilio_settings: Any, fake: FakeRealtimeServer
) -> None:
    stream = await _greeted_call(fake)
    upstream = await fake.connection()
    await _press(stream, "1")
    await asyncio.sleep(PAUSE / 3)
    await _press(stream, "*9")  # still the same entry: the pause counts from the last key
    await asyncio.sleep(PAUSE / 2)
    assert _user_messages(upstream) == []
    await upstream.wait_for("response.create", count=2)
    assert _user_messages(upstream) == [
        "The caller entered 1 * 9 on the phone keypad (together: 1*9)."
    ]
    await _press(stream, "7")
    await upstream.wait_for("response.create", count=3)
    assert _user_messages(upstream)[1] == "The caller pressed 7 on the phone keypad."
    await _hang_up(stream)
    assert [text for _, text in await _user_turns()] == ["Keypad: 1*9", "Keypad: 7"]


async def test_a_key_over_the_agent_stops_it_and_the_entry_is_answered_once(
    agent: Any, twilio_settings: Any, fake: FakeRealtimeServer
) -> None:
    stream = await _greeted_call(fake)
    upstream = await fake.connection()
    _, item_id = await upstream.speak("A long answer.", ULAW_50MS, finish=False)
    marks = [await stream.until("mark") for _ in ULAW_50MS]
    await stream.send({"event": "mark", "streamSid": "MZ0001", "mark": marks[1]["mark"]})
    await asyncio.sleep(0.05)
    await _press(stream, "2")
    await stream.until("clear")  # Twilio drops what it still buffers, at the first key
    assert (await upstream.wait_for("response.cancel"))[0]["type"] == "response.cancel"
    truncate = (await upstream.wait_for("conversation.item.truncate"))[0]
    assert truncate["item_id"] == item_id
    assert 100 <= truncate["audio_end_ms"] <= 150  # where Twilio's marks say the caller is
    assert len(upstream.of_type("response.create")) == 1  # no answer before the entry ends
    await upstream.wait_for("response.create", count=2)
    await asyncio.sleep(PAUSE)
    assert len(upstream.of_type("response.create")) == 2  # answered once
    assert _user_messages(upstream) == ["The caller pressed 2 on the phone keypad."]
    await _hang_up(stream)
    assert (await CallLog.objects.aget()).status == CallStatus.COMPLETED


async def test_a_key_a_keypad_cannot_send_is_a_bad_frame_and_the_call_goes_on(
    agent: Any, twilio_settings: Any, fake: FakeRealtimeServer
) -> None:
    stream = await _greeted_call(fake)
    upstream = await fake.connection()
    call = await CallLog.objects.aget()
    layer = get_channel_layer()
    monitor = await layer.new_channel()
    await layer.group_add(monitor_group(str(call.pk)), monitor)
    await _press(stream, "X")
    await stream.send({"event": "dtmf", "streamSid": "MZ0001", "dtmf": {"digit": "12"}})
    await stream.send({"event": "dtmf", "streamSid": "MZ0001"})
    errors: list[dict[str, Any]] = []
    async with asyncio.timeout(5):
        while len(errors) < 3:
            event = (await layer.receive(monitor))["event"]
            if event["type"] == "error":
                errors.append(event)
    assert {error["code"] for error in errors} == {"bad_request"}
    await _press(stream, "5#")
    await upstream.wait_for("response.create", count=2)
    assert _user_messages(upstream) == ["The caller pressed 5 on the phone keypad."]
    await _hang_up(stream)
    call = await CallLog.objects.aget()
    assert (call.status, call.end_reason) == (CallStatus.COMPLETED, "caller_hung_up")
