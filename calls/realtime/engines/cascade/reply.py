"""One reply of the cascade, streamed at every stage, as Realtime GA server events.

The LLM's tokens go through the sentence splitter; each chunk, as soon as it is complete,
goes to text-to-speech while the LLM goes on (a queue between two tasks), and its audio
goes out as ``response.output_audio.delta`` with the chunk's words as transcript deltas.
Tool calls the LLM made become ``function_call`` output items with
``response.function_call_arguments.done`` (the session runs them as it does for the
realtime engine, then sends their results and asks for the next reply). The reply's text
is kept in the conversation chunk by chunk, with each chunk's audio span, so that a
truncation keeps only what the caller heard.

Cancelling the task (``response.cancel``, the caller speaking) stops the LLM stream and
the speech request at once and ends the response ``cancelled``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from calls.realtime.engines.cascade.history import AssistantReply
from calls.realtime.engines.cascade.llm import ChatStage, ReplyDone, TextDelta, ToolCall
from calls.realtime.engines.cascade.text import SentenceSplitter, speakable
from calls.realtime.engines.cascade.tts import SpeechStage

Emit = Callable[..., None]
AUDIO_DELTA_MS = 100  # audio events of about this length (the provider's chunks regrouped)


@dataclass
class ReplyUsage:
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    characters: int = 0  # sent to text-to-speech
    audio_ms: int = 0  # of speech sent to the caller
    stt_audio_ms: int = 0  # caller audio transcribed since the previous reply

    def as_realtime(self) -> dict[str, Any]:
        """Usage in the Realtime ``response.done`` shape (text tokens only: the cascade's
        audio is not tokens), plus the cascade's own counts under ``cascade``."""
        return {
            "total_tokens": self.input_tokens + self.output_tokens,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "input_token_details": {
                "text_tokens": self.input_tokens,
                "audio_tokens": 0,
                "cached_tokens": self.cached_tokens,
            },
            "output_token_details": {"text_tokens": self.output_tokens, "audio_tokens": 0},
            "cascade": {
                "tts_characters": self.characters,
                "tts_audio_ms": self.audio_ms,
                "stt_audio_ms": self.stt_audio_ms,
            },
        }


@dataclass
class ReplySpec:
    response_id: str
    item_id: str
    metadata: dict[str, Any] | None
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]]
    bytes_per_ms: int
    language: str = "en"
    new_id: Callable[[str], str] = field(default=lambda prefix: prefix)


