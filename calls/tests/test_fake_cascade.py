"""The cascade's provider fakes speak the wire formats the official clients expect, and
record what the providers would refuse."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import openai
import pytest
from elevenlabs import VoiceSettings
from elevenlabs.client import AsyncElevenLabs
from openai import AsyncOpenAI
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosedError

from calls.tests.fake_cascade.chat import FakeChat, Reply, ToolCall
from calls.tests.fake_cascade.elevenlabs_ws import FakeElevenLabsWS
from calls.tests.fake_cascade.loopback import Fault
from calls.tests.fake_cascade.speech import FakeElevenLabs, FakeOpenAISpeech, encode, synth
from calls.tests.fake_cascade.transcription import FakeTranscriptionServer

pytestmark = pytest.mark.embedded_pass_only  # no database or service: run once

BEARER = {"Authorization": "Bearer sk-test"}
SESSION = {
    "type": "session.update",
    "session": {
        "type": "transcription",
        "audio": {
            "input": {
                "format": {"type": "audio/pcmu"},
                "transcription": {"model": "gpt-4o-transcribe", "language": "en"},
                "turn_detection": {"type": "server_vad", "silence_duration_ms": 500},
            }
        },
    },
}
TOOLS: list[Any] = [
    {
        "type": "function",
        "function": {
            "name": "check_availability",
            "description": "Free slots on a day",
            "parameters": {"type": "object", "properties": {"day": {"type": "string"}}},
        },
    }
]


def _append(ms: int) -> str:
    audio = base64.b64encode(b"\xff" * 8 * ms).decode()  # μ-law, 8 bytes a millisecond
    return json.dumps({"type": "input_audio_buffer.append", "audio": audio})


async def _until(ws: ClientConnection, kind: str) -> list[dict[str, Any]]:
    events = []
    async for frame in ws:
        events.append(json.loads(frame))
        if events[-1]["type"] == kind:
            break
    return events


@pytest.fixture
async def stt() -> AsyncIterator[FakeTranscriptionServer]:
    fake = FakeTranscriptionServer()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def chat() -> Iterator[FakeChat]:
    fake = FakeChat()
    yield fake
    fake.stop()


async def test_a_scripted_turn_is_transcribed_on_the_audio_clock(
    stt: FakeTranscriptionServer,
) -> None:
    stt.say("Book me for Monday", at_ms=300, speech_ms=1000)
    async with connect(stt.url, additional_headers=BEARER) as ws:
        assert json.loads(await ws.recv())["session"]["type"] == "transcription"
        await ws.send(json.dumps(SESSION))
        assert (await _until(ws, "session.updated"))[-1]["session"] == SESSION["session"]
        for _ in range(20):  # 2 s of audio: speech 300-1300 ms, then 500 ms of silence
            await ws.send(_append(100))
        events = await _until(ws, "conversation.item.input_audio_transcription.completed")
    kinds = [event["type"] for event in events]
    assert kinds[:3] == [
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
    ]
    assert events[0]["audio_start_ms"] == 300 and events[1]["audio_end_ms"] == 1300
    deltas = [e["delta"] for e in events if e["type"].endswith("transcription.delta")]
    assert deltas == ["Book", " me", " for", " Monday"]
    assert events[-1]["transcript"] == "Book me for Monday"
    assert events[-1]["usage"]["type"] == "tokens"
    assert stt.violations == []


async def test_speech_stops_when_the_client_stops_sending(stt: FakeTranscriptionServer) -> None:
    stt.stop_delay_ms = 50
    stt.say("Hello", at_ms=0, speech_ms=200)
    async with connect(stt.url, additional_headers=BEARER) as ws:
        await ws.recv()
        await ws.send(json.dumps(SESSION))
        await ws.send(_append(200))  # then nothing, as a muted microphone
        events = await _until(ws, "conversation.item.input_audio_transcription.completed")
    assert events[-1]["transcript"] == "Hello" and stt.violations == []


async def test_a_model_url_or_beta_shapes_are_refused(stt: FakeTranscriptionServer) -> None:
    url = stt.url.replace("intent=transcription", "model=gpt-realtime")
    async with connect(url, additional_headers=BEARER) as ws:
        assert json.loads(await ws.recv())["session"]["type"] == "realtime"
        await ws.send(json.dumps(SESSION))
        assert (await _until(ws, "error"))[-1]["error"]["message"].startswith("Passing a trans")
    async with connect(stt.url, additional_headers=BEARER) as ws:
        await ws.recv()
        beta = {"type": "session.update", "session": {"type": "transcription", "modalities": []}}
        await ws.send(json.dumps(beta))
        await _until(ws, "session.updated")
        await ws.send(json.dumps({"type": "transcription_session.update", "session": {}}))
        await _until(ws, "error")
    assert stt.violations[:3] == [
        "no intent=transcription in the URL",
        "model in the URL: a conversation session, not transcription",
        "undeclared session fields ['session.modalities']",
    ]
    assert stt.violations[3].startswith("invalid client event transcription_session.update")


async def test_a_failing_transcriber_errors_and_closes(stt: FakeTranscriptionServer) -> None:
    stt.say("Hello", at_ms=0, speech_ms=100, fail="error")
    async with connect(stt.url, additional_headers=BEARER) as ws:
        await ws.recv()
        await ws.send(json.dumps(SESSION))
        await ws.send(_append(700))
        events = []
        with pytest.raises(ConnectionClosedError):
            while True:
                events.append(json.loads(await ws.recv()))
    assert events[-1]["type"] == "error" and ws.close_code == 1011


async def test_the_openai_client_assembles_streamed_tool_calls(chat: FakeChat) -> None:
    chat.replies = [
        Reply(
            text="Let me check.",
            tool_calls=[
                ToolCall("check_availability", {"day": "Monday"}),
                ToolCall("check_availability", {"day": "Tuesday"}),
            ],
        ),
        Reply(text="Monday at 9 a.m. is free. Shall I book it?"),
    ]
    client = AsyncOpenAI(base_url=chat.url, api_key="sk-test")
    messages: list[Any] = [{"role": "user", "content": "Any time early next week?"}]
    options: dict[str, Any] = {"stream": True, "stream_options": {"include_usage": True}}
    text, finish, usage = "", None, None
    calls: dict[int, dict[str, Any]] = {}
    async for chunk in await client.chat.completions.create(
        model="gpt-4.1-mini", messages=messages, tools=TOOLS, **options
    ):
        usage = chunk.usage or usage
        if not chunk.choices:
            continue
        text += chunk.choices[0].delta.content or ""
        for call in chunk.choices[0].delta.tool_calls or []:
            entry = calls.setdefault(call.index, {"id": call.id, "arguments": ""})
            entry["arguments"] += (call.function and call.function.arguments) or ""
        finish = chunk.choices[0].finish_reason or finish
    assert text == "Let me check." and finish == "tool_calls" and usage is not None
    assert [json.loads(c["arguments"]) for c in calls.values()] == [
        {"day": "Monday"},
        {"day": "Tuesday"},
    ]
    messages.append(
        {
            "role": "assistant",
            "content": text,
            "tool_calls": [
                {
                    "id": c["id"],
                    "type": "function",
                    "function": {"name": "check_availability", "arguments": c["arguments"]},
                }
                for c in calls.values()
            ],
        }
    )
    messages += [
        {"role": "tool", "tool_call_id": c["id"], "content": "free"} for c in calls.values()
    ]
    async with client.chat.completions.stream(
        model="gpt-4.1-mini", messages=messages, tools=TOOLS, stream_options={"include_usage": True}
    ) as stream:
        final = await stream.get_final_completion()
    assert final.choices[0].message.content == "Monday at 9 a.m. is free. Shall I book it?"
    assert chat.violations == [] and len(chat.streamed) == 2


async def test_a_tool_result_without_its_call_is_a_400(chat: FakeChat) -> None:
    client = AsyncOpenAI(base_url=chat.url, api_key="sk-test", max_retries=0)
    messages: list[Any] = [{"role": "tool", "tool_call_id": "call_9", "content": "free"}]
    with pytest.raises(openai.BadRequestError):
        await client.chat.completions.create(
            model="m", messages=messages, stream=True, stream_options={"include_usage": True}
        )
    assert chat.violations == ["tool result call_9 answers no tool call"]


async def test_chat_faults_fail_and_stall(chat: FakeChat) -> None:
    client = AsyncOpenAI(base_url=chat.url, api_key="sk-test", max_retries=0, timeout=0.5)
    options: dict[str, Any] = {"stream": True, "stream_options": {"include_usage": True}}
    messages: list[Any] = [{"role": "user", "content": "hi"}]
    chat.replies = [Reply(fault=Fault(status=500)), Reply(text="a b c", fault=Fault(stall_after=2))]
    with pytest.raises(openai.InternalServerError):
        await client.chat.completions.create(model="m", messages=messages, **options)
    received = []
    with pytest.raises((httpx.ReadTimeout, openai.APITimeoutError)):
        async for chunk in await client.chat.completions.create(
            model="m", messages=messages, **options
        ):
            received.append(chunk)
    assert len(received) == 2  # the role chunk and one token, then nothing
    chat.release_stalls()


def test_summary_requests_still_get_the_summary_answer(chat: FakeChat) -> None:
    body = {
        "model": "gpt-4.1-mini",
        "messages": [{"role": "user", "content": "call transcript"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "s", "schema": {}}},
    }
    response = httpx.post(f"{chat.url}/chat/completions", json=body, headers=BEARER)
    assert response.json()["object"] == "chat.completion" and chat.streamed == []


async def test_openai_speech_streams_pcm_on_the_chat_base_url(chat: FakeChat) -> None:
    speech = FakeOpenAISpeech()
    chat.mount(speech)
    client = AsyncOpenAI(base_url=chat.url, api_key="sk-test", max_retries=0)
    async with client.audio.speech.with_streaming_response.create(
        model="gpt-4o-mini-tts", voice="marin", input="Hello there.", response_format="pcm"
    ) as response:
        audio = b"".join([chunk async for chunk in response.iter_bytes()])
    assert audio == synth("Hello there.", 24_000) and len(audio) == 12 * 60 * 48
    with pytest.raises(openai.BadRequestError):
        await client.audio.speech.create(model="tts-1", voice="marin", input="Hi", instructions="x")
    assert speech.violations == [
        "response_format None: the fake speaks pcm",
        "instructions do not work with tts-1",
    ]
    speech.stop()


async def test_elevenlabs_http_stream_through_the_official_client() -> None:
    fake = FakeElevenLabs()
    client = AsyncElevenLabs(base_url=fake.url, api_key="xi-test")
    audio = b"".join(
        [
            chunk
            async for chunk in client.text_to_speech.stream(
                "voice_1",
                text="Your appointment is on Monday.",
                model_id="eleven_flash_v2_5",
                output_format="ulaw_8000",
                voice_settings=VoiceSettings(stability=0.5, similarity_boost=0.8),
            )
        ]
    )
    assert audio == encode("Your appointment is on Monday.", "ulaw_8000")[0]  # type: ignore[index]
    assert fake.http_requests[0]["query"] == {"output_format": "ulaw_8000"}
    bad = httpx.post(
        f"{fake.url}/v1/text-to-speech/voice_1/stream?output_format=pcm_16000",
        json={"text": "Hi", "voice_id": "x"},
        headers={"xi-api-key": "xi-test"},
    )
    assert bad.status_code == 422 and fake.violations[0].startswith("invalid request")
    fake.stop()


async def test_elevenlabs_input_streaming_buffers_flushes_and_closes() -> None:
    fake = FakeElevenLabsWS()
    await fake.start()
    url = f"{fake.url}/v1/text-to-speech/voice_1/stream-input?model_id=eleven_flash_v2_5"
    first = {"text": " ", "voice_settings": {"stability": 0.5}, "xi-api-key": "xi-test"}
    first["generation_config"] = {"chunk_length_schedule": [50]}
    async with connect(url + "&output_format=pcm_16000") as ws:
        await ws.send(json.dumps(first))
        await ws.send(json.dumps({"text": "Your appointment is on Monday. "}))
        await ws.send(json.dumps({"text": "Anything else? ", "flush": True}))
        await ws.send(json.dumps({"text": "Goodbye"}))  # no trailing space
        await ws.send(json.dumps({"text": ""}))
        messages = [json.loads(frame) async for frame in ws]
    assert messages[-1] == {"isFinal": True}
    audio = b"".join(base64.b64decode(m["audio"]) for m in messages if m.get("audio"))
    (socket,) = fake.sockets
    assert socket.spoken == ["Your appointment is on Monday. Anything else?", "Goodbye"]
    assert audio == socket.audio and len(audio) == (45 + 7) * 60 * 32
    assert fake.violations == ["text chunk 'Goodbye' does not end with a space"]
    await fake.stop()
