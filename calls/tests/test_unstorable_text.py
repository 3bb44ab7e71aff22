"""Text no database can store (lone surrogates, NUL) never costs a call its transcript."""

from __future__ import annotations

import asyncio

import pytest

from agents.models import Agent
from calls.models import CallLog, ToolInvocation, TranscriptTurn
from calls.realtime.hooks import TurnRecord
from calls.realtime.text import storable_json, storable_text
from calls.realtime.transcript import TurnWriter
from calls.tests.conftest import CallClient
from calls.tests.fake_openai import FakeRealtimeServer

pytestmark = pytest.mark.django_db(transaction=True)

HALF_EMOJI = "x \ud83d"
WHOLE_EMOJI_IN_TWO_ESCAPES = "\ud83d\ude00 hi"


def test_storable_text_keeps_what_it_can() -> None:
    assert storable_text("plain, ünïcode ✓") == "plain, ünïcode ✓"
    assert storable_text(HALF_EMOJI) == "x \ufffd"
    assert storable_text(WHOLE_EMOJI_IN_TWO_ESCAPES) == "😀 hi"
    assert storable_text("a\x00b") == "a\ufffdb"
    assert storable_text("\udc00\ud83d") == "\ufffd\ufffd"
    assert storable_json({"k\x00": ["v\ud800", 1, None]}) == {"k\ufffd": ["v\ufffd", 1, None]}


async def test_hostile_text_from_caller_and_model_is_stored_with_every_other_turn(
    agent: Agent, fake: FakeRealtimeServer
) -> None:
    client = CallClient()
    assert await client.connect()
    call_id = (await client.until("ready"))["call_id"]
    await client.until("response_done")  # the greeting
    upstream = await fake.connection()
    # json.dumps escapes these as \ud83d and \u0000, exactly as a hostile client would.
    await client.send(type="text", text=HALF_EMOJI)
    await client.send(type="text", text="nul \x00 inside")
    await client.send(type="text", text="an ordinary line")
    # The transcriber and the model send escapes too.
    item = upstream.new_id("item")
    await upstream.websocket.send(
        '{"type":"conversation.item.input_audio_transcription.completed","event_id":"e1",'
        f'"item_id":"{item}","content_index":0,"transcript":"heard \\ud83d\\ude00 and \\udc00"}}'
    )
    await upstream.speak("reply with a \x00 nul", [b"\0\0" * 240])
    await upstream.call_functions([("update_user_info", {"name": "Ada\x00 \ud83d"})])
    await client.until("user_info")
    await asyncio.sleep(1.5)  # a flush interval: the turns are stored while the call is live
    live_texts = [
        text
        async for text in TranscriptTurn.objects.filter(call_id=call_id).values_list(
            "text", flat=True
        )
    ]
    assert "x \ufffd" in live_texts and "an ordinary line" in live_texts
    await client.send(type="end")
    await client.until("ended")

    texts = [
        turn.text async for turn in TranscriptTurn.objects.filter(call_id=call_id).order_by("seq")
    ]
    assert texts[0] == fake.greeting_text
    assert texts[1:] == [
        "x \ufffd",
        "nul \ufffd inside",
        "an ordinary line",
        "heard 😀 and \ufffd",
        "reply with a \ufffd nul",
    ]
    # The model saw the cleaned text too.
    typed = [
        event["item"]["content"][0]["text"]
        for event in upstream.of_type("conversation.item.create")
        if event["item"]["type"] == "message"
    ]
    assert "x \ufffd" in typed
    tool = await ToolInvocation.objects.aget(call_id=call_id)
    assert tool.arguments == {"name": "Ada\ufffd \ufffd"}
    call = await CallLog.objects.aget(pk=call_id)
    assert call.status == "completed" and call.end_reason == "client_ended"


def _turn(seq: int, text: str) -> TurnRecord:
    return TurnRecord(seq=seq, role="user", text=text, item_id=f"i{seq}", started_ms=None)


