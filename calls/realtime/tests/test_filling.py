"""ToolFillers on a fake clock: a filler asked for only when a tool is slow, never over
the caller, after the agent's own audio, once a turn."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from calls.realtime.fillers import PHRASES, FillerPlan, quoted_phrase
from calls.realtime.filling import RECHECK_SECONDS, ToolFillers

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once


class FakeTime:
    """A clock that moves only when the test says; sleepers wake when it passes them."""

    def __init__(self) -> None:
        self.now = 100.0
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.now + seconds, future))
        await future

    async def advance(self, seconds: float) -> None:
        """Moves the clock in small steps, letting every woken task run at each."""
        end = self.now + seconds
        while True:
            await _settle()
            due = [at for at, future in self._sleepers if not future.done()]
            step = min([at for at in due if at <= end], default=end)
            self.now = max(self.now, step)
            for at, future in self._sleepers:
                if at <= self.now and not future.done():
                    future.set_result(None)
            self._sleepers = [(at, f) for at, f in self._sleepers if not f.done()]
            await _settle()
            if self.now >= end:
                return


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


class Harness:
    def __init__(self, *, threshold: float = 0.7, enabled: bool = True) -> None:
        self.time = FakeTime()
        self.agent_busy = False
        self.requests: list[dict[str, Any]] = []
        self.tasks: list[asyncio.Task[Any]] = []
        self.while_sending: Callable[[], None] = lambda: None
        self.fillers = ToolFillers(
            plan=FillerPlan(language="en", threshold=threshold, rng=random.Random(3)),
            category=lambda name: {"check_availability": "calendar"}.get(name, ""),
            clock=self.time.clock,
            agent_speaking=lambda: self.agent_busy,
            request_response=self.request_response,
            spawn=self.spawn,
            sleep=self.time.sleep,
            enabled=enabled,
        )

    async def request_response(self, **request: Any) -> None:
        self.while_sending()
        await asyncio.sleep(0)  # sending takes a moment: other tasks run meanwhile
        self.requests.append(request)

    def spawn(self, coroutine: Awaitable[Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coroutine)
        self.tasks.append(task)
        return task

    def phrases(self) -> list[str]:
        return [quoted_phrase(request["instructions"]) for request in self.requests]

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def test_a_slow_tool_gets_one_filler_once_past_the_threshold() -> None:
    harness = Harness()
    harness.fillers.caller_done()
    harness.fillers.tool_started("call_1", "check_availability")
    await harness.time.advance(0.69)
    assert harness.requests == []
    await harness.time.advance(0.01)
    assert len(harness.requests) == 1
    request = harness.requests[0]
    assert request["metadata"] == {"purpose": "filler"} and request["filler"] is True
    assert request["instructions"].startswith("Say exactly this, word for word")
    assert harness.phrases()[0] in PHRASES["en"]["calendar"]
    await harness.time.advance(5)  # the tool still runs: no second one
    assert len(harness.requests) == 1
    await harness.close()


async def test_no_filler_when_the_tool_answers_first() -> None:
    harness = Harness()
    harness.fillers.tool_started("call_1", "check_availability")
    await harness.time.advance(0.5)
    harness.fillers.tool_answered("call_1")
    await harness.time.advance(3)
    assert harness.requests == []
    assert all(task.done() for task in harness.tasks)  # the timer was stopped
    await harness.close()


async def test_the_filler_waits_for_the_agents_own_speech_to_end() -> None:
    harness = Harness()
    harness.agent_busy = True  # e.g. "Sure, let me see" still playing
    harness.fillers.tool_started("call_1", "lookup")
    await harness.time.advance(1.5)
    assert harness.requests == []
    harness.agent_busy = False
    await harness.time.advance(RECHECK_SECONDS)
    assert harness.phrases() and harness.phrases()[0] in PHRASES["en"]["default"]
    await harness.close()


async def test_never_over_the_caller_who_took_the_floor() -> None:
    harness = Harness()
    harness.fillers.tool_started("call_1", "check_availability")
    await harness.time.advance(0.3)
    harness.fillers.caller_started()
    await harness.time.advance(3)
    assert harness.requests == []
    # Their turn over, a tool of the next turn may have its filler.
    harness.fillers.caller_done()
    harness.fillers.tool_started("call_2", "check_availability")
    await harness.time.advance(0.7)
    assert len(harness.requests) == 1
    await harness.close()


async def test_one_per_turn_with_parallel_and_chained_tools() -> None:
    harness = Harness()
    harness.fillers.tool_started("call_1", "check_availability")
    harness.fillers.tool_started("call_2", "lookup")
    await harness.time.advance(1)
    assert len(harness.requests) == 1
    harness.fillers.tool_answered("call_1")
    harness.fillers.tool_answered("call_2")
    harness.fillers.tool_started("call_3", "check_availability")  # the model chains a call
    await harness.time.advance(2)
    assert len(harness.requests) == 1
    harness.fillers.caller_done()
    harness.fillers.tool_started("call_4", "check_availability")
    await harness.time.advance(1)
    assert len(harness.requests) == 2
    assert harness.phrases()[0] != harness.phrases()[1]  # not the same phrase twice running
    await harness.close()


async def test_an_answer_while_the_filler_is_being_asked_for_does_not_cut_it() -> None:
    harness = Harness()
    # The result lands while the filler's response.create is being sent.
    harness.while_sending = lambda: harness.fillers.tool_answered("call_1")
    harness.fillers.tool_started("call_1", "check_availability")
    await harness.time.advance(0.7)
    assert len(harness.requests) == 1
    await harness.close()


async def test_a_threshold_of_zero_turns_fillers_off() -> None:
    harness = Harness(enabled=False)
    harness.fillers.tool_started("call_1", "check_availability")
    await harness.time.advance(5)
    assert harness.requests == [] and harness.tasks == []
    await harness.close()
