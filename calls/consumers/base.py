"""What every call consumer shares: the consumer loop, the session's task, persistence hooks."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any, ClassVar

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings

from agents.models import Agent
from calls import greetings, recordings, services
from calls.consumers.monitor import MonitorPublisher
from calls.groups import control_group, monitor_group
from calls.instance import server_instance_current
from calls.models import Direction, EndReason
from calls.realtime.config import AudioFormat
from calls.realtime.engines import EngineSettings, engine_get
from calls.realtime.hooks import (
    CallOutcome,
    ResumedCall,
    ToolContext,
    ToolRecord,
    TransferOrder,
    TurnRecord,
)
from calls.realtime.recording import RecordedCall, RecordingSetup
from calls.realtime.session import CallSession
from calls.realtime.voicemail import machine_reached
from calls.selectors import agent_snapshot
from calls.tool_registry import tool_run
from outbound.result_services import outbound_attempt_call_link
from outbound.selectors import OutboundCallContext

logger = logging.getLogger(__name__)

# What other processes may push to a caller (e.g. a task confirming a booking).
PUSHABLE_TYPES = frozenset({"appointment", "contact_saved", "user_info"})
SERVER_SHUTDOWN_CLOSE_CODE = 1012  # what uvicorn sends its apps on SIGTERM
SESSION_STOP_TIMEOUT = 10.0
LAYER_TIMEOUT_SECONDS = 2.0


def current_engine_settings() -> EngineSettings:
    """What engines need from the deployment's settings (read per call: tests change them)."""
    return EngineSettings(
        openai_url=settings.OPENAI_REALTIME_URL,
        openai_api_key=settings.OPENAI_API_KEY,
        connect_timeout=settings.REALTIME_CONNECT_TIMEOUT,
        prices=settings.REALTIME_PRICES,
        openai_base_url=settings.OPENAI_BASE_URL,
        cascade_llm_model=settings.CASCADE_LLM_MODEL,
        cascade_stt_model=settings.CASCADE_STT_MODEL,
        cascade_tts_model=settings.CASCADE_TTS_MODEL,
        elevenlabs_api_key=settings.ELEVENLABS_API_KEY,
        elevenlabs_base_url=settings.ELEVENLABS_BASE_URL,
        elevenlabs_voice_id=settings.ELEVENLABS_VOICE_ID,
        elevenlabs_model_id=settings.ELEVENLABS_MODEL_ID,
        stage_timeout=settings.CASCADE_STAGE_TIMEOUT,
        cascade_prices=settings.CASCADE_PRICES,
    )


