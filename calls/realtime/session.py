"""CallSession: one call between a client and a Realtime upstream (GA protocol).

Plain asyncio: the session owns its helper tasks and cancels them when the call
ends; everything that touches storage goes through the injected ``CallHooks``.
Event handling for the upstream side lives in ``UpstreamEvents`` (events.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from calls.realtime.config import WEB_AUDIO, AgentSnapshot, AudioFormat, session_update
from calls.realtime.events import UpstreamEvents
from calls.realtime.greeting import Greeting
from calls.realtime.hooks import CallHooks, CallOutcome, TurnRecord
from calls.realtime.limits import Limits
from calls.realtime.playback import AssistantAudio
from calls.realtime.protocol import (
    MAX_BAD_FRAMES,
    ClientAudio,
    ClientCancel,
    ClientEnd,
    ClientMessage,
    ClientPing,
    ClientPlayback,
    ClientText,
    ProtocolError,
)
from calls.realtime.text import JSON_ERRORS, may_hold_unstorable, storable_json
from calls.realtime.transcript import TurnWriter
from calls.realtime.upstream import Upstream, UpstreamClosed, UpstreamUnavailable
from calls.realtime.usage import UsageMeter

logger = logging.getLogger(__name__)

FLUSH_INTERVAL_SECONDS = 1.0
AUDIO_BURST_MS = 2000
MAX_AUDIO_SPEED = 3.0  # sustained caller audio faster than this × real time is abuse


class CallSession(UpstreamEvents, Greeting, Limits):
    def __init__(
        self,
        *,
        call_id: str,
        agent: AgentSnapshot,
        hooks: CallHooks,
        connect_upstream: Callable[[], Awaitable[Upstream]],
        engine: str,
        prices: dict[str, float] | None = None,
        connect_timeout: float = 10.0,
        stall_timeout: float = 15.0,
        audio: AudioFormat = WEB_AUDIO,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.call_id = call_id
        self.agent = agent
        self.hooks = hooks
        self.engine = engine
        self._connect_upstream = connect_upstream
        self._prices = prices
        self._connect_timeout = connect_timeout
        self.stall_timeout = stall_timeout
        self.audio = audio
        self._clock = clock

        self.upstream: Upstream | None = None
        self.usage = UsageMeter()
        self.user_info: dict[str, Any] = {"name": None, "email": None, "phone": None}
        self.ready = False
        self.ended = False
        self.end_reason = ""
        self._finished = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._created_at = clock()
        self._ready_at: float | None = None

        # Conversation state.
        self._seq = 0
        self._seq_by_item: dict[str, int] = {}
        self.turns = TurnWriter(call_id=call_id, save=hooks.save_turns)
        self._assistant_turns: dict[str, TurnRecord] = {}
        self._interrupted_items: set[str] = set()
        self._interrupted_responses: set[str] = set()
        self.active_response_id: str | None = None
        self.response_requested = False
        # When the current response was asked for or began (whichever is earlier
        # known); decides whether it can see tool outputs sent later.
        self.response_started_at = 0.0
        self._response_wanted = False
        self.server_interrupts = True  # effective interrupt_response, from session.updated
        self.current_audio: AssistantAudio | None = None
        self._speech_start_ms: dict[str, int] = {}

        # Greeting.
        self._greeting_response_id: str | None = None
        self._greeting_chunks: list[str] = []

        # Tools: the tasks started by each response, answered after its response.done.
        self._tool_tasks: dict[str, list[asyncio.Task[None]]] = {}
        # State tools keep between invocations of one call (e.g. the saved contact's id).
        self.tool_state: dict[str, Any] = {"region": agent.region, "owner_id": agent.owner_id}
        self._end_after_response = False

        # Timers and limits.
        self._last_activity = clock()
        self.last_upstream_event_at = clock()
        self._idle_prompted = False
        self._wrap_up_sent = False
        self._audio_ms_received = 0
        self._bad_frames = 0

    # ------------------------------------------------------------------ lifecycle

    async def run(self) -> None:
        """Connects, configures, greets and relays until the call ends."""
        try:
            try:
                await asyncio.wait_for(self._open_upstream(), self._connect_timeout)
            except (TimeoutError, UpstreamUnavailable, UpstreamClosed) as exc:
                logger.warning("Call %s: upstream unavailable (%s)", self.call_id, exc)
                await self._send_error(
                    "upstream_unavailable", "The voice service could not be reached. Try again."
                )
                await self.end("upstream_unavailable", status="failed", error=str(exc))
                return
            if self.ended:  # the client left while connecting
                await self._close_upstream()
                return
            self.ready = True
            self._ready_at = self._last_activity = self._clock()
            await self.hooks.mark_active()
            await self.hooks.send_json(
                {
                    "type": "ready",
                    "call_id": self.call_id,
                    "agent": {"name": self.agent.name, "greeting": self.agent.greeting or None},
                    "input_sample_rate": 24000,
                }
            )
            self._spawn(self._flush_loop(), "flush")
            self._spawn(self._timer_loop(), "timers")
            await self._greet()
            await self._read_upstream()
        except asyncio.CancelledError:
            if not self.ended:
                await asyncio.shield(self.end("server_shutdown"))
            raise
        except Exception:
            logger.exception("Call %s: internal error", self.call_id)
            await self._send_error("internal_error", "Something went wrong; the call ends.")
            await self.end("error", status="failed", error="internal error")
        finally:
            if not self.ended:
                await self.end("upstream_closed")

    async def _open_upstream(self) -> None:
        self.upstream = await self._connect_upstream()
        created = await self._recv_event()
        while created.get("type") != "session.created":
            if created.get("type") == "error":
                raise UpstreamUnavailable(str((created.get("error") or {}).get("code")))
            created = await self._recv_event()
        update = session_update(
            self.agent, now=dt.datetime.now(dt.UTC), audio_format=self.audio.session_format
        )
        await self.send_upstream(update)
        while True:
            event = await self._recv_event()
            kind = event.get("type")
            if kind == "session.updated":
                detection = (
                    ((event.get("session") or {}).get("audio") or {}).get("input") or {}
                ).get("turn_detection") or {}
                self.server_interrupts = detection.get("interrupt_response", True) is True
                return
            if kind == "error":
                raise UpstreamUnavailable(str((event.get("error") or {}).get("code")))

    async def end(self, reason: str, *, status: str = "completed", error: str = "") -> None:
        """Ends the call once: closes upstream, persists everything, then tells the client."""
        if self.ended:
            await self._finished.wait()
            return
        self.ended = True
        self.end_reason = reason
        current = asyncio.current_task()
        for task in list(self._tasks):
            if task is not current:
                task.cancel()
        # The upstream close handshake runs beside the bookkeeping, not before it.
        closing = asyncio.ensure_future(self._close_upstream())
        try:
            await self.turns.flush_final()
            duration = 0 if self._ready_at is None else int(self._clock() - self._ready_at)
            await self.hooks.finish(
                CallOutcome(
                    status=status,
                    end_reason=reason,
                    duration_seconds=duration,
                    usage=dict(self.usage.totals),
                    cost_usd=self.usage.cost(self._prices),
                    user_info=dict(self.user_info),
                    error_message=error,
                )
            )
            # Sent last, once the record is final: a client that sees `ended` can
            # fetch the finished call.
            await self.hooks.send_json({"type": "ended", "call_id": self.call_id, "reason": reason})
        finally:
            self._finished.set()
            await self.hooks.close_client()
            await closing

    async def _close_upstream(self) -> None:
        if self.upstream is None:
            return
        try:
            await asyncio.wait_for(self.upstream.close(), 3)
        except Exception:
            logger.debug("Call %s: upstream close failed", self.call_id)

    async def wait_finished(self) -> None:
        await self._finished.wait()

    def _spawn(self, coroutine: Awaitable[Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coroutine)
        task.set_name(f"call-{self.call_id[:8]}-{name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # ------------------------------------------------------------------ client side

    async def handle_client(self, message: ClientMessage) -> None:
        if self.ended:
            return
        if isinstance(message, ClientPing):
            await self.hooks.send_json({"type": "pong", "id": message.id})
        elif isinstance(message, ClientEnd):
            await self.end("client_ended")
        elif not self.ready:
            # Nothing but the session configuration goes upstream before `ready`.
            return
        elif isinstance(message, ClientAudio):
            await self._client_audio(message)
        elif isinstance(message, ClientText):
            await self._client_text(message.text)
        elif isinstance(message, ClientCancel):
            await self._interrupt(played_ms=message.played_ms, cancel=True)
        elif isinstance(message, ClientPlayback):
            audio = self.current_audio
            if audio is not None and audio.item_id == message.item_id:
                audio.reported_ms = message.played_ms
                audio.reported_at = self._clock()

    async def client_error(self, error: ProtocolError) -> None:
        self._bad_frames += 1
        await self._send_error(error.code, error.message)
        if self._bad_frames > MAX_BAD_FRAMES:
            await self.end("protocol_abuse")

    async def _client_audio(self, message: ClientAudio) -> None:
        self._audio_ms_received += message.byte_count // self.audio.bytes_per_ms
        ready_at = self._ready_at or self._created_at
        allowed = (self._clock() - ready_at) * 1000 * MAX_AUDIO_SPEED + AUDIO_BURST_MS
        if self._audio_ms_received > allowed:
            await self.end("protocol_abuse")
            return
        # Base64 passes through untouched; it cannot contain characters JSON escapes.
        await self.send_upstream_raw(
            '{"type":"input_audio_buffer.append","audio":"' + message.audio + '"}'
        )

    async def _client_text(self, text: str) -> None:
        self._activity()
        item_id = f"text_{self._seq + 1}"
        await self.user_turn(item_id, text, started_ms=self._call_ms())
        await self.add_message("user", text)
        if self.responding:
            # Typing over the agent interrupts it; answer once its response is done.
            self._response_wanted = True
            await self._interrupt(played_ms=None, cancel=True)
            if self.responding:
                return
        # No response running (any more): answer now, once.
        self._response_wanted = False
        await self.request_response()

    # ------------------------------------------------------------------ barge-in

    async def _interrupt(self, *, played_ms: int | None, cancel: bool) -> None:
        now = self._clock()
        audio = self.current_audio
        if audio is not None and not audio.truncated:
            if played_ms is not None:
                audio.reported_ms, audio.reported_at = played_ms, now
            if audio.still_playing(now):
                heard = audio.heard_ms(now)
                audio.truncated = True
                self._interrupted_responses.add(audio.response_id)
                self._mark_interrupted(audio.item_id)
                if audio.upstream_item:
                    await self.send_upstream(
                        {
                            "type": "conversation.item.truncate",
                            "item_id": audio.item_id,
                            "content_index": 0,
                            "audio_end_ms": heard,
                        }
                    )
        if self.active_response_id is not None:
            self._interrupted_responses.add(self.active_response_id)
            if cancel or not self.server_interrupts:
                await self.send_upstream({"type": "response.cancel"})

    def _mark_interrupted(self, item_id: str) -> None:
        self._interrupted_items.add(item_id)
        turn = self._assistant_turns.get(item_id)
        if turn is not None and not turn.interrupted:
            turn.interrupted = True
            self._queue_turn(turn)

    # ------------------------------------------------------------------ persistence

    def _next_seq(self, item_id: str) -> int:
        seq = self._seq_by_item.get(item_id)
        if seq is None:
            self._seq += 1
            seq = self._seq_by_item[item_id] = self._seq
        return seq

    def _call_ms(self) -> int:
        start = self._ready_at if self._ready_at is not None else self._created_at
        return max(0, int((self._clock() - start) * 1000))

    def _queue_turn(self, turn: TurnRecord) -> None:
        self.turns.queue(turn)

    async def _flush_loop(self) -> None:
        while not self.ended:
            await asyncio.sleep(FLUSH_INTERVAL_SECONDS)
            await self.turns.flush()

    # ------------------------------------------------------------------ upstream I/O

    async def send_upstream(self, event: dict[str, Any]) -> None:
        await self.send_upstream_raw(json.dumps(event, separators=(",", ":")))

    async def send_upstream_raw(self, frame: str) -> None:
        if self.upstream is None:
            return
        try:
            await self.upstream.send(frame)
        except UpstreamClosed:
            # The reader notices the close and ends the call.
            logger.info("Call %s: upstream closed while sending", self.call_id)

    async def _recv_event(self) -> dict[str, Any]:
        if self.upstream is None:
            raise UpstreamClosed(None, "not connected")
        while True:
            frame = await self.upstream.recv()
            self.last_upstream_event_at = self._clock()
            try:
                event = json.loads(frame)
            except JSON_ERRORS:
                logger.warning("Call %s: upstream sent a frame that is not JSON", self.call_id)
                continue
            if isinstance(event, dict):
                # Transcripts and tool arguments are stored: decoded escapes must be storable.
                return storable_json(event) if may_hold_unstorable(frame) else event

    async def add_message(self, role: str, text: str) -> None:
        """Adds a message to the upstream conversation without asking for a response."""
        content_type = "output_text" if role == "assistant" else "input_text"
        await self.send_upstream(
            {
                "type": "conversation.item.create",
                "item": {
                    "type": "message",
                    "role": role,
                    "content": [{"type": content_type, "text": text}],
                },
            }
        )

    async def send_transcript(self, role: str, text: str, item_id: str, *, final: bool) -> None:
        """A `transcript` message: a delta to append, or the whole final text."""
        await self.hooks.send_json(
            {"type": "transcript", "role": role, "text": text, "item_id": item_id, "final": final}
        )

    async def user_turn(self, item_id: str, text: str, *, started_ms: int | None) -> None:
        """A final caller utterance: queued for the transcript, then to the client.

        Queued first: the call may end while the client is being told (a shutdown), and
        a turn the caller saw final must be in the final flush.
        """
        if text:
            self._queue_turn(
                TurnRecord(
                    seq=self._next_seq(item_id),
                    role="user",
                    text=text,
                    item_id=item_id,
                    started_ms=started_ms,
                )
            )
        await self.send_transcript("user", text, item_id, final=True)

    async def request_response(
        self, *, instructions: str | None = None, metadata: dict[str, str] | None = None
    ) -> None:
        response: dict[str, Any] = {}
        if instructions:
            response["instructions"] = instructions
        if metadata:
            response["metadata"] = metadata
        event: dict[str, Any] = {"type": "response.create"}
        if response:
            event["response"] = response
        self.response_requested = True
        self.response_started_at = self._clock()
        await self.send_upstream(event)

    @property
    def responding(self) -> bool:
        """A response is running or has been asked for and not started yet."""
        return self.active_response_id is not None or self.response_requested

    async def _send_error(self, code: str, message: str) -> None:
        await self.hooks.send_json({"type": "error", "code": code, "message": message})
