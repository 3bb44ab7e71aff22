"""Monitor events are best effort: a failing or hanging channel layer costs the call nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from calls.consumers import monitor
from calls.consumers.monitor import MonitorPublisher


class FlakyLayer:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.mode = "ok"  # ok, fail, hang

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        if self.mode == "fail":
            raise ConnectionError("redis is down")
        if self.mode == "hang":
            await asyncio.sleep(3600)
        self.sent.append(message["event"])


async def test_events_arrive_in_order_and_close_drains_them() -> None:
    layer = FlakyLayer()
    publisher = MonitorPublisher(layer=layer, group="call.x", call_id="x")
    for index in range(5):
        publisher.publish({"type": "transcript", "n": index})
    publisher.publish({"type": "ended"})
    await publisher.close()
    assert [event.get("n", "end") for event in layer.sent] == [0, 1, 2, 3, 4, "end"]


async def test_a_failing_layer_pauses_publishing_and_never_raises(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    layer = FlakyLayer()
    layer.mode = "fail"
    publisher = MonitorPublisher(layer=layer, group="call.x", call_id="x")
    for index in range(100):
        publisher.publish({"type": "transcript", "n": index})  # returns at once
    await asyncio.sleep(0.05)
    assert publisher.dropped == 100 and layer.sent == []
    # Back up: events flow again once the pause (0.5 s after one failure) is over.
    layer.mode = "ok"
    await asyncio.sleep(1.1)
    publisher.publish({"type": "transcript", "n": "after"})
    await publisher.close()
    assert layer.sent == [{"type": "transcript", "n": "after"}]


async def test_a_hanging_layer_times_out_and_a_full_queue_drops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(monitor, "SEND_TIMEOUT_SECONDS", 0.1)
    layer = FlakyLayer()
    layer.mode = "hang"
    publisher = MonitorPublisher(layer=layer, group="call.x", call_id="x")
    for index in range(monitor.QUEUE_SIZE + 50):
        publisher.publish({"type": "transcript", "n": index})
    assert publisher.dropped >= 49  # the queue is bounded; publish never waits
    await asyncio.sleep(0.3)  # the hanging send timed out; the rest is dropped while paused
    await publisher.close()
    assert layer.sent == []
