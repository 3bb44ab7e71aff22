"""The caller's phone keypad in a call: keys gathered into entries (``dtmf.KeypadBuffer``),
each entry told to the model once, as the caller's turn; keys pressed over the agent stop
it as speech does."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from calls.realtime.dtmf import KeypadBuffer, keypad_message, keypad_transcript

if TYPE_CHECKING:
    from calls.realtime.session import CallSession


class Keypad:
    def __init__(self, session: CallSession) -> None:
        self.session = session
        self.buffer = KeypadBuffer()
        self._pause_task: asyncio.Task[None] | None = None

    async def pressed(self, key: str) -> None:
        """A key. A run of keys is answered once complete (``#``, a pause, or its length:
        dtmf.py); the first key over the agent stops it at once, as speech does."""
        session = self.session
        session.activity()
        run = self.buffer.press(key, session.clock())
        if run is not None:
            await self._entered(run)
            return
        await self._over_agent(cancel=True)
        if self._pause_task is None or self._pause_task.done():
            self._pause_task = session.spawn(self._pause(), "keypad")

    async def _pause(self) -> None:
        """Ends the pending run of keys when the caller pauses."""
        session = self.session
        while (due := self.buffer.due_at()) is not None:
            await asyncio.sleep(max(0.0, due - session.clock()))
            run = self.buffer.take_due(session.clock())
            if run is not None:
                await self._entered(run)

    async def _entered(self, run: str) -> None:
        # Cut where the caller is; the cancel, and the one answer, as for typed text.
        await self._over_agent(cancel=False)
        await self.session.caller_typed(
            keypad_transcript(run), for_model=keypad_message(run), kind="keypad"
        )

    async def _over_agent(self, *, cancel: bool) -> None:
        """Keys pressed while the agent speaks: the transport's buffered audio is dropped
        and the agent cut where the caller heard it."""
        session = self.session
        speaking = session.sideband.playing if session.sideband is not None else False
        if not (
            session.responses.responding or speaking or session.playback.playing(session.clock())
        ):
            return
        heard = await session.hooks.stop_playback()
        if heard is not None:
            session.playback.transport_heard(heard.item_id, heard.ms, session.clock())
        await session.interrupt(played_ms=None, cancel=cancel)