class CallConsumer(AsyncWebsocketConsumer):
    """A transport adapter between a caller's WebSocket and a CallSession (CallHooks)."""

    session: CallSession | None = None
    session_task: asyncio.Task[None] | None = None
    call_id: str = ""
    client_gone: bool = False
    monitor: MonitorPublisher | None = None
    # Audio before `ready` (the session's early_audio): phone lines, not the web widget.
    early_audio: ClassVar[bool] = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._hang_ups: set[asyncio.Task[None]] = set()  # referenced until done

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Channels' consumer loop, with one reader per source instead of a task per message.

        Channels' ``await_many_dispatch`` creates a task and an ``asyncio.wait`` for every
        frame so it can listen to the client and the channel layer in one loop. A call
        gets 20 to 50 frames a second from its caller; here the client is read in place
        and the channel layer (rare control messages) by a task of its own.
        """
        self.scope = scope
        self.base_send = send
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        layer_reader: asyncio.Task[None] | None = None
        if self.channel_layer is not None:
            self.channel_name = await self.channel_layer.new_channel()
            layer_reader = asyncio.ensure_future(self._read_channel_layer())
        try:
            while True:
                await self.dispatch(await receive())
        except StopConsumer:
            pass
        except asyncio.CancelledError:
            # daphne (and so `runserver`) cancels every application on shutdown where
            # uvicorn sends `websocket.disconnect` (1012): the call ends the same way.
            await asyncio.shield(self._end_for_shutdown())
            raise
        except Exception:
            # A handler bug must not leave the call open upstream and unrecorded.
            logger.exception("Call %s: the consumer failed", self.call_id)
            if self.session is not None:
                await asyncio.shield(self.session.end("error", status="failed", error="internal"))
            raise
        finally:
            if self.monitor is not None:
                await self.monitor.close()
            if layer_reader is not None:
                layer_reader.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await layer_reader

    async def _end_for_shutdown(self) -> None:
        if self.session is None:
            return
        await self.session.end("server_shutdown")
        await self._stop_session_task()

    async def _stop_session_task(self) -> None:
        if self.session_task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self.session_task), SESSION_STOP_TIMEOUT)
        except TimeoutError:
            self.session_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.session_task
        except Exception:
            logger.exception("Call %s: session ended with an error", self.call_id)

    async def _read_channel_layer(self) -> None:
        """Control messages from other processes; a layer outage (Redis) is retried, not
        fatal to the call, and only ``call.*`` messages are taken from it."""
        layer = self.channel_layer
        failures = 0
        while layer is not None:
            try:
                message = await layer.receive(self.channel_name)
            except Exception:
                failures += 1
                logger.warning("Call %s: channel layer receive failed (%d)", self.call_id, failures)
                await asyncio.sleep(min(30.0, 0.5 * 2**failures))
                if self.call_id:
                    # Rejoin before receiving again: a restarted Redis lost the group, and
                    # nothing would reach this channel without it.
                    await self.join_control_group(self.call_id)
                continue
            failures = 0
            if not str(message.get("type", "")).startswith("call."):
                logger.warning(
                    "Call %s: ignored a %r from the layer", self.call_id, message.get("type")
                )
                continue
            try:
                await self.dispatch(message)
            except Exception:
                logger.exception("Call %s: a channel-layer message failed", self.call_id)

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' dispatch without its per-message ``close_old_connections`` thread hop.

        Channels runs ``close_old_connections`` in the sync thread before every handler,
        so each audio frame waited in the same one-thread queue as every database write of
        every call (measured: p99 client→upstream latency of hundreds of ms at 40 calls).
        These consumers never touch the database outside ``database_sync_to_async``,
        which closes stale connections itself, before and after each use.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def begin_call(
        self,
        *,
        call_id: str,
        agent: Agent,
        channel: str,
        audio: AudioFormat,
        known_caller: dict[str, str] | None = None,
        metadata: dict[str, Any] | None = None,
        phone: bool = False,
        resume: ResumedCall | None = None,
        outbound: OutboundCallContext | None = None,
        **caller: str,
    ) -> None:
        """The call's row and its session, for either transport, once the control group
        is joined (``join_control_group``); ``caller`` holds what the transport knows of
        the caller (address, number, ids), ``known_caller`` what a website's session
        token says of its signed-in user (the agent does not ask for it again),
        ``outbound`` what the agent knows of the person it called."""
        engine = engine_get(agent.engine_name)
        engine_settings = current_engine_settings()
        snapshot = agent_snapshot(
            agent=agent,
            default_model=settings.OPENAI_REALTIME_MODEL,
            known_caller=known_caller,
            phone=phone,
            outbound=outbound,
        )
        if outbound is not None:
            known_caller = outbound.known_caller
            metadata = {
                **(metadata or {}),
                "outbound_attempt": outbound.attempt_id,
                "campaign": outbound.campaign_id,
            }
        if resume is not None:
            await database_sync_to_async(services.call_log_reattach)(
                call_id=call_id,
                server_instance=await server_instance_current(),
                provider_stream_id=caller.get("provider_stream_id", ""),
            )
        else:
            await database_sync_to_async(services.call_log_start)(
                call_id=call_id,
                agent=agent,
                channel=channel,
                engine=engine.name,
                realtime_model=engine.model_name(snapshot),
                server_instance=await server_instance_current(),
                user_info=known_caller,
                metadata=metadata,
                direction=Direction.OUTBOUND if outbound is not None else Direction.INBOUND,
                **caller,
            )
            if outbound is not None:
                await database_sync_to_async(outbound_attempt_call_link)(
                    attempt_id=outbound.attempt_id, call_id=call_id
                )
        self.call_id = call_id
        if self.channel_layer is not None:
            self.monitor = MonitorPublisher(
                layer=self.channel_layer, group=monitor_group(call_id), call_id=call_id
            )
        prices = engine.prices(snapshot, engine_settings)
        self.session = CallSession(
            call_id=self.call_id,
            agent=snapshot,
            hooks=self,
            connect_upstream=lambda: engine.connect(snapshot, engine_settings, call_id=call_id),
            engine=engine.name,
            prices=dict(prices) if prices is not None else None,
            connect_timeout=settings.REALTIME_CONNECT_TIMEOUT,
            stall_timeout=settings.REALTIME_STALL_TIMEOUT,
            audio=audio,
            recording=RecordingSetup(
                executor=recordings.SPOOL_EXECUTOR, spool_dir=str(settings.RECORDINGS_SPOOL_DIR)
            ),
            resume=resume,
            early_audio=self.early_audio,
        )
        if known_caller:
            # The session's captured details start from what is known (kept at the end).
            self.session.user_info.update(known_caller)
        self.session_task = asyncio.ensure_future(self.session.run())

    async def join_control_group(self, call_id: str) -> bool:
        """Joins the group through which other processes reach this call; False when the
        channel layer does not answer in time (a new call is then refused)."""
        if self.channel_layer is None:
            return True
        try:
            await asyncio.wait_for(
                self.channel_layer.group_add(control_group(call_id), self.channel_name),
                LAYER_TIMEOUT_SECONDS,
            )
        except Exception as exc:
            logger.warning("Call %s: the channel layer is unavailable (%s)", call_id, exc)
            return False
        self.call_id = call_id  # so that a disconnect before the call begins leaves the group
        return True

    async def refuse_unavailable(self) -> None:
        """Refuses the handshake with 503 and a JSON body where the server supports
        ASGI's WebSocket denial response (uvicorn), else as any refusal (403)."""
        if "websocket.http.response" in (self.scope.get("extensions") or {}):
            body = json.dumps(
                {
                    "error": "service_unavailable",
                    "message": "The service is temporarily unavailable; try again shortly.",
                }
            ).encode()
            await self.base_send(
                {
                    "type": "websocket.http.response.start",
                    "status": 503,
                    "headers": [(b"content-type", b"application/json"), (b"retry-after", b"5")],
                }
            )
            await self.base_send({"type": "websocket.http.response.body", "body": body})
            return
        await self.close()

    async def disconnect(self, code: int) -> None:
        self.client_gone = True
        if self.session is not None:
            reason = "server_shutdown" if code == SERVER_SHUTDOWN_CLOSE_CODE else "connection_lost"
            # Shielded, and before anything that may fail (the layer): the call must be
            # recorded even if the server cancels this handler.
            await asyncio.shield(self.session.end(reason))
        if self.monitor is not None:
            await self.monitor.close()
        if self.channel_layer is not None and self.call_id:
            try:
                await asyncio.wait_for(
                    self.channel_layer.group_discard(
                        control_group(self.call_id), self.channel_name
                    ),
                    LAYER_TIMEOUT_SECONDS,
                )
            except Exception:
                logger.warning("Call %s: leaving the control group failed", self.call_id)
        await self._stop_session_task()

    async def send_frame(self, frame: str) -> None:
        """A text frame to the caller, straight to the ASGI send (the audio path skips
        Channels' two wrappers); a caller that is gone is not an error."""
        if self.client_gone:
            return
        try:
            await self.base_send({"type": "websocket.send", "text": frame})
        except Exception:
            self.client_gone = True

    def publish(self, message: dict[str, Any]) -> None:
        """A client-visible event for whoever monitors the call (dashboards); best effort."""
        if self.monitor is not None:
            self.monitor.publish(message)

    async def call_hang_up(self, event: dict[str, Any]) -> None:
        """Staff hung up from the dashboard, in any process (``calls.live_services``).

        Handled in a task of its own: the layer reader goes straight back to the layer,
        so that when the call ends and the reader is cancelled it is waiting there (a
        cancellation that arrives as a ``wait_for`` completes can be lost on Python
        3.11, which left the reader, and the consumer, waiting forever); and the end is
        not cut short by that cancellation."""
        task = asyncio.ensure_future(self._hang_up(event.get("reply_channel")))
        self._hang_ups.add(task)
        task.add_done_callback(self._hang_ups.discard)

    async def _hang_up(self, reply: Any) -> None:
        """Acknowledged at once; the session ended with ``staff_ended`` as any other end;
        acknowledged again with the reason the call ended with."""
        session = self.session
        if session is None or session.ended:
            await self._hang_up_reply(reply, state="not_live")
            return
        await self._hang_up_reply(reply, state="ending")
        logger.info("Call %s: staff hung up", self.call_id)
        await session.end(EndReason.STAFF_ENDED.value)
        await self._hang_up_reply(reply, state="ended", reason=session.end_reason)

    async def _hang_up_reply(self, reply: Any, **body: str) -> None:
        if not isinstance(reply, str) or not reply or self.channel_layer is None:
            return
        message = {"type": "call.hang_up_ack", "call_id": self.call_id, **body}
        try:
            await asyncio.wait_for(self.channel_layer.send(reply, message), LAYER_TIMEOUT_SECONDS)
        except Exception as exc:
            logger.warning("Call %s: answering a hang-up failed (%s)", self.call_id, exc)

    async def call_voicemail(self, event: dict[str, Any]) -> None:
        """An answering machine answered the call the agent placed (``outbound.webhooks``):
        in a task of its own, as for a hang-up (the layer reader goes straight back)."""
        if self.session is None:
            return
        task = asyncio.ensure_future(
            machine_reached(
                self.session,
                action=str(event.get("action") or ""),
                message=str(event.get("message") or ""),
                after_beep=bool(event.get("after_beep")),
            )
        )
        self._hang_ups.add(task)
        task.add_done_callback(self._hang_ups.discard)

    async def call_client_message(self, event: dict[str, Any]) -> None:
        """A message pushed through the control group (e.g. a task confirming a booking)."""
        message = event.get("message")
        if isinstance(message, dict) and message.get("type") in PUSHABLE_TYPES:
            await self.send_json(message)

    # -- CallHooks shared by every transport

    async def send_json(self, message: dict[str, Any]) -> None:
        await self.send_frame(json.dumps(message))
        self.publish(message)

    async def close_client(self) -> None:
        if not self.client_gone:
            self.client_gone = True
            with contextlib.suppress(Exception):
                await self.close()

    async def mark_active(self) -> None:
        await database_sync_to_async(services.call_log_activate)(call_id=self.call_id)

    async def playback_finished(self, timeout: float) -> bool | None:
        return None  # the session's estimate (a web client plays what it is sent)

    async def hang_up(self) -> str:
        return ""  # closing the socket ends a web call

    async def transfer(self, order: TransferOrder) -> str:
        return "this call is not on a phone line"

    async def save_turns(self, turns: list[TurnRecord]) -> None:
        await database_sync_to_async(services.transcript_turns_save)(
            call_id=self.call_id, turns=turns
        )

    async def save_tool(self, record: ToolRecord) -> None:
        await database_sync_to_async(services.tool_invocation_record)(
            call_id=self.call_id, record=record
        )

    async def run_tool(self, name: str, arguments: dict[str, Any], context: ToolContext) -> Any:
        return await tool_run(name, arguments, context)

    async def finish(self, outcome: CallOutcome) -> None:
        await database_sync_to_async(services.call_log_finish)(
            call_id=self.call_id, outcome=outcome
        )

    async def greeting_get(self, key: str) -> tuple[bytes, str] | None:
        return await sync_to_async(greetings.greeting_get, thread_sensitive=False)(key)

    async def greeting_put(self, key: str, audio: bytes, transcript: str) -> None:
        await sync_to_async(greetings.greeting_put, thread_sensitive=False)(key, audio, transcript)

    async def save_recording(self, recording: RecordedCall) -> None:
        recordings.recording_store_later(call_id=self.call_id, recording=recording)
