"""An answering machine picked up a call the agent placed.

The provider's answering-machine detection tells the call (``outbound.webhooks``), and
the agent's policy says what to do:

- hang up: the line is hung up at once (the provider's REST API);
- leave a message: the agent stops talking, stops answering the machine (turn
  detection keeps listening, but creates and interrupts no response), waits for the
  machine's greeting to end where the provider reports the machine before its beep
  (Plivo; Twilio's ``DetectMessageEnd`` reports it after), says the message word for
  word, and hangs up once it has played.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from calls.realtime.config import turn_detection
from calls.realtime.handoff import end_after_playback

if TYPE_CHECKING:
    from calls.realtime.session import CallSession

logger = logging.getLogger(__name__)

PURPOSE = "voicemail"
# The longest a machine's greeting is waited for before the message is said anyway.
GREETING_MAX_WAIT_SECONDS = 20.0
# Quiet after the machine's last speech before the message starts (its beep is short).
AFTER_GREETING_SECONDS = 0.6
MESSAGE_MAX_WAIT_SECONDS = 60.0


class Voicemail:
    """Whether the call reached a machine, and when the machine has stopped talking."""

    def __init__(self) -> None:
        self.active = False
        self.response_id: str | None = None  # the message's response, once created
        self._quiet = asyncio.Event()
        self._quiet.set()

    def response_created(self, response: dict[str, Any]) -> None:
        if self.active and (response.get("metadata") or {}).get("purpose") == PURPOSE:
            self.response_id = response.get("id")

    def speech_started(self) -> None:
        self._quiet.clear()

    def speech_stopped(self) -> None:
        self._quiet.set()

    async def greeting_over(self, max_wait: float) -> None:
        """Until the machine has been quiet for a moment (at most ``max_wait``)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max_wait
        while loop.time() < deadline:
            try:
                await asyncio.wait_for(self._quiet.wait(), deadline - loop.time())
            except TimeoutError:
                return
            await asyncio.sleep(AFTER_GREETING_SECONDS)
            if self._quiet.is_set():
                return


async def machine_reached(
    session: CallSession, *, action: str, message: str, after_beep: bool
) -> None:
    """What the agent does on reaching a machine (see the module's docstring)."""
    voicemail = session.voicemail
    if voicemail.active or session.ended:
        return
    voicemail.active = True
    logger.info("Call %s: an answering machine answered (%s)", session.call_id, action)
    if action != "leave_message" or not message:
        await session.hooks.stop_playback()
        error = await session.hooks.hang_up()
        await session.end("agent_ended", error=error)
        return
    listening = {**turn_detection(session.agent), "create_response": False}
    listening["interrupt_response"] = False
    await session.send_upstream(
        {
            "type": "session.update",
            "session": {"type": "realtime", "audio": {"input": {"turn_detection": listening}}},
        }
    )
    session.server_interrupts = False
    await session.hooks.stop_playback()
    await session.interrupt(played_ms=None, cancel=True)
    if not after_beep:
        await voicemail.greeting_over(GREETING_MAX_WAIT_SECONDS)
    if session.ended:
        return
    await session.add_message(
        "system", "This call reached an answering machine, which is recording now."
    )
    await session.request_response(
        instructions=(
            f'Leave this voicemail message, word for word, and nothing else: "{message}"'
        ),
        metadata={"purpose": PURPOSE},
    )


def message_done(session: CallSession, response: dict[str, Any]) -> bool:
    """After the message's response: the line is hung up once it has played. True when
    ``response`` was the message."""
    voicemail = session.voicemail
    if not voicemail.active or not response.get("id") or response["id"] != voicemail.response_id:
        return False
    session.spawn(end_after_playback(session, MESSAGE_MAX_WAIT_SECONDS), "voicemail")
    return True
