"""A call's sideband (a SIP call answered by OpenAI): the session's control channel on a
call whose audio never reaches us. What the caller hears is known only from the
service's ``output_audio_buffer.started`` / ``stopped`` / ``cleared`` events (SIP and
WebRTC only), which this keeps."""

from __future__ import annotations

import asyncio
import time

# After a response, how long a goodbye may take to start playing before it is taken
# as silent (its `started` may arrive just after `response.done`).
START_GRACE_SECONDS = 1.0


class SidebandSpeech:
    def __init__(self) -> None:
        self.playing = False
        self._idle = asyncio.Event()
        self._idle.set()
        self._began = asyncio.Event()

    def started(self) -> None:
        self.playing = True
        self._idle.clear()
        self._began.set()

    def stopped(self) -> None:
        """The output buffer drained (``stopped``) or was dropped (``cleared``)."""
        self.playing = False
        self._idle.set()

    async def heard_all(self, max_wait: float, *, start_grace: float = START_GRACE_SECONDS) -> bool:
        """Until the caller has heard the agent's speech: True once the buffer has
        drained (or nothing started within ``start_grace``), False after ``max_wait``."""
        deadline = time.monotonic() + max_wait
        if not self.playing:
            self._began.clear()
            try:
                await asyncio.wait_for(self._began.wait(), min(start_grace, max_wait))
            except TimeoutError:
                return True  # nothing is playing
        try:
            await asyncio.wait_for(self._idle.wait(), max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            return False
        return True
