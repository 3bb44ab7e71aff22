"""The offline engine as an in-process Realtime peer.

``OfflineUpstream`` exchanges the same events as OpenAI's Realtime WebSocket, as dicts
(in-process, nothing is serialised), so the bridge runs exactly the same code path.
Turn detection uses the audio's energy; understanding uses typed text (there is no
offline speech recogniser), through the rule-based dialogue in ``dialogue.py``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import itertools
import json
import logging
from typing import Any

from calls.realtime.audio import (
    SAMPLE_RATE,
    float_to_pcm16,
    pcm16_to_float,
    pcm16_to_ulaw,
    resample,
    rms_dbfs,
    ulaw_to_pcm16,
)
from calls.realtime.engines.offline.dialogue import (
    Action,
    CallTool,
    DialogueState,
    Say,
    reply_to_instructions,
    reply_to_speech,
    reply_to_tool_results,
    reply_to_user,
)
from calls.realtime.engines.offline.speech import synthesize
from calls.realtime.upstream import UpstreamClosed

logger = logging.getLogger(__name__)

CHUNK_MS = 50
PCM_BYTES_PER_MS = 48  # PCM16 at 24 kHz (web)
ULAW_BYTES_PER_MS = 8  # G.711 μ-law at 8 kHz (phone)
SPEECH_DBFS = -35.0
SPEECH_START_MS = 100


class OfflineUpstream:
    """Implements the Upstream interface (send/recv/close) for the offline engine."""

    def __init__(
        self,
        *,
        language: str = "en",
        timezone: str = "UTC",
        region: str = "US",
        locale: str = "en-US",
    ) -> None:
        self._outbox: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._ids = itertools.count(1)
        self._language = language
        self._state = DialogueState(
            language=language, timezone=timezone, region=region, locale=locale
        )
        self._silence_ms = 500
        self._closed = False
        self._generation: asyncio.Task[None] | None = None
        self._last_user_text: str | None = None
        self._pending_outputs: list[tuple[str, dict[str, Any]]] = []
        self._calls: dict[str, str] = {}  # call_id -> tool name
        # Energy VAD state.
        self._audio_ms = 0
        self._loud_ms = 0
        self._quiet_ms = 0
        self._speaking = False
        self._speech_item = ""
        self._ulaw = False  # the session's audio format is audio/pcmu (a phone call)
        self._emit("session.created", session=self._session({}))

    # -- Upstream interface

    async def send(self, event: dict[str, Any]) -> None:
        if self._closed:
            raise UpstreamClosed(1000, "closed")
        handler = getattr(self, "_on_" + str(event.get("type", "")).replace(".", "_"), None)
        if handler is None:
            kind = str(event.get("type"))[:60]
            self._error("invalid_request_error", "unknown_event", f"Unknown event {kind}")
            return
        await handler(event)

    async def send_audio(self, audio: str) -> None:
        await self.send({"type": "input_audio_buffer.append", "audio": audio})

    async def recv(self) -> dict[str, Any]:
        event = await self._outbox.get()
        if event is None:
            raise UpstreamClosed(1000, "closed")
        return event

    async def close(self) -> None:
        self._closed = True
        if self._generation is not None:
            self._generation.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._generation
        self._outbox.put_nowait(None)

    # -- emitting

    def _id(self, prefix: str) -> str:
        return f"{prefix}_offline{next(self._ids)}"

    def _emit(self, kind: str, **fields: Any) -> None:
        self._outbox.put_nowait({"type": kind, "event_id": self._id("event"), **fields})

    def _error(self, error_type: str, code: str, message: str) -> None:
        self._emit("error", error={"type": error_type, "code": code, "message": message})

    def _session(self, requested: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "realtime",
            "id": "sess_offline",
            "object": "realtime.session",
            "model": "offline",
            "output_modalities": ["audio"],
            "instructions": requested.get("instructions", ""),
            "audio": requested.get("audio")
            or {"input": {"format": {"type": "audio/pcm", "rate": 24000}}},
            "tools": requested.get("tools", []),
        }

    # -- client events

    async def _on_session_update(self, event: dict[str, Any]) -> None:
        session = event.get("session") or {}
        self._state.tools = {t.get("name") for t in session.get("tools") or [] if t.get("name")}
        detection = ((session.get("audio") or {}).get("input") or {}).get("turn_detection") or {}
        self._silence_ms = int(detection.get("silence_duration_ms") or 500)
        audio_format = ((session.get("audio") or {}).get("input") or {}).get("format") or {}
        self._ulaw = audio_format.get("type") == "audio/pcmu"
        self._emit("session.updated", session=self._session(session))

    async def _on_input_audio_buffer_append(self, event: dict[str, Any]) -> None:
        try:
            audio = base64.b64decode(event.get("audio") or "", validate=True)
        except binascii.Error:
            self._error("invalid_request_error", "invalid_value", "audio is not base64")
            return
        if self._ulaw:
            chunk_ms = len(audio) // ULAW_BYTES_PER_MS
            level = rms_dbfs(ulaw_to_pcm16(audio))
        else:
            chunk_ms = len(audio) // PCM_BYTES_PER_MS
            level = rms_dbfs(audio)
        self._audio_ms += chunk_ms
        if level > SPEECH_DBFS:
            self._loud_ms += chunk_ms
            self._quiet_ms = 0
        else:
            self._quiet_ms += chunk_ms
            if not self._speaking:
                self._loud_ms = 0
        if not self._speaking and self._loud_ms >= SPEECH_START_MS:
            self._speaking = True
            self._speech_item = self._id("item")
            self._emit(
                "input_audio_buffer.speech_started",
                audio_start_ms=max(self._audio_ms - self._loud_ms, 0),
                item_id=self._speech_item,
            )
            await self._cancel_generation(reason="turn_detected")
        elif self._speaking and self._quiet_ms >= self._silence_ms:
            self._speaking = False
            self._loud_ms = 0
            item_id = self._speech_item
            self._emit(
                "input_audio_buffer.speech_stopped", audio_end_ms=self._audio_ms, item_id=item_id
            )
            self._emit("input_audio_buffer.committed", item_id=item_id, previous_item_id=None)
            self._emit(
                "conversation.item.input_audio_transcription.failed",
                item_id=item_id,
                content_index=0,
                error={
                    "type": "transcription_error",
                    "code": "no_recogniser",
                    "message": "No offline speech recogniser is installed.",
                },
            )
            # Said once; later spoken turns get silence, or a short nudge now and then.
            self._start_generation(reply_to_speech(self._state), metadata=None)

    async def _on_input_audio_buffer_clear(self, event: dict[str, Any]) -> None:
        self._emit("input_audio_buffer.cleared")

    async def _on_conversation_item_create(self, event: dict[str, Any]) -> None:
        item = dict(event.get("item") or {})
        item.setdefault("id", self._id("item"))
        if item.get("type") == "function_call_output":
            name = self._calls.get(item.get("call_id", ""), "")
            try:
                result = json.loads(item.get("output") or "{}")
            except ValueError:
                result = {}
            self._pending_outputs.append((name, result if isinstance(result, dict) else {}))
        elif item.get("role") == "user":
            texts = [c.get("text", "") for c in item.get("content") or [] if c.get("text")]
            self._last_user_text = " ".join(texts)
        self._emit("conversation.item.added", item=item, previous_item_id=None)
        self._emit("conversation.item.done", item=item, previous_item_id=None)

    async def _on_conversation_item_truncate(self, event: dict[str, Any]) -> None:
        self._emit(
            "conversation.item.truncated",
            item_id=event.get("item_id"),
            content_index=event.get("content_index", 0),
            audio_end_ms=event.get("audio_end_ms", 0),
        )

    async def _on_response_create(self, event: dict[str, Any]) -> None:
        if self._generation is not None and not self._generation.done():
            self._error(
                "invalid_request_error",
                "conversation_already_has_active_response",
                "Conversation already has an active response in progress.",
            )
            return
        response = event.get("response") or {}
        try:
            action = self._next_action(response.get("instructions"))
        except Exception:
            # A fault in the rules must not end the call (a model would not either).
            logger.exception("The offline dialogue failed; asking the caller again")
            action = Say("Sorry, I didn't get that. Could you say it again?")
        self._start_generation(action, metadata=response.get("metadata"))

    def _next_action(self, instructions: str | None) -> Action:
        if instructions:
            action = reply_to_instructions(instructions, self._state)
        elif self._pending_outputs:
            outputs, self._pending_outputs = self._pending_outputs, []
            action = reply_to_tool_results(outputs, self._state)
            if self._last_user_text is not None and not isinstance(action, CallTool):
                # The caller spoke while the tool ran: answer that instead.
                if not any(name == "end_call" for name, _ in outputs):
                    text, self._last_user_text = self._last_user_text, None
                    action = reply_to_user(text, self._state)
        elif self._last_user_text is not None:
            text, self._last_user_text = self._last_user_text, None
            action = reply_to_user(text, self._state)
        else:
            action = reply_to_instructions("", self._state)
        return action

    async def _on_response_cancel(self, event: dict[str, Any]) -> None:
        if self._generation is None or self._generation.done():
            self._error(
                "invalid_request_error",
                "response_cancel_not_active",
                "Cancellation failed: no active response found.",
            )
            return
        await self._cancel_generation(reason="client_cancelled")

    # -- responses

    def _start_generation(self, action: Action, *, metadata: dict[str, Any] | None) -> None:
        self._generation = asyncio.ensure_future(self._generate(action, metadata))

    async def _cancel_generation(self, *, reason: str) -> None:
        task = self._generation
        if task is None or task.done():
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        self._generation = None

    async def _generate(self, action: Action, metadata: dict[str, Any] | None) -> None:
        response_id = self._id("resp")
        response: dict[str, Any] = {
            "id": response_id,
            "object": "realtime.response",
            "status": "in_progress",
            "output": [],
            "metadata": metadata,
        }
        self._emit("response.created", response=response)
        output: list[dict[str, Any]] = []
        audio_ms = 0
        try:
            if isinstance(action, CallTool):
                output.append(self._function_call(response_id, action))
            elif isinstance(action, Say):
                item, audio_ms = await self._speak(response_id, action.text)
                output.append(item)
            # Silence: a response with no output, so the caller's side stops waiting.
        except asyncio.CancelledError:
            done = {
                **response,
                "status": "cancelled",
                "output": output,
                "status_details": {"type": "cancelled", "reason": "turn_detected"},
                "usage": self._usage(audio_ms),
            }
            self._emit("response.done", response=done)
            raise
        done = {
            **response,
            "status": "completed",
            "output": output,
            "usage": self._usage(audio_ms),
        }
        self._emit("response.done", response=done)

    def _function_call(self, response_id: str, action: CallTool) -> dict[str, Any]:
        item_id, call_id = self._id("item"), self._id("call")
        self._calls[call_id] = action.name
        arguments = json.dumps(action.arguments)
        item = {
            "id": item_id,
            "type": "function_call",
            "object": "realtime.item",
            "status": "in_progress",
            "name": action.name,
            "call_id": call_id,
            "arguments": "",
        }
        self._emit("response.output_item.added", response_id=response_id, output_index=0, item=item)
        self._emit(
            "response.function_call_arguments.done",
            response_id=response_id,
            item_id=item_id,
            output_index=0,
            call_id=call_id,
            name=action.name,
            arguments=arguments,
        )
        final = {**item, "status": "completed", "arguments": arguments}
        self._emit("response.output_item.done", response_id=response_id, output_index=0, item=final)
        return final

    async def _speak(self, response_id: str, text: str) -> tuple[dict[str, Any], int]:
        item_id = self._id("item")
        ids = {
            "response_id": response_id,
            "item_id": item_id,
            "output_index": 0,
            "content_index": 0,
        }
        item = {
            "id": item_id,
            "type": "message",
            "object": "realtime.item",
            "role": "assistant",
            "status": "in_progress",
            "content": [],
        }
        self._emit("response.output_item.added", response_id=response_id, output_index=0, item=item)
        self._emit("response.content_part.added", **ids, part={"type": "audio", "transcript": ""})
        audio = await synthesize(text, language=self._language)
        bytes_per_ms = PCM_BYTES_PER_MS
        if self._ulaw:
            narrow = resample(pcm16_to_float(audio), SAMPLE_RATE, 8000)
            audio, bytes_per_ms = pcm16_to_ulaw(float_to_pcm16(narrow)), ULAW_BYTES_PER_MS
        chunk_bytes = CHUNK_MS * bytes_per_ms
        words = text.split(" ")
        per_chunk = max(1, len(words) * chunk_bytes // max(len(audio), 1) + 1)
        word_index = 0
        for start in range(0, len(audio), chunk_bytes):
            chunk = audio[start : start + chunk_bytes]
            self._emit("response.output_audio.delta", **ids, delta=base64.b64encode(chunk).decode())
            if word_index < len(words):
                piece = " ".join(words[word_index : word_index + per_chunk])
                word_index += per_chunk
                self._emit(
                    "response.output_audio_transcript.delta",
                    **ids,
                    delta=piece + (" " if word_index < len(words) else ""),
                )
            # Faster than real time, like the real service, but yielding to the loop.
            await asyncio.sleep(0.002)
        self._emit("response.output_audio.done", **ids)
        self._emit("response.output_audio_transcript.done", **ids, transcript=text)
        self._emit("response.content_part.done", **ids, part={"type": "audio", "transcript": text})
        final = {
            **item,
            "status": "completed",
            "content": [{"type": "output_audio", "transcript": text}],
        }
        self._emit("response.output_item.done", response_id=response_id, output_index=0, item=final)
        return final, len(audio) // bytes_per_ms

    @staticmethod
    def _usage(audio_ms: int) -> dict[str, Any]:
        audio_tokens = audio_ms // 50  # about one token per 50 ms of speech
        return {
            "total_tokens": audio_tokens,
            "input_tokens": 0,
            "output_tokens": audio_tokens,
            "input_token_details": {"text_tokens": 0, "audio_tokens": 0, "cached_tokens": 0},
            "output_token_details": {"text_tokens": 0, "audio_tokens": audio_tokens},
        }
