"""Staff hanging up a SIP call from the dashboard (``calls.live_services.call_hang_up``):
its sideband joins the call's control group, as a media call's consumer does, and answers
``call.hang_up`` the same way (``ending`` at once, ``ended`` with the reason once the
session has ended it, OpenAI hanging up the line)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from calls.groups import control_group
from calls.models import EndReason
from calls.realtime.session import CallSession

logger = logging.getLogger(__name__)

LAYER_TIMEOUT_SECONDS = 2.0


async def serve_control_group(
    layer: Any, session: CallSession, hang_ups: set[asyncio.Task[None]]
) -> None:
    """Until cancelled: the call's control messages. A layer outage costs only this.

    A hang-up runs in a task of its own (kept in ``hang_ups``, which the sideband awaits
    as it finishes): ending the session ends this reader, not the answer."""
    call_id = session.call_id
    group = control_group(call_id)
    try:
        channel = await asyncio.wait_for(layer.new_channel(), LAYER_TIMEOUT_SECONDS)
        await asyncio.wait_for(layer.group_add(group, channel), LAYER_TIMEOUT_SECONDS)
    except Exception as exc:
        logger.warning("SIP call %s: no control group (%s)", call_id, exc)
        return
    try:
        while not session.ended:
            message = await layer.receive(channel)
            if message.get("type") == "call.hang_up":
                task = asyncio.ensure_future(_hang_up(layer, session, message.get("reply_channel")))
                hang_ups.add(task)
                task.add_done_callback(hang_ups.discard)
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(layer.group_discard(group, channel), LAYER_TIMEOUT_SECONDS)


async def _hang_up(layer: Any, session: CallSession, reply: Any) -> None:
    if session.ended:
        await _reply(layer, reply, session.call_id, state="not_live")
        return
    await _reply(layer, reply, session.call_id, state="ending")
    logger.info("SIP call %s: staff hung up", session.call_id)
    await session.end(EndReason.STAFF_ENDED.value)
    await _reply(layer, reply, session.call_id, state="ended", reason=session.end_reason)


async def _reply(layer: Any, reply: Any, call_id: str, **body: str) -> None:
    if not isinstance(reply, str) or not reply:
        return
    message = {"type": "call.hang_up_ack", "call_id": call_id, **body}
    try:
        await asyncio.wait_for(layer.send(reply, message), LAYER_TIMEOUT_SECONDS)
    except Exception as exc:
        logger.warning("SIP call %s: answering a hang-up failed (%s)", call_id, exc)