class PickyDatabase:
    """Refuses any batch holding a row with 'BAD' in it, or everything while down."""

    def __init__(self) -> None:
        self.stored: dict[int, str] = {}
        self.down = False
        self.attempts = 0

    async def save(self, turns: list[TurnRecord]) -> None:
        self.attempts += 1
        if self.down or any("BAD" in turn.text for turn in turns):
            raise RuntimeError("refused")
        self.stored.update({turn.seq: turn.text for turn in turns})


async def test_one_refused_row_never_blocks_the_others_and_is_kept_in_plain_form() -> None:
    database = PickyDatabase()
    writer = TurnWriter(call_id="c", save=database.save)
    writer.queue(_turn(1, "first"))
    writer.queue(_turn(2, "BAD é"))
    writer.queue(_turn(3, "third"))
    await writer.flush()
    assert database.stored == {1: "first", 3: "third"}
    assert writer.pending == 1
    writer.queue(_turn(4, "fourth"))
    await writer.flush()
    assert database.stored[4] == "fourth"
    assert writer.pending == 1  # refused twice alone now: the ASCII form is tried next
    # The ASCII form of a 'BAD' row is still refused here, so it stays queued, unlost.
    await writer.flush_final()
    assert writer.pending == 1 and 2 not in database.stored


async def test_a_row_refused_alone_is_stored_in_ascii_form() -> None:
    stored: dict[int, str] = {}

    async def save(turns: list[TurnRecord]) -> None:
        if any(not turn.text.isascii() for turn in turns):
            raise RuntimeError("this database takes ASCII only")
        stored.update({turn.seq: turn.text for turn in turns})

    writer = TurnWriter(call_id="c", save=save)
    writer.queue(_turn(1, "ok"))
    writer.queue(_turn(2, "café"))
    await writer.flush()
    await writer.flush()
    assert stored == {1: "ok", 2: "caf\\xe9"} and writer.pending == 0


async def test_a_database_outage_keeps_every_turn_queued_until_it_ends() -> None:
    database = PickyDatabase()
    writer = TurnWriter(call_id="c", save=database.save)
    database.down = True
    for seq in range(1, 6):
        writer.queue(_turn(seq, f"turn {seq}"))
        await writer.flush()
    assert writer.pending == 5 and database.stored == {}
    database.down = False
    await writer.flush()
    assert database.stored == {seq: f"turn {seq}" for seq in range(1, 6)}


async def test_a_newer_copy_queued_during_a_failed_write_wins() -> None:
    database = PickyDatabase()
    writer = TurnWriter(call_id="c", save=database.save)
    database.down = True
    writer.queue(_turn(1, "final"))
    await writer.flush()
    writer.queue(_turn(1, "final, interrupted"))
    database.down = False
    await writer.flush()
    assert database.stored == {1: "final, interrupted"}


def test_json_frames_that_exhaust_the_parser_are_protocol_errors() -> None:
    from calls.realtime.protocol import ProtocolError, parse_client_frame

    with pytest.raises(ProtocolError, match="nested too deeply"):
        parse_client_frame("[" * 100_000, None)
    with pytest.raises(ProtocolError, match="nested too deeply"):
        parse_client_frame('{"type": "text", "text": ' + '{"a": ' * 5000, None)


async def test_a_write_cancelled_by_the_end_of_the_call_is_stored_by_the_final_flush() -> None:
    stored: dict[int, str] = {}
    started = asyncio.Event()

    async def slow_save(turns: list[TurnRecord]) -> None:
        started.set()
        await asyncio.sleep(0.2)
        stored.update({turn.seq: turn.text for turn in turns})

    writer = TurnWriter(call_id="c", save=slow_save)
    writer.queue(_turn(1, "said just before the end"))
    flushing = asyncio.ensure_future(writer.flush())
    await started.wait()
    flushing.cancel()  # what CallSession.end does to its flush loop
    with pytest.raises(asyncio.CancelledError):
        await flushing
    assert stored == {} and writer.pending == 1
    await writer.flush_final()
    assert stored == {1: "said just before the end"}
