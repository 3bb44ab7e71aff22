"""Time limits of a call: wrap-up before the maximum duration, and the idle prompt."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from calls.realtime.session import CallSession

logger = logging.getLogger(__name__)

TIMER_INTERVAL_SECONDS = 0.25
WRAP_UP_SECONDS = 60


class Limits:
    async def _timer_loop(self: CallSession) -> None:
        ready_at = self._ready_at or self._created_at
        max_seconds = self.agent.max_call_seconds
        wrap_up_at = max(max_seconds - WRAP_UP_SECONDS, max_seconds * 0.8)
        while not self.ended:
            await asyncio.sleep(TIMER_INTERVAL_SECONDS)
            now = self._clock()
            elapsed = now - ready_at
            silence = self._upstream_silence(now)
            if silence is not None and silence >= self.stall_timeout:
                await self._end_stalled(silence)
                return
            if elapsed >= max_seconds:
                self._spawn(self.end("max_duration"), "end")
                return
            if elapsed >= wrap_up_at and not self._wrap_up_sent:
                self._wrap_up_sent = True
                await self._say_system(
                    "The call reaches its time limit in about a minute. Wrap up politely: "
                    "summarise what was agreed and say goodbye."
                )
            if self._is_idle(now):
                if self._idle_prompted:
                    self._spawn(self.end("idle_timeout"), "end")
                    return
                self._idle_prompted = True
                self._last_activity = now
                await self.request_response(
                    instructions="The caller has been silent for a while. Ask briefly "
                    "whether they are still there."
                )

    def _is_idle(self: CallSession, now: float) -> bool:
        if self.active_response_id is not None:
            return False
        if self.current_audio is not None and self.current_audio.still_playing(now):
            return False
        return now - self._last_activity >= self.agent.idle_seconds

    def _upstream_silence(self: CallSession, now: float) -> float | None:
        """How long the service has sent nothing while a reply is running or was asked
        for (None when none is): past ``stall_timeout`` it holds the socket open but has
        stopped working. Counted from the later of the last event and the request: the
        service sends nothing while the caller is quiet, so a reply asked for after a long
        silence is not late."""
        if not self.responding:
            return None
        return now - max(self.last_upstream_event_at, self.response_started_at)

    async def _end_stalled(self: CallSession, silent: float) -> None:
        logger.warning("Call %s: no upstream event for %.1f s mid-reply", self.call_id, silent)
        await self._send_error(
            "upstream_error", "The voice service stopped responding; the call ends."
        )
        self._spawn(
            self.end(
                "upstream_stalled",
                status="failed",
                error=f"The realtime service sent nothing for {silent:.0f} s during a reply.",
            ),
            "end",
        )

    def _activity(self: CallSession) -> None:
        self._last_activity = self._clock()
        self._idle_prompted = False

    async def _say_system(self: CallSession, text: str) -> None:
        await self.add_message("system", text)
        if not self.responding:
            await self.request_response()
