"""One cascade reply against the providers' fakes: the first sentence is spoken while
the LLM is still writing, tool calls become function-call items, the reply is kept chunk
by chunk for truncation, and a cancelled reply ends at once."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from openai import AsyncOpenAI

from calls.realtime.config import WEB_AUDIO
from calls.realtime.engines.cascade.history import Conversation
from calls.realtime.engines.cascade.llm import ChatEvent, OpenAIChat, ReplyDone, chat_tools
from calls.realtime.engines.cascade.reply import Reply, ReplySpec
from calls.realtime.engines.cascade.tts import OpenAISpeech
from calls.tests.fake_cascade.chat import FakeChat, ToolCall
from calls.tests.fake_cascade.chat import Reply as ScriptedReply
from calls.tests.fake_cascade.speech import FakeOpenAISpeech

pytestmark = pytest.mark.embedded_pass_only


@pytest.fixture
def providers() -> Iterator[tuple[FakeChat, FakeOpenAISpeech]]:
    chat, speech = FakeChat(), FakeOpenAISpeech()
    chat.mount(speech)
    yield chat, speech
    chat.stop()
    speech.stop()
    assert chat.violations == [] and speech.violations == []


class MarkedChat:
    """The real stage, with a mark in the event log when the LLM has finished."""

    def __init__(self, stage: OpenAIChat, log: list[str]) -> None:
        self._stage, self._log = stage, log

    async def reply(
        self, *, messages: list[dict[str, Any]], tools: list[dict[str, Any]]
    ) -> AsyncIterator[ChatEvent]:
        async for event in self._stage.reply(messages=messages, tools=tools):
            if isinstance(event, ReplyDone):
                self._log.append("llm finished")
            yield event


def _reply(chat: FakeChat, log: list[str], events: list[dict[str, Any]]) -> Reply:
    client = AsyncOpenAI(base_url=chat.url, api_key="sk-test-not-real", max_retries=0)

    def emit(kind: str, **fields: Any) -> None:
        log.append(kind)
        events.append({"type": kind, **fields})

    spec = ReplySpec(
        response_id="resp_1",
        item_id="item_1",
        metadata=None,
        messages=[{"role": "user", "content": "When are you open?"}],
        tools=chat_tools(
            [{"type": "function", "name": "check_availability", "parameters": {"type": "object"}}]
        ),
        bytes_per_ms=WEB_AUDIO.bytes_per_ms,
        new_id=lambda prefix: f"{prefix}_x",
    )
    return Reply(
        spec,
        chat=MarkedChat(OpenAIChat(client=client, model="gpt-4o-mini"), log),
        speech=OpenAISpeech(
            client=client, model="gpt-4o-mini-tts", voice="marin", target=WEB_AUDIO
        ),
        emit=emit,
    )


async def test_the_first_sentence_is_heard_while_the_llm_still_writes(
    providers: tuple[FakeChat, FakeOpenAISpeech],
) -> None:
    chat, _ = providers
    chat.tokens_per_second = 40
    chat.replies = [
        ScriptedReply(
            text="We are open from nine to five. On Saturdays we open at ten and close "
            "at two, and on Sundays we are closed all day long."
        )
    ]
    log: list[str] = []
    events: list[dict[str, Any]] = []
    reply = _reply(chat, log, events)
    await reply.run()
    assert log.index("response.output_audio.delta") < log.index("llm finished")
    kinds = [e["type"] for e in events]
    assert kinds[0] == "response.created" and kinds[-1] == "response.done"
    done = events[-1]["response"]
    assert done["status"] == "completed"
    assert done["usage"]["output_tokens"] > 0 and done["usage"]["cascade"]["tts_characters"] > 50
    transcript = "".join(e["delta"] for e in events if e["type"].endswith("transcript.delta"))
    assert (
        transcript.split()
        == (
            "We are open from nine to five. On Saturdays we open at ten and close at two, "
            "and on Sundays we are closed all day long."
        ).split()
    )
    audio = b"".join(
        base64.b64decode(e["delta"]) for e in events if e["type"] == "response.output_audio.delta"
    )
    assert len(audio) // 48 == reply.usage.audio_ms
    # The reply is kept chunk by chunk, each with its audio span, for a truncation.
    assert len(reply.reply.chunks) >= 2
    conversation = Conversation()
    conversation.add_reply(reply.reply)
    first = reply.reply.chunks[0]
    conversation.truncate("item_1", first.end_ms)
    assert conversation.messages()[0]["content"] == first.text


async def test_tool_calls_become_function_call_items(
    providers: tuple[FakeChat, FakeOpenAISpeech],
) -> None:
    chat, _ = providers
    chat.replies = [
        ScriptedReply(
            tool_calls=[
                ToolCall("check_availability", {"day": "Monday"}),
                ToolCall("check_availability", {"day": "Tuesday"}),
            ]
        )
    ]
    log: list[str] = []
    events: list[dict[str, Any]] = []
    reply = _reply(chat, log, events)
    await reply.run()
    calls = [e for e in events if e["type"] == "response.function_call_arguments.done"]
    assert [json.loads(c["arguments"]) for c in calls] == [{"day": "Monday"}, {"day": "Tuesday"}]
    assert [c["output_index"] for c in calls] == [0, 1]
    assert all(c["call_id"] for c in calls)
    assert not any(e["type"] == "response.output_audio.delta" for e in events)  # nothing said
    done = events[-1]["response"]
    assert [item["type"] for item in done["output"]] == ["function_call", "function_call"]
    assert [call["id"] for call in reply.reply.tool_calls] == [c["call_id"] for c in calls]


async def test_a_cancelled_reply_stops_at_once_and_says_so(
    providers: tuple[FakeChat, FakeOpenAISpeech],
) -> None:
    chat, _ = providers
    chat.tokens_per_second = 5  # a slow model: the reply is far from done when cancelled
    chat.replies = [ScriptedReply(text="One. Two three four five six seven eight nine ten.")]
    log: list[str] = []
    events: list[dict[str, Any]] = []
    task = asyncio.ensure_future(_reply(chat, log, events).run())
    while "response.output_audio.delta" not in log:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    done = events[-1]
    assert done["type"] == "response.done" and done["response"]["status"] == "cancelled"
    assert "llm finished" not in log
