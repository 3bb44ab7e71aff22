"""What the session does with each server event of the Realtime GA protocol."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from calls.realtime.fillers import FILLER_PURPOSE
from calls.realtime.handoff import end_after_playback, transfer_after_playback
from calls.realtime.playback import base64_decoded_size
from calls.realtime.protocol import ProtocolError, client_digit
from calls.realtime.responses import ALREADY_ACTIVE
from calls.realtime.upstream import UpstreamClosed, redacted
from calls.realtime.voicemail import message_done

if TYPE_CHECKING:
    from calls.realtime.session import CallSession

logger = logging.getLogger(__name__)

GOODBYE_MAX_WAIT_SECONDS = 15.0
# Races the protocol reference calls harmless; they are logged, not reported.
BENIGN_ERROR_CODES = frozenset({ALREADY_ACTIVE, "response_cancel_not_active"})

Handler = Callable[[dict[str, Any]], Awaitable[None]]


class UpstreamHandlers:
    """One handler per server event type; events not listed carry nothing a call needs."""

    def __init__(self, session: CallSession) -> None:
        self.session = session
        self._handlers: dict[str, Handler] = {
            "input_audio_buffer.speech_started": self._speech_started,
            "input_audio_buffer.speech_stopped": self._speech_stopped,
            "conversation.item.input_audio_transcription.delta": self._user_delta,
            "conversation.item.input_audio_transcription.completed": self._user_final,
            "response.created": self._response_created,
            "response.output_item.added": self._output_item_added,
            "response.output_audio.delta": self._audio_delta,
            "response.output_audio_transcript.delta": self._assistant_delta,
            "response.output_audio_transcript.done": self._assistant_done,
            "response.output_text.delta": self._assistant_delta,
            "response.output_text.done": self._assistant_done,
            "response.function_call_arguments.done": self._function_call,
            "response.done": self._response_done,
            "error": self._error,
        }
        if session.sideband is not None:
            # A SIP call's sideband: keys and what the caller hears come as events.
            speech = session.sideband
            self._handlers.update(
                {
                    "input_audio_buffer.dtmf_event_received": self._dtmf,
                    "output_audio_buffer.started": lambda event: _now(speech.started),
                    "output_audio_buffer.stopped": lambda event: _now(speech.stopped),
                    "output_audio_buffer.cleared": lambda event: _now(speech.stopped),
                }
            )

    async def read_until_closed(self) -> None:
        session = self.session
        while not session.ended:
            try:
                event = await session.recv_event()
            except UpstreamClosed as closed:
                if not session.ended:
                    logger.info("Call %s: upstream closed (%s)", session.call_id, closed.code)
                    # A SIP call's sideband closes when the call ends: the caller hung up.
                    await session.end(
                        "upstream_closed" if session.sideband is None else "caller_hung_up"
                    )
                return
            handler = self._handlers.get(event.get("type", ""))
            if handler is not None:
                await handler(event)

    # -- caller speech

    async def _speech_started(self, event: dict[str, Any]) -> None:
        # Who is speaking is followed all along: a machine's greeting starts before the
        # provider says it is a machine.
        self.session.voicemail.speech_started()
        if self.session.voicemail.active:
            return  # a machine: nobody to stop for
        self.session.activity()
        self.session.latency.caller_speaking()
        self.session.fillers.caller_started()
        item_id = event.get("item_id") or ""
        if item_id:
            self.session.transcript.speech_started(item_id, int(event.get("audio_start_ms") or 0))
        await self.session.caller_spoke_over()

    async def _speech_stopped(self, event: dict[str, Any]) -> None:
        self.session.voicemail.speech_stopped()
        if self.session.voicemail.active:
            return
        self.session.latency.caller_done(self.session.clock())
        self.session.fillers.caller_done()
        await self.session.hooks.send_json({"type": "processing"})

    async def _user_delta(self, event: dict[str, Any]) -> None:
        delta = event.get("delta") or ""
        if delta:
            await self.session.send_transcript(
                "user", delta, event.get("item_id") or "", final=False
            )

    async def _user_final(self, event: dict[str, Any]) -> None:
        self.session.activity()
        text = (event.get("transcript") or "").strip()
        await self.session.user_turn(event.get("item_id") or "", text, started_ms=None)

    # -- responses

    async def _response_created(self, event: dict[str, Any]) -> None:
        response = event.get("response") or {}
        self.session.responses.created(
            response.get("id"), self.session.clock(), filler=_is_filler(response)
        )
        self.session.latency.response_created(response.get("id") or "")
        self.session.greeting.response_created(response)
        self.session.voicemail.response_created(response)

    async def _output_item_added(self, event: dict[str, Any]) -> None:
        item = event.get("item") or {}
        if item.get("id"):
            self.session.transcript.seq(item["id"])

    async def _audio_delta(self, event: dict[str, Any]) -> None:
        session = self.session
        if session.sideband is not None:
            return  # a sideband's audio (if ever sent) is the carrier's, not ours to play
        response_id = event.get("response_id") or ""
        if session.responses.is_interrupted(response_id):
            return  # late audio of an interrupted response
        delta = event.get("delta") or ""
        session.greeting.audio(response_id, delta)
        await session.play(
            event.get("item_id") or "", response_id, delta, base64_decoded_size(delta)
        )

    async def _assistant_delta(self, event: dict[str, Any]) -> None:
        response_id = event.get("response_id") or ""
        if self.session.responses.is_interrupted(response_id):
            return
        delta = event.get("delta") or ""
        if delta:
            item_id = event.get("item_id") or ""
            self.session.transcript.assistant_caption(item_id, response_id, delta)
            await self.session.send_transcript("assistant", delta, item_id, final=False)

    async def _assistant_done(self, event: dict[str, Any]) -> None:
        text = event.get("transcript") if "transcript" in event else event.get("text")
        await self.session.assistant_final(event.get("item_id") or "", (text or "").strip())

    async def _response_done(self, event: dict[str, Any]) -> None:
        session = self.session
        response = event.get("response") or {}
        response_id = response.get("id") or ""
        session.usage.add(response.get("usage"))
        session.responses.done(response_id)
        if session.timers is not None:
            session.timers.agent_spoke(session.clock())
        # A cancelled response sends no final text: what the caller saw of it is kept.
        await session.assistant_unfinished(response_id)
        await session.hooks.send_json({"type": "response_done", "item_id": _last_item(response)})
        await session.greeting.response_done(response)

        tool_tasks = session.tools.take(response_id)
        session.latency.response_done(response_id, calls_tools=bool(tool_tasks))
        if message_done(session, response):
            return
        if tool_tasks:
            session.spawn(session.answer_tools(tool_tasks), "tools")
        elif _is_filler(response):
            # A filler said while tools ran: their answer comes next, if they are done
            # (a hang-up or transfer they asked for waits for that answer's end).
            if session.responses.take_wanted():
                await session.request_response()
        elif session.tools.transfer_requested is not None:
            reason, summary = session.tools.take_transfer() or ("", "")
            session.spawn(
                transfer_after_playback(session, reason, summary, GOODBYE_MAX_WAIT_SECONDS),
                "transfer",
            )
        elif session.tools.end_requested:
            session.spawn(end_after_playback(session, GOODBYE_MAX_WAIT_SECONDS), "goodbye")
        elif session.responses.take_wanted():
            await session.request_response()

    # -- tools

    async def _function_call(self, event: dict[str, Any]) -> None:
        self.session.tools.start(event)
        self.session.fillers.tool_started(event.get("call_id") or "", event.get("name") or "")

    # -- keys (SIP calls: the service reports them)

    async def _dtmf(self, event: dict[str, Any]) -> None:
        try:
            digit = client_digit(event.get("event")).digit
        except ProtocolError:
            logger.info("Call %s: ignored a keypad event %r", self.session.call_id, event)
            return
        await self.session.keypad.pressed(digit)

    # -- errors

    async def _error(self, event: dict[str, Any]) -> None:
        session = self.session
        error = event.get("error") or {}
        code = str(error.get("code") or error.get("type") or "unknown")
        session.responses.error(code)
        if code in BENIGN_ERROR_CODES:
            logger.debug("Call %s: benign upstream error %s", session.call_id, code)
            return
        message = redacted(str(error.get("message") or ""))[:200]
        logger.warning("Call %s: upstream error %s: %s", session.call_id, code, message)
        if code == "session_expired":
            await session.end("upstream_closed")
            return
        await session.send_error(
            "upstream_error", f"The voice service reported an error ({code[:60]})."
        )


async def _now(action: Callable[[], None]) -> None:
    action()


def _is_filler(response: dict[str, Any]) -> bool:
    return (response.get("metadata") or {}).get("purpose") == FILLER_PURPOSE


def _last_item(response: dict[str, Any]) -> str | None:
    output = response.get("output") or []
    for item in reversed(output):
        if isinstance(item, dict) and item.get("type") == "message":
            return item.get("id")
    return None
