"""A web call on the cascaded engine, through the real consumer, against the providers'
loopback fakes: the greeting, a spoken turn → captions → the LLM's reply as audio, and
a barge-in that stops the reply and keeps only what was heard; a slow tool covered by a
filler phrase spoken without the LLM."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from agents.models import Agent
from calls import tool_registry as tools
from calls.models import CallLog, ToolInvocation, TranscriptTurn
from calls.realtime.engines.cascade.upstream import APOLOGY
from calls.realtime.fillers import PHRASES, filler_language
from calls.telephony.twilio.tests.test_twilio import (
    TwilioStream,
    _form,
    _post_webhook,
    _stream_of,
    streams_closed,
    twilio_settings,
)
from calls.tests.conftest import CallClient, calls_settled
from calls.tests.fake_cascade.chat import FakeChat, Reply, ToolCall
from calls.tests.fake_cascade.loopback import Fault
from calls.tests.fake_cascade.speech import FakeOpenAISpeech
from calls.tests.fake_cascade.transcription import FakeTranscriptionServer

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["streams_closed", "twilio_settings"]  # fixtures of the Twilio stream tests

FRAME = base64.b64encode(b"\x00\x01" * 2400).decode()  # 100 ms of PCM16 at 24 kHz


@pytest.fixture
async def cascade(
    settings: Any, agent: Agent
) -> AsyncIterator[tuple[FakeTranscriptionServer, FakeChat]]:
    stt = FakeTranscriptionServer()
    chat, speech = FakeChat(), FakeOpenAISpeech()
    chat.mount(speech)
    settings.OPENAI_REALTIME_URL = await stt.start()
    settings.OPENAI_BASE_URL = chat.url
    settings.OPENAI_API_KEY = "sk-test-not-a-real-key"
    settings.REALTIME_CONNECT_TIMEOUT = 3.0
    agent.engine = "cascade"
    agent.greeting = "Hello, front desk."
    await agent.asave()
    yield stt, chat
    await calls_settled()
    await stt.stop()
    chat.stop()
    speech.stop()
    assert stt.violations == [] and chat.violations == [] and speech.violations == []


async def _speak(client: CallClient, ms: int) -> None:
    for _ in range(ms // 100):
        await client.send(type="audio", audio=FRAME)


async def test_a_spoken_turn_gets_captions_and_a_spoken_reply(
    cascade: tuple[FakeTranscriptionServer, FakeChat],
) -> None:
    stt, chat = cascade
    chat.replies = [
        Reply(text="Hello, front desk."),
        Reply(text="We are open from nine to five. Anything else?"),
    ]
    stt.say("when are you open", at_ms=200, speech_ms=800)
    client = CallClient()
    assert await client.connect()
    await client.until("ready")
    await client.until("response_done")  # the greeting
    await _speak(client, 1800)  # the turn, then silence: the fake's VAD ends it
    caption = await client.until("transcript", role="user", final=True)
    assert caption["text"] == "when are you open"
    await client.until("response_done")
    reply_audio = client.audio_bytes()
    assert reply_audio  # spoken, not only written
    finals = [
        m["text"] for m in client.received("transcript") if m["role"] == "assistant" and m["final"]
    ]
    assert finals[-1] == "We are open from nine to five. Anything else?"
    await client.send(type="end")
    await client.until("ended")
    await client.close()
    await calls_settled()
    call = await CallLog.objects.aget()
    assert call.engine == "cascade"
    # Each stage's usage, and its cost at CASCADE_PRICES.
    spoken = ("Hello, front desk.", "We are open from nine to five.", "Anything else?")
    assert call.usage["tts_characters"] == sum(len(chunk) for chunk in spoken)
    assert call.usage["stt_audio_ms"] >= 1800 and call.usage["output_text_tokens"] > 0
    assert call.cost_usd > 0
    turns = [
        (t.role, t.text) async for t in TranscriptTurn.objects.filter(call=call).order_by("seq")
    ]
    assert ("user", "when are you open") in turns
    assert ("assistant", "We are open from nine to five. Anything else?") in turns
    # The LLM had the conversation: the instructions, the greeting and the caller's turn.
    last = chat.streamed[-1]["messages"]
    assert last[0]["role"] == "system" and "When are you open" not in last[0]["content"]
    assert {"role": "user", "content": "when are you open"} in last


async def test_the_caller_speaking_stops_the_reply(
    cascade: tuple[FakeTranscriptionServer, FakeChat],
) -> None:
    stt, chat = cascade
    chat.tokens_per_second = 8  # a long, slow reply: the caller talks over it
    chat.replies = [
        Reply(text="Hello, front desk."),
        Reply(text="Let me tell you everything. " + "We do many things here. " * 12),
        Reply(text="Sure, goodbye."),
    ]
    stt.say("tell me about you", at_ms=200, speech_ms=600)
    stt.say("stop please", at_ms=3500, speech_ms=600)
    client = CallClient()
    assert await client.connect()
    await client.until("ready")
    await client.until("response_done")
    await _speak(client, 1500)
    await client.until("audio", timeout=10)  # the long reply has started
    await _speak(client, 3500)  # the second turn starts over it, then silence
    await client.until("listening", timeout=10)
    await client.until("transcript", role="user", final=True, text="stop please", timeout=10)
    await client.send(type="end")
    await client.until("ended")
    await client.close()
    await calls_settled()
    long_reply = await TranscriptTurn.objects.filter(
        role="assistant", text__startswith="Let me tell you"
    ).afirst()
    assert long_reply is not None and long_reply.interrupted
    # Kept only what was heard: far from the whole reply.
    assert len(long_reply.text) < len("We do many things here. ") * 6
    await asyncio.sleep(0)


async def test_a_slow_tool_is_covered_by_a_filler_spoken_without_the_llm(
    cascade: tuple[FakeTranscriptionServer, FakeChat], agent: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    stt, chat = cascade
    answer = "Monday at three is free. Shall I book it?"
    release = asyncio.Event()

    async def slow(arguments: dict[str, Any], context: Any) -> dict[str, Any]:
        await release.wait()  # answers only once the filler was heard
        return {"ok": True, "available": True}

    slowed = dataclasses.replace(tools.REGISTRY["check_availability"], handler=slow)
    monkeypatch.setitem(tools.REGISTRY, "check_availability", slowed)

    def script(body: dict[str, Any]) -> Reply:
        last = body["messages"][-1]
        if any(m["role"] == "tool" for m in body["messages"]):
            return Reply(text=answer)
        if last["role"] == "user":
            return Reply(tool_calls=[ToolCall("check_availability", {"service": "Consultation"})])
        return Reply(text="Hello, front desk.")

    chat.script = script
    stt.say("is monday at three free", at_ms=200, speech_ms=800)
    client = CallClient()
    assert await client.connect()
    await client.until("ready")
    await client.until("response_done")  # the greeting
    await _speak(client, 1800)
    filler = await client.until("transcript", role="assistant", final=True, timeout=10)
    phrase = filler["text"]
    assert phrase in PHRASES[filler_language(agent.language)]["calendar"]
    asked = len(chat.streamed)
    release.set()
    reply = await client.until("transcript", role="assistant", final=True, timeout=10)
    assert reply["text"] == answer
    # One LLM request for the answer, none for the filler.
    assert len(chat.streamed) == asked + 1
    assert not any(
        "word for word" in str(m.get("content")) and phrase in str(m.get("content"))
        for body in chat.streamed
        for m in body["messages"]
    )
    # The filler's audio reached the caller before the answer's.
    audio_items = [m["item_id"] for m in client.received("audio")]
    assert filler["item_id"] in audio_items and reply["item_id"] in audio_items
    assert audio_items.index(filler["item_id"]) < audio_items.index(reply["item_id"])
    # The LLM knew it had said it (after the tool's result: Chat Completions' order).
    roles = [(m["role"], m.get("content")) for m in chat.streamed[-1]["messages"]]
    assert roles[-2:] == [("tool", '{"ok": true, "available": true}'), ("assistant", phrase)]
    await client.send(type="end")
    await client.until("ended")
    await client.close()
    await calls_settled()
    turns = [t.text async for t in TranscriptTurn.objects.filter(role="assistant").order_by("seq")]
    assert turns[-2:] == [phrase, answer]


async def test_a_tool_call_runs_and_its_result_reaches_the_model(
    cascade: tuple[FakeTranscriptionServer, FakeChat],
) -> None:
    stt, chat = cascade
    chat.replies = [
        Reply(text="Hello, front desk."),
        Reply(tool_calls=[ToolCall("update_user_info", {"name": "Ada Lovelace"})]),
        Reply(text="Thank you, Ada."),
    ]
    stt.say("my name is ada lovelace", at_ms=200, speech_ms=900)
    client = CallClient()
    assert await client.connect()
    await client.until("ready")
    await client.until("response_done")
    await _speak(client, 1800)
    await client.until(
        "transcript", role="assistant", final=True, text="Thank you, Ada.", timeout=10
    )
    await client.send(type="end")
    await client.until("ended")
    await client.close()
    await calls_settled()
    tool = await ToolInvocation.objects.aget()
    assert (tool.name, tool.ok) == ("update_user_info", True)
    call = await CallLog.objects.aget()
    assert call.user_info["name"] == "Ada Lovelace"
    # The model's next request held its own call and the tool's result, paired.
    messages = chat.streamed[-1]["messages"]
    (asked,) = [m for m in messages if m.get("tool_calls")]
    (answered,) = [m for m in messages if m["role"] == "tool"]
    assert answered["tool_call_id"] == asked["tool_calls"][0]["id"]


async def test_a_failing_model_is_retried_then_the_caller_hears_an_apology(
    cascade: tuple[FakeTranscriptionServer, FakeChat],
) -> None:
    stt, chat = cascade
    chat.replies = [
        Reply(text="Hello, front desk."),
        Reply(fault=Fault(status=500)),
        Reply(fault=Fault(status=500)),
    ]
    stt.say("are you there", at_ms=200, speech_ms=600)
    client = CallClient()
    assert await client.connect()
    await client.until("ready")
    await client.until("response_done")
    await _speak(client, 1500)
    apology = await client.until("transcript", role="assistant", final=True, timeout=10)
    assert apology["text"] == APOLOGY
    assert client.audio_bytes()  # said, not silence
    assert len(chat.streamed) == 3  # the greeting, the reply and its one retry
    await client.send(type="end")
    await client.until("ended")
    await client.close()
    await calls_settled()
    call = await CallLog.objects.aget()
    assert call.status == "completed"  # the call went on


async def test_a_phone_call_hears_the_cascade_in_mulaw(
    cascade: tuple[FakeTranscriptionServer, FakeChat], twilio_settings: Any, agent: Agent
) -> None:
    stt, chat = cascade
    agent.connection_beep = False
    await agent.asave()
    chat.replies = [Reply(text="Hello, front desk.")]
    response = await sync_to_async(_post_webhook)(_form("CA0001"))
    stream = TwilioStream()
    assert await stream.open(_stream_of(response.content)[1], call_sid="CA0001")
    media = await stream.until("media", timeout=10)
    assert media["media"]["payload"]
    for _ in range(30):  # the greeting, μ-law at 8 kHz: a byte per sample
        if await stream.communicator.receive_nothing(timeout=0.3):
            break
        stream.events.append(json.loads(await stream.communicator.receive_from()))
    audio = b"".join(base64.b64decode(e["media"]["payload"]) for e in stream.of("media"))
    assert abs(len(audio) - len("Hello, front desk.") * 60 * 8) <= 16
    # The transcriber hears the phone's audio as it is: μ-law.
    formats = [
        e["session"]["audio"]["input"]["format"]
        for connection in stt.connections
        for e in connection.received
        if e["type"] == "session.update"
    ]
    assert formats == [{"type": "audio/pcmu"}]
    await stream.send({"event": "stop", "sequenceNumber": "99", "streamSid": "MZ0001"})
    await calls_settled()
    call = await CallLog.objects.aget()
    assert (call.engine, call.channel) == ("cascade", "twilio")
