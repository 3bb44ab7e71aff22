"""What the caller hears first: the connection beep and the cached greeting (played
here, not upstream items; on the phone while the engine connects), else the greeting
asked of the model; and, for a caller back from a transfer nobody answered, the
conversation so far handed to the new upstream session."""

from __future__ import annotations

import asyncio
import base64
from typing import TYPE_CHECKING

from calls.realtime.audio import connection_beep
from calls.realtime.greeting import GREETING_METADATA
from calls.realtime.hooks import ResumedCall

if TYPE_CHECKING:
    from calls.realtime.session import CallSession


async def greet(
    session: CallSession, opening: asyncio.Task[tuple[bytes, str] | None] | None
) -> None:
    """The greeting, once the upstream is ready: the cached one (``opening``: already
    playing since the call began) told to the model, else asked of the model."""
    if opening is None:
        cached = await opening_audio(session)
    else:
        try:
            cached = await opening
        except asyncio.CancelledError:
            if opening.cancelled() and session.ended:
                return  # the call ended (the caller hung up) while it played
            raise
    if cached is None:
        await session.request_response(
            instructions=session.greeting.instructions(), metadata=dict(GREETING_METADATA)
        )
        return
    transcript = cached[1]
    item_id = session.greeting.item_id
    await session.send_transcript("assistant", transcript, item_id, final=True)
    await session.hooks.send_json({"type": "response_done", "item_id": item_id})
    # The model must know it already greeted, without speaking again.
    await session.add_message("assistant", transcript)


async def opening_audio(session: CallSession) -> tuple[bytes, str] | None:
    """What the caller hears first, played here (not upstream items): the connection
    beep, then the cached greeting, returned (None: the model must say one)."""
    if session.agent.connection_beep:
        beep = connection_beep(session.audio.sample_rate, session.audio.bytes_per_sample)
        await _play_local(session, f"beep_{session.call_id[:8]}", beep)
    cached = await session.greeting.cached()
    if cached is not None:
        # Its place comes first, even when the caller types while it is being sent.
        session.transcript.seq(session.greeting.item_id)
        await _play_local(session, session.greeting.item_id, cached[0])
        if cached[1]:
            # Stored once sent: a caller who hangs up before the engine is ready
            # has heard it.
            session.store_assistant(session.greeting.item_id, cached[1])
    return cached


async def _play_local(session: CallSession, item_id: str, audio: bytes) -> None:
    for chunk in session.greeting.chunks(audio, session.audio.bytes_per_ms):
        await session.play(
            item_id, item_id, base64.b64encode(chunk).decode(), len(chunk), local=True
        )


async def welcome_back(session: CallSession, resume: ResumedCall) -> None:
    """A caller back from a transfer nobody answered: the new upstream session gets
    the conversation so far, then what happened, and the agent speaks first. A SIP
    call's sideband attached again (calls/sip) joins a session that kept its
    conversation and its turn: nothing to add."""
    if session.sideband is not None:
        return
    for role, text in resume.history:
        await session.add_message(role, text)
    await session.add_message("system", resume.note)
    await session.request_response()
