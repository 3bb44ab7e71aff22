"""Acting on a live call from any process: staff hanging up.

The consumer of a call, in whichever server process runs it, is in the call's control
group (``calls.groups.control_group``). A hang-up is a ``call.hang_up`` message to that
group carrying a reply channel. The consumer (``CallConsumer.call_hang_up``) answers
``call.hang_up_ack`` with state ``ending`` at once, ends the session with reason
``staff_ended`` (the end every other reason takes: transcript flushed, call log
finished, ``ended`` sent to the caller, socket closed), then answers again with state
``ended`` and the reason the call ended with.

A call whose row is live but that no process answers for within
``ACK_TIMEOUT_SECONDS`` is not live anywhere (its process died; the orphan closer fails
it as ``server_lost``): that is reported, nobody waits longer for it.

Async, because the reply is received from the channel layer: channels-redis lets one
event loop per process receive, so this runs in the server's loop (an async view).
"""

from __future__ import annotations

import asyncio
import logging
from enum import StrEnum
from typing import Any

from channels.layers import get_channel_layer

from calls.groups import control_group
from calls.models import CallLog, CallStatus, EndReason

logger = logging.getLogger(__name__)

ACK_TIMEOUT_SECONDS = 2.0
# Ending waits for a tool in flight (at most 5 s, calls.realtime.session) then records.
END_TIMEOUT_SECONDS = 10.0
LAYER_TIMEOUT_SECONDS = 2.0


class HangUp(StrEnum):
    ENDED = "ended"  # the call ended with reason staff_ended
    ENDING = "ending"  # its process is ending it, not finished yet
    NOT_LIVE = "not_live"  # it had already ended
    NO_PROCESS = "no_process"  # live in the database, but no process runs it
    UNAVAILABLE = "unavailable"  # the channel layer could not be reached


async def _is_live(call_id: str) -> bool:
    return await CallLog.objects.filter(
        pk=call_id, status__in=[CallStatus.CONNECTING, CallStatus.ACTIVE]
    ).aexists()


async def call_hang_up(
    *, call_id: str, ack_timeout: float | None = None, end_timeout: float | None = None
) -> HangUp:
    """Ends a live call with reason ``staff_ended``, from any process; returns what
    happened within a bounded time (by default ``ACK_TIMEOUT_SECONDS`` for a process
    to answer, ``END_TIMEOUT_SECONDS`` for it to finish). The caller checks who may
    hang up the call."""
    ack_timeout = ACK_TIMEOUT_SECONDS if ack_timeout is None else ack_timeout
    end_timeout = END_TIMEOUT_SECONDS if end_timeout is None else end_timeout
    if not await _is_live(call_id):
        return HangUp.NOT_LIVE
    layer = get_channel_layer()
    if layer is None:
        return HangUp.UNAVAILABLE
    try:
        reply = await asyncio.wait_for(layer.new_channel(), LAYER_TIMEOUT_SECONDS)
        await asyncio.wait_for(
            layer.group_send(
                control_group(call_id), {"type": "call.hang_up", "reply_channel": reply}
            ),
            LAYER_TIMEOUT_SECONDS,
        )
    except Exception as exc:
        logger.warning("Call %s: the hang-up could not be sent (%s)", call_id, exc)
        return HangUp.UNAVAILABLE

    first = await _ack(layer, reply, ack_timeout)
    if first is None:
        if await _is_live(call_id):
            logger.warning("Call %s: no process answered the hang-up", call_id)
            return HangUp.NO_PROCESS
        return HangUp.NOT_LIVE  # it ended meanwhile
    if first.get("state") != "ending":
        return HangUp.NOT_LIVE
    logger.info("Call %s: staff hung up", call_id)
    done = await _ack(layer, reply, end_timeout)
    if done is None:
        return HangUp.ENDING
    return HangUp.ENDED if done.get("reason") == EndReason.STAFF_ENDED else HangUp.NOT_LIVE


async def _ack(layer: Any, reply: str, timeout: float) -> dict[str, Any] | None:
    """The consumer's next answer on ``reply``, or None after ``timeout``."""
    try:
        message = await asyncio.wait_for(layer.receive(reply), timeout)
    except TimeoutError:
        return None
    except Exception as exc:
        logger.warning("Waiting for a hang-up's answer failed (%s)", exc)
        return None
    return message if isinstance(message, dict) else None
