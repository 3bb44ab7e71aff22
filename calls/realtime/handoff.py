"""How an agent lets go of a call it ends or hands to a person: the last sentence plays to
the end (the transport's word where it has one: a phone provider's marks), then the line
is hung up or transferred through the transport (``CallHooks.hang_up``/``transfer``)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from calls.realtime.hooks import TransferOrder

if TYPE_CHECKING:
    from calls.realtime.session import CallSession

logger = logging.getLogger(__name__)


async def played_out(session: CallSession, max_wait: float) -> None:
    """Until the caller has heard what was sent: the transport's word where it has one,
    else the session's estimate; on a SIP call's sideband, the service's word."""
    if session.sideband is not None:
        await session.sideband.heard_all(max_wait)
        return
    if await session.hooks.playback_finished(max_wait) is None:
        wait_ms = session.playback.remaining_ms(session.clock())
        await asyncio.sleep(min(wait_ms / 1000, max_wait))


async def end_after_playback(session: CallSession, max_wait: float) -> None:
    """The goodbye plays to the end, then the line is hung up (a phone provider's REST
    API; a failure is recorded, the call ends anyway)."""
    await played_out(session, max_wait)
    if session.ended:
        return
    error = await session.hooks.hang_up()
    await session.end("agent_ended", error=error)


async def transfer_after_playback(
    session: CallSession, reason: str, summary: str, max_wait: float
) -> None:
    """The hand-off sentence plays to the end, then the provider puts the caller through;
    when it refuses, the model is told so and tells the caller."""
    await played_out(session, max_wait)
    if session.ended:
        return
    order = TransferOrder(
        target=session.agent.transfer_number,
        mode=session.agent.transfer_mode,
        reason=reason,
        summary=summary,
    )
    error = await session.hooks.transfer(order)
    if not error:
        await session.end("transferred", status="transferred")
        return
    logger.warning("Call %s: transfer failed (%s)", session.call_id, error)
    await session.add_message(
        "system",
        f"The transfer to a person failed ({error}). Apologise, tell the caller you could "
        "not put them through, and offer to take a message instead.",
    )
    await session.request_response()
