"""Best-effort publishing of a call's client-visible events to its monitor group.

Monitoring (dashboards) must never cost the caller anything: events go through a
bounded queue to a task of their own, each send has a timeout, and after a failure
(Redis unreachable) events are dropped for a growing pause instead of being retried
on every message. A full queue drops the newest events.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

logger = logging.getLogger(__name__)

QUEUE_SIZE = 256
SEND_TIMEOUT_SECONDS = 2.0
MAX_PAUSE_SECONDS = 30.0
DRAIN_TIMEOUT_SECONDS = 1.0


class MonitorPublisher:
    def __init__(self, *, layer: Any, group: str, call_id: str) -> None:
        self._layer = layer
        self._group = group
        self._call_id = call_id
        self._queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(QUEUE_SIZE)
        self._failures = 0
        self._paused_until = 0.0
        self.dropped = 0
        self._task = asyncio.ensure_future(self._run())

    def publish(self, message: dict[str, Any]) -> None:
        """Queues an event; never waits and never raises."""
        if self._task.done():
            return
        try:
            self._queue.put_nowait(message)
        except asyncio.QueueFull:
            self.dropped += 1

    async def close(self) -> None:
        """Sends what is queued (the final `ended` included), for a second at most."""
        if self._task.done():
            return
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(None)
        try:
            await asyncio.wait_for(asyncio.shield(self._task), DRAIN_TIMEOUT_SECONDS)
        except Exception:  # TimeoutError included
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self.dropped:
            logger.info("Call %s: %d monitor events dropped", self._call_id, self.dropped)

    async def _run(self) -> None:
        while True:
            message = await self._queue.get()
            if message is None:
                return
            if time.monotonic() < self._paused_until:
                self.dropped += 1
                continue
            try:
                await asyncio.wait_for(
                    self._layer.group_send(self._group, {"type": "call.event", "event": message}),
                    SEND_TIMEOUT_SECONDS,
                )
            except Exception as exc:
                self.dropped += 1
                self._failures += 1
                pause = min(MAX_PAUSE_SECONDS, 0.5 * 2**self._failures)
                self._paused_until = time.monotonic() + pause
                logger.warning(
                    "Call %s: publishing to monitors failed (%s); paused for %g s",
                    self._call_id,
                    type(exc).__name__,
                    pause,
                )
            else:
                self._failures = 0
