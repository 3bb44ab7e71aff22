"""Handling of the Realtime server events of a call (mixed into CallSession)."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from typing import TYPE_CHECKING, Any

from calls.realtime.hooks import ToolContext, ToolRecord, TurnRecord
from calls.realtime.playback import AssistantAudio, base64_decoded_size
from calls.realtime.text import storable_json
from calls.realtime.upstream import UpstreamClosed

if TYPE_CHECKING:
    from calls.realtime.session import CallSession

logger = logging.getLogger(__name__)

TOOL_TIMEOUT_SECONDS = 8.0
GOODBYE_MAX_WAIT_SECONDS = 15.0
# Races the protocol reference calls harmless; they are logged, not reported.
BENIGN_ERROR_CODES = frozenset(
    {"conversation_already_has_active_response", "response_cancel_not_active"}
)


class UpstreamEvents:
    """The upstream half of CallSession: one handler per server event type."""

    async def _read_upstream(self: CallSession) -> None:
        handlers = {
            "input_audio_buffer.speech_started": self._on_speech_started,
            "input_audio_buffer.speech_stopped": self._on_speech_stopped,
            "conversation.item.input_audio_transcription.delta": self._on_user_delta,
            "conversation.item.input_audio_transcription.completed": self._on_user_final,
            "response.created": self._on_response_created,
            "response.output_item.added": self._on_output_item_added,
            "response.output_audio.delta": self._on_audio_delta,
            "response.output_audio_transcript.delta": self._on_assistant_delta,
            "response.output_audio_transcript.done": self._on_assistant_done,
            "response.output_text.delta": self._on_assistant_delta,
            "response.output_text.done": self._on_assistant_done,
            "response.function_call_arguments.done": self._on_function_call,
            "response.done": self._on_response_done,
            "error": self._on_error,
        }
        while not self.ended:
            try:
                event = await self._recv_event()
            except UpstreamClosed as closed:
                if not self.ended:
                    logger.info("Call %s: upstream closed (%s)", self.call_id, closed.code)
                    await self.end("upstream_closed")
                return
            handler = handlers.get(event.get("type", ""))
            if handler is not None:
                await handler(event)

    # -- caller speech

    async def _on_speech_started(self: CallSession, event: dict[str, Any]) -> None:
        self._activity()
        item_id = event.get("item_id") or ""
        if item_id:
            self._next_seq(item_id)
            self._speech_start_ms[item_id] = int(event.get("audio_start_ms") or 0)
        # `listening` goes out before anything else so the client stops playback at once.
        await self.hooks.send_json({"type": "listening"})
        heard = await self.hooks.stop_playback()
        audio = self.current_audio
        if heard is not None and audio is not None and not audio.truncated:
            # The transport knows what was played: truncate there, not at an estimate.
            audio.reported_ms = heard.ms if heard.item_id == audio.item_id else 0
            audio.reported_at = self._clock()
        await self._interrupt(played_ms=None, cancel=False)

    async def _on_speech_stopped(self: CallSession, event: dict[str, Any]) -> None:
        await self.hooks.send_json({"type": "processing"})

    async def _on_user_delta(self: CallSession, event: dict[str, Any]) -> None:
        delta = event.get("delta") or ""
        if delta:
            await self.send_transcript("user", delta, event.get("item_id") or "", final=False)

    async def _on_user_final(self: CallSession, event: dict[str, Any]) -> None:
        item_id = event.get("item_id") or ""
        self._activity()
        await self.user_turn(
            item_id,
            (event.get("transcript") or "").strip(),
            started_ms=self._speech_start_ms.get(item_id),
        )

    # -- responses

    async def _on_response_created(self: CallSession, event: dict[str, Any]) -> None:
        response = event.get("response") or {}
        self.active_response_id = response.get("id")
        if not self.response_requested:
            # Started by the server (VAD); one we asked for keeps its request time.
            self.response_started_at = self._clock()
        self.response_requested = False
        if (response.get("metadata") or {}).get("purpose") == "greeting":
            self._greeting_response_id = self.active_response_id

    async def _on_output_item_added(self: CallSession, event: dict[str, Any]) -> None:
        item = event.get("item") or {}
        if item.get("id"):
            self._next_seq(item["id"])

    async def _on_audio_delta(self: CallSession, event: dict[str, Any]) -> None:
        response_id = event.get("response_id") or ""
        if response_id in self._interrupted_responses:
            return  # late audio of an interrupted response
        item_id = event.get("item_id") or ""
        delta = event.get("delta") or ""
        audio = self.current_audio
        if audio is None or audio.item_id != item_id:
            self.current_audio = AssistantAudio(
                item_id=item_id,
                response_id=response_id,
                started_at=self._clock(),
                bytes_per_ms=self.audio.bytes_per_ms,
            )
        if response_id == self._greeting_response_id:
            self._greeting_chunks.append(delta)
        await self._forward_audio(item_id, delta, base64_decoded_size(delta))

    async def _forward_audio(self: CallSession, item_id: str, delta: str, size: int) -> None:
        end_ms = 0
        if self.current_audio is not None:
            self.current_audio.sent_bytes += size
            end_ms = self.current_audio.sent_ms
        await self.hooks.send_audio(item_id, delta, end_ms)

    async def _on_assistant_delta(self: CallSession, event: dict[str, Any]) -> None:
        if event.get("response_id") in self._interrupted_responses:
            return
        delta = event.get("delta") or ""
        if delta:
            await self.send_transcript("assistant", delta, event.get("item_id") or "", final=False)

    async def _on_assistant_done(self: CallSession, event: dict[str, Any]) -> None:
        text = event.get("transcript") if "transcript" in event else event.get("text")
        await self._assistant_final(event.get("item_id") or "", (text or "").strip())

    async def _assistant_final(self: CallSession, item_id: str, text: str) -> None:
        if text:
            self._queue_assistant_turn(item_id, text)  # before telling the client (see user_turn)
        await self.send_transcript("assistant", text, item_id, final=True)

    def _queue_assistant_turn(self: CallSession, item_id: str, text: str) -> None:
        audio = self.current_audio
        started_ms = None
        if audio is not None and audio.item_id == item_id:
            started_ms = self._call_ms() - int((self._clock() - audio.started_at) * 1000)
        turn = TurnRecord(
            seq=self._next_seq(item_id),
            role="assistant",
            text=text,
            item_id=item_id,
            started_ms=max(started_ms, 0) if started_ms is not None else None,
            interrupted=item_id in self._interrupted_items,
        )
        self._assistant_turns[item_id] = turn
        self._queue_turn(turn)

    async def _on_response_done(self: CallSession, event: dict[str, Any]) -> None:
        response = event.get("response") or {}
        response_id = response.get("id") or ""
        status = response.get("status")
        self.usage.add(response.get("usage"))
        if self.active_response_id == response_id:
            self.active_response_id = None
        self._last_activity = max(self._last_activity, self._clock())
        await self.hooks.send_json({"type": "response_done", "item_id": self._last_item(response)})

        if response_id == self._greeting_response_id:
            await self._store_greeting(response, status)

        tool_tasks = self._tool_tasks.pop(response_id, None)
        if tool_tasks:
            self._spawn(self._answer_tools(tool_tasks), "tools")
        elif self._end_after_response:
            self._spawn(self._end_after_playback(), "goodbye")
        elif self._response_wanted and not self.responding:
            self._response_wanted = False
            await self.request_response()

    @staticmethod
    def _last_item(response: dict[str, Any]) -> str | None:
        output = response.get("output") or []
        for item in reversed(output):
            if isinstance(item, dict) and item.get("type") == "message":
                return item.get("id")
        return None

    async def _store_greeting(self: CallSession, response: dict[str, Any], status: Any) -> None:
        chunks, self._greeting_chunks = self._greeting_chunks, []
        self._greeting_response_id = None
        if status != "completed" or not chunks or not self.agent.greeting.strip():
            return
        transcript = ""
        for item in response.get("output") or []:
            for part in (item or {}).get("content") or []:
                transcript = transcript or (part or {}).get("transcript") or ""
        audio = b"".join(base64.b64decode(chunk) for chunk in chunks)
        try:
            await self.hooks.greeting_put(
                self.agent.greeting_cache_key(self.engine, self.audio.name),
                audio,
                transcript or self.agent.greeting,
            )
        except Exception:
            logger.exception("Call %s: caching the greeting failed", self.call_id)

    # -- tools

    async def _on_function_call(self: CallSession, event: dict[str, Any]) -> None:
        response_id = event.get("response_id") or ""
        task = self._spawn(
            self._run_tool(
                function_call_id=event.get("call_id") or "",
                name=event.get("name") or "",
                raw_arguments=event.get("arguments") or "",
                item_id=event.get("item_id") or "",
            ),
            "tool",
        )
        self._tool_tasks.setdefault(response_id, []).append(task)

    async def _run_tool(
        self: CallSession, *, function_call_id: str, name: str, raw_arguments: str, item_id: str
    ) -> None:
        started = time.perf_counter()
        started_ms = self._call_ms()
        seq = self._next_seq(item_id or f"tool_{function_call_id}")
        await self.hooks.send_json({"type": "tool", "name": name, "status": "started"})
        arguments: dict[str, Any] = {}
        error = ""
        try:
            try:
                parsed = json.loads(raw_arguments or "{}")
            except RecursionError:
                raise ValueError("arguments are nested too deeply") from None
            if not isinstance(parsed, dict):
                raise ValueError("arguments must be a JSON object")
            arguments = storable_json(parsed)
            context = ToolContext(
                call_id=self.call_id,
                agent_id=self.agent.agent_id,
                user_info=self.user_info,
                send_to_client=self.hooks.send_json,
                request_end=self._request_end,
                extra=self.tool_state,
            )
            result = await asyncio.wait_for(
                self.hooks.run_tool(name, arguments, context), TOOL_TIMEOUT_SECONDS
            )
            if not isinstance(result, dict):
                result = {"result": result}
        except TimeoutError:
            error = f"{name} took longer than {TOOL_TIMEOUT_SECONDS:g} s"
            result = {
                "ok": False,
                "error": "The tool did not answer in time. Apologise and "
                "offer to take a message instead.",
            }
        except ValueError as exc:
            error = f"invalid arguments: {exc}"
            result = {"ok": False, "error": f"The arguments were not valid JSON: {exc}"}
        except Exception as exc:
            logger.exception("Call %s: tool %s failed", self.call_id, name)
            error = type(exc).__name__
            result = {"ok": False, "error": "The tool failed. Apologise and carry on."}
        ok = not error and result.get("ok", True) is not False
        latency_ms = int((time.perf_counter() - started) * 1000)
        await self.send_upstream(
            {
                "type": "conversation.item.create",
                "item": {
                    "type": "function_call_output",
                    "call_id": function_call_id,
                    "output": json.dumps(result, default=str),
                },
            }
        )
        await self.hooks.send_json(
            {"type": "tool", "name": name, "status": "succeeded" if ok else "failed"}
        )
        if error:
            await self._send_error("tool_failed", f"The {name} tool failed; the call goes on.")
        try:
            await self.hooks.save_tool(
                ToolRecord(
                    seq=seq,
                    function_call_id=function_call_id,
                    name=name,
                    arguments=arguments,
                    result=result,
                    ok=ok,
                    error=error,
                    latency_ms=latency_ms,
                    started_ms=started_ms,
                )
            )
        except Exception:
            logger.exception("Call %s: recording the %s invocation failed", self.call_id, name)

    def _request_end(self: CallSession) -> None:
        self._end_after_response = True

    async def _answer_tools(self: CallSession, tasks: list[asyncio.Task[None]]) -> None:
        """All outputs of a response's calls, then exactly one response.create."""
        await asyncio.gather(*tasks, return_exceptions=True)
        outputs_sent_at = self._clock()
        if self.ended:
            return
        if not self.responding:
            await self.request_response()
        elif self.response_started_at < outputs_sent_at:
            # The running response began before the outputs existed and cannot see
            # them: answer them once it is done.
            self._response_wanted = True
        # Otherwise the response began after the outputs (the caller spoke) and uses them.

    async def _end_after_playback(self: CallSession) -> None:
        audio = self.current_audio
        wait_ms = audio.remaining_ms(self._clock()) if audio is not None else 0
        await asyncio.sleep(min(wait_ms / 1000, GOODBYE_MAX_WAIT_SECONDS))
        await self.end("agent_ended")

    # -- errors

    async def _on_error(self: CallSession, event: dict[str, Any]) -> None:
        error = event.get("error") or {}
        code = error.get("code") or error.get("type") or "unknown"
        if code == "conversation_already_has_active_response" or self.active_response_id is None:
            # A response.create that fails never starts: stop waiting for it.
            self.response_requested = False
        if code in BENIGN_ERROR_CODES:
            logger.debug("Call %s: benign upstream error %s", self.call_id, code)
            return
        logger.warning("Call %s: upstream error %s", self.call_id, code)
        if code == "session_expired":
            await self.end("upstream_closed")
            return
        await self._send_error(
            "upstream_error", f"The voice service reported an error ({str(code)[:60]})."
        )
