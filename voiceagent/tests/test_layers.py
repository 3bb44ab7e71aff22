"""Cancelling a channel-layer receive always ends it (voiceagent/layers.py).

With channels-redis alone, a cancellation among several receivers of one process is
sometimes lost and the receive never ends. Runs in the PostgreSQL + Redis pass.
"""

from __future__ import annotations

import asyncio
import os
import random
from typing import Any

import pytest

from conftest import redis_url
from voiceagent.layers import RedisChannelLayer

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"), reason="runs in the PostgreSQL + Redis pass (REDIS_URL)"
    ),
]


async def test_every_cancelled_receive_ends_while_others_receive() -> None:
    layer = RedisChannelLayer(
        hosts=[{"address": redis_url(), "socket_timeout": 15}], capacity=100_000, expiry=60
    )
    rng = random.Random(13)
    channels = [await layer.new_channel() for _ in range(4)]
    received: list[Any] = []

    async def reader(channel: str) -> None:
        while True:
            received.append(await layer.receive(channel))

    async def sender() -> None:
        while True:
            await layer.send(rng.choice(channels), {"type": "test.message"})
            await asyncio.sleep(rng.random() * 0.02)

    readers = {channel: asyncio.ensure_future(reader(channel)) for channel in channels}
    sending = asyncio.ensure_future(sender())
    try:
        for _ in range(150):  # channels-redis alone lost one in about 50
            await asyncio.sleep(rng.random() * 0.05)
            channel = rng.choice(channels)
            readers[channel].cancel()
            done, _ = await asyncio.wait({readers[channel]}, timeout=3)
            assert done, "a cancelled receive did not end"
            readers[channel] = asyncio.ensure_future(reader(channel))
        assert len(received) > 100  # messages kept flowing to the others
    finally:
        sending.cancel()
        for task in [sending, *readers.values()]:
            task.cancel()
        await asyncio.wait([sending, *readers.values()], timeout=5)
        await layer.flush()
