"""One SIP call's sideband: the call's ``CallSession`` in sideband mode on
``wss://…/v1/realtime?call_id=rtc_…``, from attach (or re-attach) to the call's end."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.utils import timezone

from calls.consumers.base import current_engine_settings
from calls.instance import server_instance_current
from calls.realtime.engines import engine_get
from calls.realtime.hooks import ResumedCall
from calls.realtime.session import CallSession
from calls.realtime.upstream import connect_realtime
from calls.selectors import agent_snapshot
from calls.services import MIN_CALL_SECONDS
from calls.sip.hooks import SidebandHooks
from calls.sip.selectors import sip_call_state
from calls.sip.services import sip_call_attach
from calls.sip.staff import serve_control_group

logger = logging.getLogger(__name__)

HANG_UP_ANSWER_SECONDS = 5.0


async def sideband_run(*, call_id: str, reattach: bool = False, claimed: bool = False) -> None:
    """Runs the sideband of our call ``call_id`` until the call ends. ``claimed``: this
    process already owns the call (adopted); else it takes it first, and a call another
    process took is left alone. ``reattach``: the call was running under a process that
    died: no greeting, the conversation goes on where the service has it."""
    state = await database_sync_to_async(sip_call_state)(call_id=call_id)
    if state is None or not state.live:
        return
    if not claimed:
        instance = await server_instance_current()
        if not await database_sync_to_async(sip_call_attach)(
            call_id=call_id, server_instance=instance
        ):
            logger.info("SIP call %s: its sideband runs elsewhere", call_id)
            return
    else:
        await server_instance_current()  # this process's heartbeat keeps it alive
    engine = engine_get("openai")
    engine_settings = current_engine_settings()
    snapshot = agent_snapshot(
        agent=state.agent, default_model=settings.OPENAI_REALTIME_MODEL, phone=True
    )
    # Nothing can be played into the call (no beep) and no audio reaches us (no recording).
    snapshot = dataclasses.replace(
        snapshot, connection_beep=False, record_calls=False, recording_notice=""
    )
    resume = None
    if reattach:
        elapsed = int((timezone.now() - state.started_at).total_seconds())
        # The call's limit counts from its start, not from this sideband's.
        snapshot = dataclasses.replace(
            snapshot,
            max_call_seconds=max(MIN_CALL_SECONDS, snapshot.max_call_seconds - elapsed),
        )
        resume = ResumedCall(
            last_seq=state.last_seq, elapsed_ms=elapsed * 1000, history=(), note=""
        )
        logger.info("SIP call %s: re-attaching its sideband", call_id)
    hooks = SidebandHooks(state=state, reattached=reattach)
    prices = engine.prices(snapshot, engine_settings)
    session = CallSession(
        call_id=call_id,
        agent=snapshot,
        hooks=hooks,
        connect_upstream=lambda: connect_realtime(
            url=engine_settings.openai_url,
            model=snapshot.model,
            api_key=engine_settings.openai_api_key,
            timeout=engine_settings.connect_timeout,
            call_id=call_id,
            sip_call_id=state.sip_call_id,
        ),
        engine=engine.name,
        prices=dict(prices) if prices is not None else None,
        connect_timeout=settings.REALTIME_CONNECT_TIMEOUT,
        stall_timeout=settings.REALTIME_STALL_TIMEOUT,
        resume=resume,
        sideband=True,
    )
    if reattach:
        session.user_info.update({k: v for k, v in state.user_info.items() if v})
    layer = get_channel_layer()
    hang_ups: set[asyncio.Task[None]] = set()
    control = (
        asyncio.ensure_future(serve_control_group(layer, session, hang_ups))
        if layer is not None
        else None
    )
    try:
        await session.run()
    finally:
        if control is not None:
            control.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await control
        if hang_ups:  # a staff hang-up still answering "ended"
            await asyncio.wait(hang_ups, timeout=HANG_UP_ANSWER_SECONDS)
