"""``SidebandHooks``: what a SIP call's session needs from the outside world. There is no
caller socket: events go to the call's monitors only, no audio is played or stopped here
(OpenAI plays it), and the line is controlled through OpenAI's call control."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.utils import timezone

from calls import services
from calls.consumers.monitor import MonitorPublisher
from calls.groups import monitor_group
from calls.realtime.hooks import (
    CallOutcome,
    HeardPosition,
    ToolContext,
    ToolRecord,
    TransferOrder,
    TurnRecord,
)
from calls.realtime.recording import RecordedCall
from calls.services import usage_sum
from calls.sip import control
from calls.sip.selectors import SipCallState
from calls.sip.services import sip_call_detach, sip_call_referred
from calls.tool_registry import tool_run
from calls.transfers import call_transfer_begin, call_transfer_fail

logger = logging.getLogger(__name__)

# Ends after which the line is already gone (or is the trunk's): nothing to hang up.
LINE_GONE = frozenset({"caller_hung_up", "transferred", "agent_ended"})


class SidebandHooks:
    def __init__(self, *, state: SipCallState, reattached: bool) -> None:
        self.call_id = state.call_id
        self.sip_call_id = state.sip_call_id
        self._state = state
        self._reattached = reattached
        self.expected_end: tuple[str, str] | None = None  # (reason, status) we caused
        self._hang_up_at_close = False
        self.detached = False
        layer = get_channel_layer()
        self.monitor = (
            MonitorPublisher(layer=layer, group=monitor_group(self.call_id), call_id=self.call_id)
            if layer is not None
            else None
        )

    # -- the caller's side: no socket, no audio

    async def send_json(self, message: dict[str, Any]) -> None:
        if self.monitor is not None:
            self.monitor.publish(message)

    async def send_audio(self, item_id: str, audio: str, end_ms: int) -> None:
        return None  # OpenAI sends the audio to the carrier

    async def stop_playback(self) -> HeardPosition | None:
        return None  # OpenAI truncates what the caller did not hear by itself

    async def playback_finished(self, timeout: float) -> bool | None:
        return None  # the session's sideband follows output_audio_buffer.* itself

    async def close_client(self) -> None:
        """The session is over: the line too, unless it is gone already or the session
        only detached (a stopping process: the call goes on and is re-attached)."""
        if self._hang_up_at_close:
            self._hang_up_at_close = False
            error = await control.call_hangup(sip_call_id=self.sip_call_id)
            if error:
                logger.warning("SIP call %s: hanging up failed (%s)", self.call_id, error)
        if self.monitor is not None:
            await self.monitor.close()

    # -- call control

    async def hang_up(self) -> str:
        self.expected_end = ("agent_ended", "completed")
        error = await control.call_hangup(sip_call_id=self.sip_call_id)
        return f"hanging up through OpenAI failed ({error})" if error else ""

    async def transfer(self, order: TransferOrder) -> str:
        """A blind transfer: OpenAI sends the trunk a REFER to ``tel:<number>``. Once the
        trunk has taken the call, OpenAI ends it and its sideband closes; a sideband still
        open ``SIP_REFER_TIMEOUT_SECONDS`` later means the REFER went nowhere (this is
        known to fail silently), and the agent tells the caller."""
        await database_sync_to_async(call_transfer_begin)(
            call_id=self.call_id,
            target=order.target,
            mode="cold",
            reason=order.reason,
            summary=order.summary,
        )
        self.expected_end = ("transferred", "transferred")
        error = await control.call_refer(
            sip_call_id=self.sip_call_id, target_uri=f"tel:{order.target}"
        )
        if not error:
            # The close of the sideband ends the session (and cancels this wait).
            await asyncio.sleep(settings.SIP_REFER_TIMEOUT_SECONDS)
            error = "the call was still here after the transfer"
        self.expected_end = None
        logger.warning("SIP call %s: transfer failed: %s", self.call_id, error)
        await database_sync_to_async(call_transfer_fail)(call_id=self.call_id, error=error)
        return "the phone system did not complete the transfer"

    # -- records

    async def mark_active(self) -> None:
        await database_sync_to_async(services.call_log_activate)(call_id=self.call_id)

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
        if outcome.end_reason == "server_shutdown":
            # This process stops, the call does not: another sideband takes it on.
            self.detached = True
            await database_sync_to_async(sip_call_detach)(
                call_id=self.call_id,
                usage=usage_sum(self._state.usage, outcome.usage),
                cost_usd=self._state.cost_usd + outcome.cost_usd,
                user_info=outcome.user_info,
            )
            return
        if outcome.end_reason == "caller_hung_up" and self.expected_end is not None:
            # The sideband closed because of what we did (a REFER taken, a hang-up).
            outcome.end_reason, outcome.status = self.expected_end
            if outcome.end_reason == "transferred":
                await database_sync_to_async(sip_call_referred)(call_id=self.call_id)
        if self._reattached and outcome.end_reason == "upstream_unavailable":
            # The call ended while no process ran its sideband: what happened after that
            # is not known.
            outcome.end_reason, outcome.status = "server_lost", "failed"
            outcome.error_message = (
                "The process running this call's sideband stopped, and the call was over "
                f"before another could re-attach ({outcome.error_message})."
            )
        if self._reattached:
            # One call, several sidebands: counted from the call's start.
            outcome.usage = usage_sum(self._state.usage, outcome.usage)
            outcome.cost_usd += self._state.cost_usd
            outcome.duration_seconds = max(outcome.duration_seconds, self._elapsed_seconds())
        self._hang_up_at_close = outcome.end_reason not in LINE_GONE
        await database_sync_to_async(services.call_log_finish)(
            call_id=self.call_id, outcome=outcome
        )

    def _elapsed_seconds(self) -> int:
        return int((timezone.now() - self._state.started_at).total_seconds())

    async def greeting_get(self, key: str) -> tuple[bytes, str] | None:
        return None  # nothing can be played into a SIP call: the model greets

    async def greeting_put(self, key: str, audio: bytes, transcript: str) -> None:
        return None

    async def save_recording(self, recording: RecordedCall) -> None:
        return None  # never made: no audio reaches a sideband (record_calls is off)
