"""CallSession: one call between a caller's transport and a Realtime engine (GA protocol).

Plain asyncio: the session owns its helper tasks and cancels them when the call ends;
everything that touches storage or the caller goes through the injected ``CallHooks``.
The session composes parts with one job each and routes events between them:

- ``ResponseTracker`` (responses.py): which response is live and when one may be asked for;
- ``TranscriptLog`` / ``TurnWriter`` (transcript.py): the conversation as stored;
- ``ToolRunner`` (toolcalls.py): function calls;
- ``ToolFillers`` (filling.py, over fillers.py): a filler phrase while a tool is slow;
- ``CallTimers`` (timers.py): stall, maximum duration, wrap-up, idle;
- ``Playback`` (playback.py): what the caller has heard, and where to cut it;
- ``Greeting`` (greeting.py), and what the caller hears first (opening.py: the beep, the
  cached greeting, the return from a transfer);
- ``TurnLatency`` (latency.py): caller's turn end → first audio of the answer;
- ``CallRecorder`` (recording.py): the call's audio, when the agent records calls;
- ``Keypad`` (keypad.py, over dtmf.py): phone keypad keys gathered into what the caller
  entered;
- the hang-up and transfer after the last sentence (handoff.py);
- ``SidebandSpeech`` (sideband.py): with ``sideband``, the session is the control channel
  of a SIP call whose audio goes between the carrier and the service, never through us:
  it sends no audio, configures nothing (the call was accepted with its session) and
  learns what the caller hears from the service's ``output_audio_buffer.*`` events.

Upstream event handlers are in ``UpstreamHandlers`` (events.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from calls.realtime.config import WEB_AUDIO, AgentSnapshot, AudioFormat, session_update
from calls.realtime.events import UpstreamHandlers
from calls.realtime.fillers import FillerPlan
from calls.realtime.filling import ToolFillers
from calls.realtime.greeting import Greeting
from calls.realtime.hooks import CallHooks, CallOutcome, ResumedCall
from calls.realtime.keypad import Keypad
from calls.realtime.latency import TurnLatency
from calls.realtime.opening import greet, opening_audio, welcome_back
from calls.realtime.playback import Playback
from calls.realtime.protocol import (
    MAX_BAD_FRAMES,
    ClientAudio,
    ClientCancel,
    ClientDigit,
    ClientEnd,
    ClientMessage,
    ClientPing,
    ClientPlayback,
    ClientText,
    ProtocolError,
)
from calls.realtime.recording import CallRecorder, RecordingSetup
from calls.realtime.responses import AfterOutputs, ResponseTracker
from calls.realtime.sideband import SidebandSpeech
from calls.realtime.timers import CallTimers
from calls.realtime.toolcalls import ToolRunner
from calls.realtime.transcript import TranscriptLog, TurnWriter
from calls.realtime.upstream import (
    Upstream,
    UpstreamClosed,
    UpstreamUnavailable,
    configure_session,
)
from calls.realtime.usage import UsageMeter
from calls.realtime.voicemail import Voicemail
from calls.realtime.watchdog import watch_timers

logger = logging.getLogger(__name__)

# How long the end of a call waits for tool calls in flight before cancelling them.
END_TOOL_GRACE_SECONDS = 5.0

FLUSH_INTERVAL_SECONDS = 1.0
AUDIO_BURST_MS = 2000
MAX_AUDIO_SPEED = 3.0  # sustained caller audio faster than this × real time is abuse


class CallSession:
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
        recording: RecordingSetup | None = None,
        resume: ResumedCall | None = None,
        early_audio: bool = False,
        sideband: bool = False,
    ) -> None:
        self.call_id = call_id
        self.agent = agent
        self.hooks = hooks
        self.audio = audio
        self._connect_upstream = connect_upstream
        self._prices = prices
        self._connect_timeout = connect_timeout
        self._stall_timeout = stall_timeout
        self.clock = clock
        self._recording = recording or RecordingSetup()
        self.resume = resume
        self._ms_offset = resume.elapsed_ms if resume is not None else 0
        # The beep and a cached greeting play while the upstream connects (phone calls;
        # a web client gets `ready` before any audio).
        self.early_audio = early_audio
        # A SIP call's sideband (calls/sip): no audio either way.
        self.sideband: SidebandSpeech | None = SidebandSpeech() if sideband else None

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
        # Where the call's timeline (transcript, recording) starts: `ready`, or with early
        # audio the moment the caller starts hearing the call.
        self._origin: float | None = None
        self.last_upstream_event_at = clock()
        self._audio_ms_received = 0
        self._bad_frames = 0
        # Whether the service cuts its own response off when the caller speaks (the
        # session's effective interrupt_response, read from session.updated).
        self.server_interrupts = True

        self.responses = ResponseTracker()
        self.transcript = TranscriptLog(writer=TurnWriter(call_id=call_id, save=hooks.save_turns))
        if resume is not None:
            self.transcript.continue_after(resume.last_seq)
        self.playback = Playback(bytes_per_ms=audio.bytes_per_ms)
        self.latency = TurnLatency()
        self.recorder: CallRecorder | None = None  # started with the timeline (_origin)
        self.keypad = Keypad(self)
        self.voicemail = Voicemail()  # an answering machine on a call the agent placed
        self.greeting = Greeting(
            call_id=call_id,
            agent=agent,
            hooks=hooks,
            cache_key=agent.greeting_cache_key(engine, audio.name),
        )
        self.fillers = ToolFillers(
            plan=FillerPlan(language=agent.language, threshold=agent.filler_after_ms / 1000),
            category=agent.filler_category,
            clock=clock,
            agent_speaking=self._agent_speaking,
            request_response=self.request_response,
            spawn=self.spawn,
            enabled=agent.filler_after_ms > 0,
        )
        self.tools = ToolRunner(
            call_id=call_id,
            agent=agent,
            hooks=hooks,
            user_info=self.user_info,
            send_upstream=self.send_upstream,
            send_error=self.send_error,
            seq=self.transcript.seq,
            call_ms=self.call_ms,
            spawn=self.spawn,
            answered=self.fillers.tool_answered,
        )
        self.timers: CallTimers | None = None  # started with the call (ready)
        self._upstream_handlers = UpstreamHandlers(self)

    # ------------------------------------------------------------------ lifecycle

    async def run(self) -> None:
        """Connects, configures, greets and relays until the call ends; with
        ``early_audio``, the opening audio (beep, cached greeting) plays while it connects."""
        opening: asyncio.Task[tuple[bytes, str] | None] | None = None
        try:
            if self.early_audio:
                self._start_timeline()
                if self.resume is None:  # a caller back from a transfer is not greeted again
                    opening = self.spawn(opening_audio(self), "opening")
            try:
                await asyncio.wait_for(self._open_upstream(), self._connect_timeout)
            except (TimeoutError, UpstreamUnavailable, UpstreamClosed) as exc:
                logger.warning("Call %s: upstream unavailable (%s)", self.call_id, exc)
                await self.send_error(
                    "upstream_unavailable", "The voice service could not be reached. Try again."
                )
                await self.end("upstream_unavailable", status="failed", error=str(exc))
                return
            if self.ended:  # the client left while connecting
                await self._close_upstream()
                return
            self.ready = True
            self._ready_at = self.clock()
            if self._origin is None:
                self._start_timeline()
            self.timers = CallTimers(
                started_at=self._ready_at,
                max_seconds=self.agent.max_call_seconds,
                idle_seconds=self.agent.idle_seconds,
                stall_seconds=self._stall_timeout,
            )
            await self.hooks.mark_active()
            await self.hooks.send_json(
                {
                    "type": "ready",
                    "call_id": self.call_id,
                    "agent": {"name": self.agent.name, "greeting": self.agent.greeting or None},
                    "input_sample_rate": 24000,
                }
            )
            self.spawn(self._flush_loop(), "flush")
            self.spawn(watch_timers(self, self.timers), "timers")
            if self.resume is not None:
                await welcome_back(self, self.resume)
            else:
                await greet(self, opening)
            await self._upstream_handlers.read_until_closed()
        except asyncio.CancelledError:
            if not self.ended:
                await asyncio.shield(self.end("server_shutdown"))
            raise
        except Exception:
            logger.exception("Call %s: internal error", self.call_id)
            await self.send_error("internal_error", "Something went wrong; the call ends.")
            await self.end("error", status="failed", error="internal error")
        finally:
            if not self.ended:
                await self.end("upstream_closed")

    def _start_timeline(self) -> None:
        """The call's timeline starts now, and its recording with it."""
        self._origin = self.clock()
        if self.agent.record_calls:
            self.recorder = CallRecorder(
                call_id=self.call_id,
                sample_rate=self.audio.sample_rate,
                bytes_per_sample=self.audio.bytes_per_sample,
                started_at=self._origin,
                setup=self._recording,
            )

    async def _open_upstream(self) -> None:
        self.upstream = await self._connect_upstream()
        if self.sideband is not None:
            # Accepted with its session already (the same builder): nothing to wait for
            # or to send before the greeting.
            self.server_interrupts = self.agent.interrupt_response
            return
        update = session_update(
            self.agent, now=dt.datetime.now(dt.UTC), audio_format=self.audio.session_format
        )
        self.server_interrupts = await configure_session(self.upstream, update)

    async def end(self, reason: str, *, status: str = "completed", error: str = "") -> None:
        """Ends the call once: closes upstream, persists everything, then tells the client."""
        if self.ended:
            await self._finished.wait()
            return
        self.ended = True
        self.end_reason = reason
        ended_at = self.clock()
        current = asyncio.current_task()
        # A tool that is running (a booking the caller hung up on) finishes and is
        # recorded; what it did (the appointment) exists either way.
        running = self.tools.running() - {current}
        if running:
            await asyncio.wait(running, timeout=END_TOOL_GRACE_SECONDS)
        for task in list(self._tasks):
            if task is not current:
                task.cancel()
        # The upstream close handshake runs beside the bookkeeping, not before it.
        closing = asyncio.ensure_future(self._close_upstream())
        try:
            # A reply cut off by the end of the call: what the caller saw of it counts.
            await self.assistant_unfinished(None, tell=False)
            await self.transcript.writer.flush_final()
            duration = 0 if self._ready_at is None else int(self.clock() - self._ready_at)
            latency_p50, latency_p95 = self.latency.summary()
            await self.hooks.finish(
                CallOutcome(
                    status=status,
                    end_reason=reason,
                    duration_seconds=duration,
                    usage=dict(self.usage.totals),
                    cost_usd=self.usage.cost(self._prices),
                    user_info=dict(self.user_info),
                    error_message=error,
                    latency_p50_ms=latency_p50,
                    latency_p95_ms=latency_p95,
                )
            )
            # Sent last, once the record is final: a client that sees `ended` can
            # fetch the finished call.
            await self.hooks.send_json({"type": "ended", "call_id": self.call_id, "reason": reason})
        finally:
            self._finished.set()
            await self.hooks.close_client()
            await closing
            await self._save_recording(ended_at)

    async def _save_recording(self, ended_at: float) -> None:
        """Finishes the recording and hands it over for storage, after everything else: a
        recording that fails costs only itself."""
        recorder, self.recorder = self.recorder, None
        if recorder is None:
            return
        try:
            recording = await recorder.finish(ended_at)
            if recording is not None:
                await self.hooks.save_recording(recording)
        except Exception:
            logger.exception("Call %s: the recording could not be saved", self.call_id)

    async def _close_upstream(self) -> None:
        if self.upstream is None:
            return
        try:
            await asyncio.wait_for(self.upstream.close(), 3)
        except Exception:
            logger.debug("Call %s: upstream close failed", self.call_id)

    async def wait_finished(self) -> None:
        await self._finished.wait()

    def spawn(self, coroutine: Awaitable[Any], name: str) -> asyncio.Task[Any]:
        """A task owned by the call: cancelled when it ends."""
        task = asyncio.ensure_future(coroutine)
        task.set_name(f"call-{self.call_id[:8]}-{name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def call_ms(self) -> int:
        """Milliseconds since the call's timeline began (since the session began, before)."""
        start = self._origin if self._origin is not None else self._created_at
        return max(0, int((self.clock() - start) * 1000)) + self._ms_offset

    def activity(self) -> None:
        if self.timers is not None:
            self.timers.activity(self.clock())

    # ------------------------------------------------------------------ client side

    async def handle_client(self, message: ClientMessage) -> None:
        if self.ended:
            return
        if isinstance(message, ClientPing):
            await self.hooks.send_json({"type": "pong", "id": message.id})
        elif isinstance(message, ClientEnd):
            await self.end("client_ended")
        elif isinstance(message, ClientPlayback):
            # Early audio is played before `ready`: its reports count from the start.
            self.playback.reported(message.item_id, message.played_ms, self.clock())
        elif not self.ready:
            # Nothing but the session configuration goes upstream before `ready`.
            return
        elif isinstance(message, ClientAudio):
            await self._client_audio(message)
        elif isinstance(message, ClientText):
            await self.caller_typed(message.text)
        elif isinstance(message, ClientCancel):
            await self.interrupt(played_ms=message.played_ms, cancel=True)
        elif isinstance(message, ClientDigit):
            await self.keypad.pressed(message.digit)

    async def client_error(self, error: ProtocolError) -> None:
        self._bad_frames += 1
        await self.send_error(error.code, error.message)
        if self._bad_frames > MAX_BAD_FRAMES:
            await self.end("protocol_abuse")

    async def _client_audio(self, message: ClientAudio) -> None:
        self._audio_ms_received += message.byte_count // self.audio.bytes_per_ms
        ready_at = self._ready_at or self._created_at
        now = self.clock()
        allowed = (now - ready_at) * 1000 * MAX_AUDIO_SPEED + AUDIO_BURST_MS
        if self._audio_ms_received > allowed:
            await self.end("protocol_abuse")
            return
        if self.recorder is not None:
            self.recorder.caller_audio(message.audio, message.byte_count, now)
        if self.upstream is None:
            return
        try:
            await self.upstream.send_audio(message.audio)
        except UpstreamClosed:
            logger.info("Call %s: upstream closed while sending", self.call_id)

    async def caller_typed(self, text: str, *, for_model: str = "", kind: str = "text") -> None:
        """Typed text, or (``kind`` keypad) keys pressed: ``text`` is stored and shown,
        ``for_model`` what the model reads if it differs."""
        self.activity()
        self.latency.caller_done(self.clock())
        self.fillers.caller_started()  # a turn of its own, started and ended at once
        self.fillers.caller_done()
        item_id = f"{kind}_{self.transcript.last_seq + 1}"
        await self.user_turn(item_id, text, started_ms=self.call_ms())
        await self.add_message("user", for_model or text)
        if self.responses.responding:
            # Typing over the agent interrupts it; answer once its response is done.
            self.responses.wanted = True
            await self.interrupt(played_ms=None, cancel=True)
            if self.responses.responding:
                return
        # No response running (any more): answer now, once.
        self.responses.wanted = False
        await self.request_response()

    # ------------------------------------------------------------------ barge-in

    async def caller_spoke_over(self) -> None:
        """Turn detection heard the caller: stop the agent where the caller is."""
        # `listening` goes out before anything else so the client stops playback at once.
        await self.hooks.send_json({"type": "listening"})
        heard = await self.hooks.stop_playback()
        if heard is not None:
            # The transport knows what was played: truncate there, not at an estimate.
            self.playback.transport_heard(heard.item_id, heard.ms, self.clock())
        await self.interrupt(played_ms=None, cancel=False)

    async def interrupt(self, *, played_ms: int | None, cancel: bool) -> None:
        cut = self.playback.cut(self.clock(), played_ms=played_ms)
        if cut is not None:
            if self.recorder is not None:
                self.recorder.agent_cut(cut.item_id, cut.heard_ms)
            self.responses.mark_interrupted(cut.response_id)
            self.transcript.interrupted(cut.item_id)
            if cut.upstream_item:
                await self.send_upstream(
                    {
                        "type": "conversation.item.truncate",
                        "item_id": cut.item_id,
                        "content_index": 0,
                        "audio_end_ms": cut.heard_ms,
                    }
                )
        if self.responses.interrupt() is not None and (cancel or not self.server_interrupts):
            await self.send_upstream({"type": "response.cancel"})
        if cancel and self.sideband is not None and self.sideband.playing:
            # The service holds the speech already generated: it drops it on request.
            await self.send_upstream({"type": "output_audio_buffer.clear"})

    def _agent_speaking(self) -> bool:
        """A response runs, or its audio is still playing to the caller."""
        if self.responses.responding or self.playback.playing(self.clock()):
            return True
        return self.sideband is not None and self.sideband.playing

    # ------------------------------------------------------------------ conversation

    async def play(
        self, item_id: str, response_id: str, delta: str, size: int, *, local: bool = False
    ) -> None:
        """A chunk of assistant audio to the caller (``local``: not an upstream item)."""
        now = self.clock()
        end_ms = self.playback.chunk_sent(item_id, response_id, size, now, upstream_item=not local)
        self.latency.audio_sent(item_id, now)
        if self.recorder is not None:
            self.recorder.agent_audio(item_id, delta, size, now)
        await self.hooks.send_audio(item_id, delta, end_ms)

    async def user_turn(self, item_id: str, text: str, *, started_ms: int | None) -> None:
        """A final caller utterance: queued for the transcript, then to the client.

        Queued first: the call may end while the client is being told (a shutdown), and
        a turn the caller saw final must be in the final flush.
        """
        if text:
            self.transcript.user_turn(item_id, text, started_ms=started_ms)
        await self.send_transcript("user", text, item_id, final=True)

    async def assistant_final(self, item_id: str, text: str) -> None:
        if text:  # queued before the client is told (see user_turn)
            self.store_assistant(item_id, text)
        await self.send_transcript("assistant", text, item_id, final=True)

    def store_assistant(self, item_id: str, text: str) -> None:
        """An assistant turn, placed at the time its audio started playing."""
        ago = self.playback.started_ms_ago(item_id, self.clock())
        started_ms = None if ago is None else self.call_ms() - ago
        self.transcript.assistant_turn(
            item_id, text, started_ms=started_ms, latency_ms=self.latency.of_item(item_id)
        )

    async def assistant_unfinished(self, response_id: str | None, *, tell: bool = True) -> None:
        """Stores the assistant items of a response (None: any) that were cut off before
        their final text, as far as the caller was shown them, marked interrupted; the
        client gets that text as the item's final (``tell``)."""
        for item_id, text in self.transcript.take_unfinished(response_id):
            self.transcript.interrupted(item_id)
            if tell:
                await self.assistant_final(item_id, text)
            elif text:
                self.store_assistant(item_id, text)

    async def send_transcript(self, role: str, text: str, item_id: str, *, final: bool) -> None:
        """A `transcript` message: a delta to append, or the whole final text."""
        await self.hooks.send_json(
            {"type": "transcript", "role": role, "text": text, "item_id": item_id, "final": final}
        )

    async def answer_tools(self, tasks: list[asyncio.Task[None]]) -> None:
        """All outputs of a response's calls, then exactly one response.create."""
        await asyncio.gather(*tasks, return_exceptions=True)
        if not self.ended and self.responses.after_outputs(self.clock()) is AfterOutputs.CREATE_NOW:
            await self.request_response()

    # ------------------------------------------------------------------ timers

    async def _flush_loop(self) -> None:
        while not self.ended:
            await asyncio.sleep(FLUSH_INTERVAL_SECONDS)
            await self.transcript.writer.flush()

    # ------------------------------------------------------------------ upstream I/O

    async def send_upstream(self, event: dict[str, Any]) -> None:
        if self.upstream is None:
            return
        try:
            await self.upstream.send(event)
        except UpstreamClosed:
            # The reader notices the close and ends the call.
            logger.info("Call %s: upstream closed while sending", self.call_id)

    async def recv_event(self) -> dict[str, Any]:
        if self.upstream is None:
            raise UpstreamClosed(None, "not connected")
        event = await self.upstream.recv()
        self.last_upstream_event_at = self.clock()
        return event

    async def add_message(self, role: str, text: str) -> None:
        """Adds a message to the upstream conversation without asking for a response."""
        content_type = "output_text" if role == "assistant" else "input_text"  # user, system
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

    async def request_response(
        self,
        *,
        instructions: str | None = None,
        metadata: dict[str, str] | None = None,
        filler: bool = False,
    ) -> None:
        """``filler``: a filler phrase (filling.py), which calls no tool and answers
        nothing."""
        response: dict[str, Any] = {}
        if instructions:
            response["instructions"] = instructions
        if metadata:
            response["metadata"] = metadata
        if filler:
            response["tool_choice"] = "none"
        event: dict[str, Any] = {"type": "response.create"}
        if response:
            event["response"] = response
        self.responses.requested_at(self.clock(), filler=filler)
        await self.send_upstream(event)

    async def send_error(self, code: str, message: str) -> None:
        await self.hooks.send_json({"type": "error", "code": code, "message": message})
