"""The cascade's LLM and speech stages against the providers' loopback fakes: streamed
text and tool calls (split anywhere, in parallel), usage, the call's audio format, and
providers that fail, stall or answer late."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from elevenlabs import AsyncElevenLabs
from openai import AsyncOpenAI

from calls.realtime.audio import pcm16_to_ulaw
from calls.realtime.config import PHONE_AUDIO, WEB_AUDIO
from calls.realtime.engines.cascade.llm import (
    ChatStageError,
    OpenAIChat,
    ReplyDone,
    TextDelta,
    arguments_valid,
    chat_tools,
)
from calls.realtime.engines.cascade.tts import ElevenLabsSpeech, OpenAISpeech, SpeechStageError
from calls.tests.fake_cascade.chat import FakeChat, Reply, ToolCall
from calls.tests.fake_cascade.loopback import Fault
from calls.tests.fake_cascade.speech import FakeElevenLabs, FakeOpenAISpeech, synth

pytestmark = pytest.mark.embedded_pass_only

TOOLS = chat_tools(
    [
        {
            "type": "function",
            "name": "check_availability",
            "description": "Free times on a day.",
            "parameters": {"type": "object", "properties": {"day": {"type": "string"}}},
        }
    ]
)


@pytest.fixture
def chat() -> Iterator[FakeChat]:
    fake = FakeChat()
    yield fake
    fake.stop()
    assert fake.violations == []


def _client(url: str) -> AsyncOpenAI:
    return AsyncOpenAI(base_url=url, api_key="sk-test-not-real", max_retries=0)


async def _reply(stage: OpenAIChat, **kwargs: Any) -> list[Any]:
    return [event async for event in stage.reply(**kwargs)]


async def test_text_streams_as_it_comes_then_the_usage(chat: FakeChat) -> None:
    chat.replies = [Reply(text="We are open from nine to five. Anything else?")]
    stage = OpenAIChat(client=_client(chat.url), model="gpt-4o-mini")
    events = await _reply(stage, messages=[{"role": "user", "content": "hours?"}], tools=TOOLS)
    deltas = [event.text for event in events if isinstance(event, TextDelta)]
    assert len(deltas) > 3  # token by token, not one block
    assert "".join(deltas) == "We are open from nine to five. Anything else?"
    done = events[-1]
    assert isinstance(done, ReplyDone) and done.tool_calls == ()
    assert done.input_tokens > 0 and done.output_tokens > 0
    (body,) = chat.streamed
    assert body["model"] == "gpt-4o-mini" and body["tools"] == TOOLS


async def test_parallel_tool_calls_are_assembled_from_their_fragments(chat: FakeChat) -> None:
    chat.replies = [
        Reply(
            tool_calls=[
                ToolCall("check_availability", {"day": "Monday"}),
                ToolCall("check_availability", {"day": "Tuesday, the 3rd"}),
            ]
        )
    ]
    stage = OpenAIChat(client=_client(chat.url), model="gpt-4o-mini")
    events = await _reply(stage, messages=[{"role": "user", "content": "free?"}], tools=TOOLS)
    done = events[-1]
    assert isinstance(done, ReplyDone)
    assert [(c.name, json.loads(c.arguments)) for c in done.tool_calls] == [
        ("check_availability", {"day": "Monday"}),
        ("check_availability", {"day": "Tuesday, the 3rd"}),
    ]
    assert all(call.call_id and arguments_valid(call) for call in done.tool_calls)


async def test_a_failing_or_silent_model_is_a_stage_error(chat: FakeChat) -> None:
    chat.replies = [
        Reply(fault=Fault(status=500)),
        Reply(text="a b c d", fault=Fault(stall_after=2)),
    ]
    stage = OpenAIChat(
        client=_client(chat.url), model="gpt-4o-mini", first_token_timeout=2, token_timeout=0.3
    )
    with pytest.raises(ChatStageError, match="could not be reached"):
        await _reply(stage, messages=[{"role": "user", "content": "x"}], tools=[])
    with pytest.raises(ChatStageError, match="stopped answering"):
        await _reply(stage, messages=[{"role": "user", "content": "x"}], tools=[])
    chat.release_stalls()


async def test_openai_speech_reaches_a_phone_as_mulaw_and_the_web_as_pcm(chat: FakeChat) -> None:
    speech = FakeOpenAISpeech()
    chat.mount(speech)
    text = "Your appointment is on Monday."
    web = OpenAISpeech(
        client=_client(chat.url), model="gpt-4o-mini-tts", voice="marin", target=WEB_AUDIO
    )
    pcm = b"".join([chunk async for chunk in web.speak(text)])
    assert pcm == synth(text, 24_000)  # 24 kHz PCM passes unchanged
    phone = OpenAISpeech(
        client=_client(chat.url), model="gpt-4o-mini-tts", voice="marin", target=PHONE_AUDIO
    )
    ulaw = b"".join([chunk async for chunk in phone.speak(text)])
    assert abs(len(ulaw) - len(text) * 60 * 8) <= 16  # 8 kHz, a byte a sample
    assert speech.violations == []
    speech.faults.append(Fault(status=503))
    with pytest.raises(SpeechStageError):
        [chunk async for chunk in web.speak(text)]
    speech.stop()


@pytest.mark.parametrize(("target", "bytes_per_ms"), [(PHONE_AUDIO, 8), (WEB_AUDIO, 48)])
async def test_elevenlabs_streams_the_calls_own_format(target: Any, bytes_per_ms: int) -> None:
    fake = FakeElevenLabs()
    client = AsyncElevenLabs(base_url=fake.url, api_key="xi-test-not-real")
    stage = ElevenLabsSpeech(
        client=client, voice_id="voice123", model_id="eleven_flash_v2_5", target=target
    )
    text = "One moment while I look that up."
    audio = b"".join([chunk async for chunk in stage.speak(text)])
    assert abs(len(audio) - len(text) * 60 * bytes_per_ms) <= bytes_per_ms * 2
    if target is PHONE_AUDIO:  # asked for ulaw_8000: nothing resampled
        assert audio == pcm16_to_ulaw(synth(text, 8_000))
    assert fake.violations == []
    fake.stop()