class Reply:
    """Runs one reply (see the module's docstring); ``run`` is the task's body."""

    def __init__(
        self, spec: ReplySpec, *, chat: ChatStage, speech: SpeechStage, emit: Emit
    ) -> None:
        self.spec = spec
        self._chat = chat
        self._speech = speech
        self._emit = emit
        self.usage = ReplyUsage()
        self.reply = AssistantReply(item_id=spec.item_id)
        self._message_open = False
        self._output: list[dict[str, Any]] = []

    async def run(self) -> None:
        spec = self.spec
        response: dict[str, Any] = {
            "id": spec.response_id,
            "object": "realtime.response",
            "status": "in_progress",
            "output": [],
            "metadata": spec.metadata,
        }
        self._emit("response.created", response=response)
        status = "completed"
        try:
            await self._generate()
        except asyncio.CancelledError:
            status = "cancelled"
            raise
        finally:
            self._close_message()
            done = {**response, "status": status, "output": self._output}
            done["usage"] = self.usage.as_realtime()
            if status == "cancelled":
                done["status_details"] = {"type": "cancelled", "reason": "turn_detected"}
            self._emit("response.done", response=done)

    async def _generate(self) -> None:
        chunks: asyncio.Queue[str | None] = asyncio.Queue()
        speaker = asyncio.ensure_future(self._speak_chunks(chunks))
        splitter = SentenceSplitter(self.spec.language)
        calls: tuple[ToolCall, ...] = ()
        try:
            async for event in self._chat.reply(messages=self.spec.messages, tools=self.spec.tools):
                if isinstance(event, TextDelta):
                    for chunk in splitter.feed(event.text):
                        chunks.put_nowait(chunk)
                elif isinstance(event, ReplyDone):
                    calls = event.tool_calls
                    self.usage.input_tokens += event.input_tokens
                    self.usage.output_tokens += event.output_tokens
                    self.usage.cached_tokens += event.cached_tokens
            for chunk in splitter.flush():
                chunks.put_nowait(chunk)
            chunks.put_nowait(None)
            await speaker
        finally:
            if not speaker.done():
                speaker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await speaker
        self._close_message()
        for index, call in enumerate(calls, start=len(self._output)):
            self._function_call(index, call)

    async def _speak_chunks(self, chunks: asyncio.Queue[str | None]) -> None:
        while (chunk := await chunks.get()) is not None:
            text = speakable(chunk, self.spec.language)
            if not text.strip():
                continue
            self._open_message()
            self.usage.characters += len(text)
            ids = self._ids()
            spoken_ms = 0
            pending = b""
            step = AUDIO_DELTA_MS * self.spec.bytes_per_ms
            first = True
            async for audio in self._speech.speak(text):
                pending += audio
                while len(pending) >= step:
                    part, pending = pending[:step], pending[step:]
                    spoken_ms += self._audio(ids, part)
                    if first:  # the words go out with their first audio
                        self._transcript(ids, text + " ")
                        first = False
            if pending:
                spoken_ms += self._audio(ids, pending)
            if first:
                self._transcript(ids, text + " ")
            self.reply.spoken(text, spoken_ms)
            self.usage.audio_ms += spoken_ms

    # -- events

    def _ids(self) -> dict[str, Any]:
        return {
            "response_id": self.spec.response_id,
            "item_id": self.spec.item_id,
            "output_index": 0,
            "content_index": 0,
        }

    def _audio(self, ids: dict[str, Any], audio: bytes) -> int:
        self._emit("response.output_audio.delta", **ids, delta=base64.b64encode(audio).decode())
        return len(audio) // max(1, self.spec.bytes_per_ms)

    def _transcript(self, ids: dict[str, Any], text: str) -> None:
        self._emit("response.output_audio_transcript.delta", **ids, delta=text)

    def _open_message(self) -> None:
        if self._message_open:
            return
        self._message_open = True
        item = {
            "id": self.spec.item_id,
            "type": "message",
            "object": "realtime.item",
            "role": "assistant",
            "status": "in_progress",
            "content": [],
        }
        self._emit(
            "response.output_item.added",
            response_id=self.spec.response_id,
            output_index=0,
            item=item,
        )
        self._emit(
            "response.content_part.added", **self._ids(), part={"type": "audio", "transcript": ""}
        )

    def _close_message(self) -> None:
        if not self._message_open:
            return
        self._message_open = False
        ids, text = self._ids(), self.reply.text
        self._emit("response.output_audio.done", **ids)
        self._emit("response.output_audio_transcript.done", **ids, transcript=text)
        self._emit("response.content_part.done", **ids, part={"type": "audio", "transcript": text})
        item = {
            "id": self.spec.item_id,
            "type": "message",
            "object": "realtime.item",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_audio", "transcript": text}],
        }
        self._output.append(item)
        self._emit(
            "response.output_item.done",
            response_id=self.spec.response_id,
            output_index=0,
            item=item,
        )

    def _function_call(self, index: int, call: ToolCall) -> None:
        item_id = self.spec.new_id("item")
        self.reply.tool_calls.append(
            {
                "id": call.call_id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
        )
        item = {
            "id": item_id,
            "type": "function_call",
            "object": "realtime.item",
            "status": "completed",
            "name": call.name,
            "call_id": call.call_id,
            "arguments": call.arguments,
        }
        self._emit(
            "response.output_item.added",
            response_id=self.spec.response_id,
            output_index=index,
            item={**item, "status": "in_progress", "arguments": ""},
        )
        self._emit(
            "response.function_call_arguments.done",
            response_id=self.spec.response_id,
            item_id=item_id,
            output_index=index,
            call_id=call.call_id,
            name=call.name,
            arguments=call.arguments,
        )
        self._emit(
            "response.output_item.done",
            response_id=self.spec.response_id,
            output_index=index,
            item=item,
        )
        self._output.append(item)
