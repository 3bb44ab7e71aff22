"""Acts on the call's timers: ends a stalled or overlong call, asks the model to wrap up
or to check on a silent caller. The decisions are ``CallTimers``' (timers.py)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from calls.realtime.timers import CallTimers, TimerAction

if TYPE_CHECKING:
    from calls.realtime.session import CallSession

logger = logging.getLogger(__name__)

TIMER_INTERVAL_SECONDS = 0.25
WRAP_UP_MESSAGE = (
    "The call reaches its time limit in about a minute. Wrap up politely: "
    "summarise what was agreed and say goodbye."
)
IDLE_PROMPT = "The caller has been silent for a while. Ask briefly whether they are still there."


async def watch_timers(session: CallSession, timers: CallTimers) -> None:
    while not session.ended:
        await asyncio.sleep(TIMER_INTERVAL_SECONDS)
        now = session.clock()
        # A reply asked for and not started yet counts too: an idle prompt whose reply is
        # slow to begin must not be followed by the hang-up before it is heard.
        busy = session.responses.responding or session.playback.playing(now)
        silence = session.responses.silence(now, session.last_upstream_event_at)
        action = timers.check(now, busy=busy, upstream_silence=silence)
        if action is TimerAction.STALLED:
            await _end_stalled(session, silence or 0.0)
            return
        if action is TimerAction.MAX_DURATION:
            session.spawn(session.end("max_duration"), "end")
            return
        if action is TimerAction.IDLE_END:
            session.spawn(session.end("idle_timeout"), "end")
            return
        if action is TimerAction.WRAP_UP:
            await session.add_message("system", WRAP_UP_MESSAGE)
            if not session.responses.responding:
                await session.request_response()
        elif action is TimerAction.IDLE_PROMPT:
            await session.request_response(instructions=IDLE_PROMPT)


async def _end_stalled(session: CallSession, silent: float) -> None:
    logger.warning("Call %s: no upstream event for %.1f s mid-reply", session.call_id, silent)
    await session.send_error(
        "upstream_error", "The voice service stopped responding; the call ends."
    )
    session.spawn(
        session.end(
            "upstream_stalled",
            status="failed",
            error=f"The realtime service sent nothing for {silent:.0f} s during a reply.",
        ),
        "end",
    )
