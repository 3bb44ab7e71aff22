"""The Redis channel layer: channels-redis, with cancellations of ``receive`` that take.

channels-redis (4.3) multiplexes every ``receive`` of a process over one Redis list,
with a lock that one receiver holds while the others wait for it or for their message.
With several receivers in a process (several calls, a dashboard watching them, a
hang-up waiting for its answer), cancelling one of them is sometimes lost: the task
stays "cancelling" while it waits for a message nobody will send. Whoever cancelled
it and waits for it to end then waits forever: Channels' ``await_many_dispatch`` and
our call consumers do that when a connection closes, so the connection's coroutine
never ends, and a server's graceful shutdown never completes.
``voiceagent/tests/test_layers.py`` reproduces it (several receivers, cancelled one by
one while messages flow) and checks the fix: each ``receive`` runs in a task of its
own, and a cancellation is repeated until that task has ended. A second cancellation
has always been enough.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from channels_redis.core import RedisChannelLayer as ChannelsRedisLayer

logger = logging.getLogger(__name__)

RECANCEL_SECONDS = 0.2


class RedisChannelLayer(ChannelsRedisLayer):
    async def receive(self, channel: str) -> dict[str, Any]:
        receiving = asyncio.ensure_future(super().receive(channel))
        try:
            return await asyncio.shield(receiving)
        except asyncio.CancelledError:
            await cancel_until_done(receiving)
            raise


async def cancel_until_done(task: asyncio.Future[Any]) -> None:
    """Cancels ``task`` until it has ended (a lost cancellation is repeated)."""
    attempts = 0
    while not task.done():
        task.cancel()
        attempts += 1
        await asyncio.wait({task}, timeout=RECANCEL_SECONDS)
    if attempts > 1:
        logger.info("A channel-layer receive needed %d cancellations", attempts)
    if not task.cancelled():
        # It ended otherwise meanwhile (a message, as channels-redis drops it too on
        # cancellation, or an error): retrieved, so that nothing logs it as unseen.
        with contextlib.suppress(Exception):
            task.exception()
