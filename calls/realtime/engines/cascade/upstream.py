"""The cascaded engine as an in-process Realtime peer.

``CascadeUpstream`` takes the session's GA client events and answers with GA server
events, as the offline engine does, so the bridge, the consumers, telephony, tools,
transcripts, usage, limits and barge-in run unchanged:

- ``session.update``: the instructions, tools, audio format and turn detection; the
  transcription session is (re)configured from them;
- ``input_audio_buffer.append``: to speech to text, whose turn events
  (``speech_started``/``stopped``, ``committed``, transcription deltas and completion)
  pass through as they are; a completed turn joins the conversation and, with turn
  detection's ``create_response``, starts a reply; the caller starting to speak cancels
  the reply under way when ``interrupt_response`` says so;
- ``conversation.item.create`` (messages, tool results), ``conversation.item.truncate``
  (what the caller heard), ``response.create`` (with its one-off ``instructions`` and
  ``metadata``), ``response.cancel``. A filler phrase (``metadata.purpose = "filler"``)
  is spoken as quoted, straight to text to speech, without asking the LLM: it must be
  quick, and it joins the conversation like any reply.

A reply (``reply.Reply``) that fails before any audio went out is tried once more; then
the caller hears a short apology (spoken by the fallback voice when there is one) and the
call goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from calls.realtime.config import PHONE_AUDIO, WEB_AUDIO, AudioFormat
from calls.realtime.engines.cascade.history import Conversation
from calls.realtime.engines.cascade.llm import (
    ChatEvent,
    ChatStage,
    ChatStageError,
    ReplyDone,
    TextDelta,
    chat_tools,
)
from calls.realtime.engines.cascade.reply import Reply, ReplySpec
from calls.realtime.engines.cascade.stt import (
    SpeechToText,
    SpeechToTextError,
    TranscriptionConfig,
)
from calls.realtime.engines.cascade.tts import SpeechStage, SpeechStageError
from calls.realtime.fillers import FILLER_PURPOSE, quoted_phrase
from calls.realtime.upstream import UpstreamClosed

logger = logging.getLogger(__name__)

APOLOGY = "Sorry, I'm having trouble answering right now. Could you say that again?"
PASSED_THROUGH = frozenset(
    {
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        "conversation.item.input_audio_transcription.delta",
        "conversation.item.input_audio_transcription.completed",
        "conversation.item.input_audio_transcription.failed",
    }
)


@dataclass(frozen=True)
class CascadeStages:
    """How the call's stages are made (speech needs the call's audio format, known with
    the first ``session.update``)."""

    chat: ChatStage
    speech: Callable[[AudioFormat], SpeechStage]
    transcriber: Callable[[], SpeechToText]
    transcription: Callable[[AudioFormat, dict[str, Any] | None], TranscriptionConfig]
    fallback_speech: Callable[[AudioFormat], SpeechStage] | None = None


class CascadeUpstream:
    """Implements the Upstream interface (send/recv/close) for the cascade."""

    def __init__(self, stages: CascadeStages, *, language: str = "en") -> None:
        self._stages = stages
        self._language = language
        self._outbox: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._ids = itertools.count(1)
        self._conversation = Conversation()
        self._tools: list[dict[str, Any]] = []
        self._audio = WEB_AUDIO
        self._speech: SpeechStage | None = None
        self._stt: SpeechToText | None = None
        self._stt_reader: asyncio.Task[None] | None = None
        self._reply_task: asyncio.Task[None] | None = None
        self._stt_reported_ms = 0.0  # caller audio already counted in a response's usage
        self._create_response = True
        self._interrupt_response = True
        self._closed = False
        self._emit("session.created", session=self._session({}))

    # -- Upstream interface

    async def send(self, event: dict[str, Any]) -> None:
        if self._closed:
            raise UpstreamClosed(1000, "closed")
        kind = str(event.get("type", ""))
        handler = getattr(self, "_on_" + kind.replace(".", "_"), None)
        if handler is None:
            self._error("invalid_request_error", "unknown_event", f"Unknown event {kind[:60]}")
            return
        await handler(event)

    async def send_audio(self, audio: str) -> None:
        if self._closed:
            raise UpstreamClosed(1000, "closed")
        if self._stt is not None:
            try:
                await self._stt.send_audio(audio)
            except SpeechToTextError as exc:
                await self._stt_lost(str(exc))

    async def recv(self) -> dict[str, Any]:
        event = await self._outbox.get()
        if event is None:
            raise UpstreamClosed(1000, "closed")
        return event

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._cancel_reply()
        if self._stt_reader is not None and self._stt_reader is not asyncio.current_task():
            self._stt_reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._stt_reader
        if self._stt is not None:
            await self._stt.close()
        self._outbox.put_nowait(None)

    # -- emitting

    def _id(self, prefix: str) -> str:
        return f"{prefix}_cascade{next(self._ids)}"

    def _emit(self, kind: str, **fields: Any) -> None:
        self._outbox.put_nowait({"type": kind, "event_id": self._id("event"), **fields})

    def _error(self, error_type: str, code: str, message: str) -> None:
        self._emit("error", error={"type": error_type, "code": code, "message": message})

    def _session(self, requested: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "realtime",
            "id": "sess_cascade",
            "object": "realtime.session",
            "model": "cascade",
            "output_modalities": ["audio"],
            "instructions": requested.get("instructions", ""),
            "audio": requested.get("audio")
            or {"input": {"format": {"type": "audio/pcm", "rate": 24000}}},
            "tools": requested.get("tools", []),
        }

    # -- client events

    async def _on_session_update(self, event: dict[str, Any]) -> None:
        session = event.get("session") or {}
        if "instructions" in session:
            self._conversation.instructions = str(session.get("instructions") or "")
        if "tools" in session:
            self._tools = chat_tools(list(session.get("tools") or []))
        audio_input = (session.get("audio") or {}).get("input") or {}
        if "turn_detection" in audio_input:
            detection = audio_input.get("turn_detection")
            self._create_response = bool((detection or {}).get("create_response", True))
            self._interrupt_response = bool((detection or {}).get("interrupt_response", True))
        audio_format = (audio_input.get("format") or {}).get("type")
        if audio_format is not None or self._stt is None:
            self._audio = PHONE_AUDIO if audio_format == "audio/pcmu" else WEB_AUDIO
            self._speech = self._stages.speech(self._audio)
            try:
                await self._transcription_start(audio_input.get("turn_detection"))
            except SpeechToTextError as exc:
                logger.warning("Cascade: speech to text is unavailable: %s", exc)
                self._error("server_error", "transcription_unavailable", str(exc)[:300])
                return
        self._emit("session.updated", session=self._session(session))

    async def _transcription_start(self, turn_detection: dict[str, Any] | None) -> None:
        if self._stt_reader is not None:
            self._stt_reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._stt_reader
        if self._stt is not None:
            await self._stt.close()
        stt = self._stages.transcriber()
        await stt.start(self._stages.transcription(self._audio, turn_detection))
        self._stt = stt
        self._stt_reader = asyncio.ensure_future(self._read_transcription(stt))

    async def _on_input_audio_buffer_append(self, event: dict[str, Any]) -> None:
        await self.send_audio(str(event.get("audio") or ""))

    async def _on_input_audio_buffer_clear(self, event: dict[str, Any]) -> None:
        self._emit("input_audio_buffer.cleared")

    async def _on_output_audio_buffer_clear(self, event: dict[str, Any]) -> None:
        return  # the transports own playback

    async def _on_conversation_item_create(self, event: dict[str, Any]) -> None:
        item = dict(event.get("item") or {})
        item.setdefault("id", self._id("item"))
        self._conversation.client_item(item)
        self._emit("conversation.item.added", item=item, previous_item_id=None)
        self._emit("conversation.item.done", item=item, previous_item_id=None)

    async def _on_conversation_item_truncate(self, event: dict[str, Any]) -> None:
        item_id = str(event.get("item_id") or "")
        audio_end_ms = int(event.get("audio_end_ms") or 0)
        if not self._conversation.truncate(item_id, audio_end_ms):
            self._error("invalid_request_error", "item_not_found", f"No item {item_id[:60]}")
            return
        self._emit(
            "conversation.item.truncated",
            item_id=item_id,
            content_index=event.get("content_index", 0),
            audio_end_ms=audio_end_ms,
        )

    async def _on_response_create(self, event: dict[str, Any]) -> None:
        if self._reply_task is not None and not self._reply_task.done():
            self._error(
                "invalid_request_error",
                "conversation_already_has_active_response",
                "Conversation already has an active response in progress.",
            )
            return
        response = event.get("response") or {}
        metadata = response.get("metadata")
        if (metadata or {}).get("purpose") == FILLER_PURPOSE:
            phrase = quoted_phrase(str(response.get("instructions") or ""))
            if phrase:
                self._reply_task = asyncio.ensure_future(self._say(phrase, metadata))
                return
        self._start_reply(
            instructions=str(response.get("instructions") or ""),
            metadata=response.get("metadata"),
        )

    async def _on_response_cancel(self, event: dict[str, Any]) -> None:
        if self._reply_task is None or self._reply_task.done():
            self._error(
                "invalid_request_error",
                "response_cancel_not_active",
                "Cancellation failed: no active response found.",
            )
            return
        await self._cancel_reply()

    # -- speech to text

    async def _read_transcription(self, stt: SpeechToText) -> None:
        try:
            async for event in stt.events():
                await self._transcription_event(event)
        except SpeechToTextError as exc:
            await self._stt_lost(str(exc))

    async def _transcription_event(self, event: dict[str, Any]) -> None:
        kind = event.get("type", "")
        if kind == "error":
            error = event.get("error") or {}
            self._error("server_error", "transcription_error", str(error.get("message"))[:300])
            return
        if kind not in PASSED_THROUGH:
            return
        self._outbox.put_nowait(event)
        if kind == "input_audio_buffer.speech_started" and self._interrupt_response:
            await self._cancel_reply()
        elif kind == "conversation.item.input_audio_transcription.completed":
            text = str(event.get("transcript") or "").strip()
            if not text:
                return
            self._conversation.user_said(str(event.get("item_id") or ""), text)
            if self._create_response and (self._reply_task is None or self._reply_task.done()):
                self._start_reply(instructions="", metadata=None)

    async def _stt_lost(self, reason: str) -> None:
        """Speech to text is gone: the call cannot hear the caller any more."""
        if self._closed:
            return
        logger.warning("Cascade: speech to text was lost: %s", reason)
        self._error("server_error", "transcription_lost", reason[:300])
        await self.close()

    # -- replies

    def _start_reply(self, *, instructions: str, metadata: dict[str, Any] | None) -> None:
        self._reply_task = asyncio.ensure_future(self._reply(instructions, metadata))

    async def _cancel_reply(self) -> None:
        task = self._reply_task
        if task is None or task.done():
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _reply(self, instructions: str, metadata: dict[str, Any] | None) -> None:
        for attempt in (1, 2):
            reply = self._new_reply(instructions, metadata, self._speech_stage())
            try:
                await reply.run()
                return
            except (ChatStageError, SpeechStageError) as exc:
                heard = reply.usage.audio_ms > 0
                logger.warning("Cascade: reply attempt %d failed: %s", attempt, exc)
                if heard:
                    return  # part of it was said; the caller can ask again
        await self._apologise(metadata)

    def _new_reply(
        self,
        instructions: str,
        metadata: dict[str, Any] | None,
        speech: SpeechStage,
        chat: ChatStage | None = None,
    ) -> Reply:
        messages = self._conversation.messages()
        if instructions:
            messages.append({"role": "system", "content": instructions})
        item_id = self._id("item")
        spec = ReplySpec(
            response_id=self._id("resp"),
            item_id=item_id,
            metadata=metadata,
            messages=messages,
            tools=self._tools,
            bytes_per_ms=self._audio.bytes_per_ms,
            language=self._language,
            new_id=self._id,
        )
        reply = Reply(spec, chat=chat or self._stages.chat, speech=speech, emit=self._emit)
        if self._stt is not None:
            # The caller's audio transcribed so far is billed with the next reply.
            sent = self._stt.usage.audio_sent_ms
            reply.usage.stt_audio_ms = int(sent - self._stt_reported_ms)
            self._stt_reported_ms = sent
        self._conversation.add_reply(reply.reply)
        return reply

    def _speech_stage(self) -> SpeechStage:
        if self._speech is None:
            self._speech = self._stages.speech(self._audio)
        return self._speech

    async def _say(self, phrase: str, metadata: dict[str, Any] | None) -> None:
        """Says a fixed phrase (a filler) once; failing, it is left unsaid (the answer
        that follows matters more than a second try)."""
        reply = self._new_reply("", metadata, self._speech_stage(), chat=_Scripted(phrase))
        try:
            await reply.run()
        except SpeechStageError as exc:
            logger.warning("Cascade: a filler could not be spoken: %s", exc)

    async def _apologise(self, metadata: dict[str, Any] | None) -> None:
        """Both attempts failed: a fixed apology, in the fallback voice when there is one
        (the main voice may be what failed), so the caller never hears only silence."""
        voices = [self._speech_stage()]
        if self._stages.fallback_speech is not None:
            voices.insert(0, self._stages.fallback_speech(self._audio))
        for voice in voices:
            apology = self._new_reply("", metadata, voice, chat=_Scripted(APOLOGY))
            try:
                await apology.run()
                return
            except SpeechStageError as exc:
                logger.warning("Cascade: the apology could not be spoken: %s", exc)
        self._error("server_error", "cascade_unavailable", "No stage of the cascade answered.")


class _Scripted:
    """A ``ChatStage`` that says one fixed text (the apology, a filler)."""

    def __init__(self, text: str) -> None:
        self._text = text

    async def reply(
        self, *, messages: list[dict[str, Any]], tools: list[dict[str, Any]]
    ) -> AsyncIterator[ChatEvent]:
        yield TextDelta(self._text)
        yield ReplyDone(tool_calls=())
