"""Filler phrases while a slow tool runs, the same way for every engine.

``FillerPlan`` (fillers.py) decides; this part owns the timer of each tool call in
flight and asks the engine to speak: a ``response.create`` with ``metadata.purpose =
"filler"``, the phrase word for word in its instructions and no tool calls
(``tool_choice: none``). The Realtime model says it; the cascade speaks the quoted
phrase without asking its LLM; the offline engine says quoted text as it is. The phrase
is an assistant turn like any other (transcript, history, barge-in).

- each tool call gets a timer for ``plan.due_at(start)``; its result cancels it
  (``tool_answered``, called by the ``ToolRunner`` before the output is sent);
- while the agent is still speaking (a response runs, or its audio is still playing)
  the filler waits, asking again every ``RECHECK_SECONDS``;
- the caller speaking or typing while tools run drops their fillers: the caller has
  taken the floor, and what follows answers them;
- at most one per turn (``caller_done`` opens the next one).

The tool's output waits for nothing: ``ResponseTracker`` marks the filler's response as
answering nothing, so the outputs' ``response.create`` follows the filler's
``response.done`` (``wanted``) instead of colliding with it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from calls.realtime.fillers import FILLER_PURPOSE, FillerPlan, filler_instructions

logger = logging.getLogger(__name__)

RECHECK_SECONDS = 0.1  # while the agent still speaks, how often to ask again


class RequestResponse(Protocol):
    async def __call__(
        self,
        *,
        instructions: str | None = None,
        metadata: dict[str, str] | None = None,
        filler: bool = False,
    ) -> None: ...


@dataclass
class _Waiting:
    """A tool call in flight that may get a filler."""

    name: str
    started_at: float
    task: asyncio.Task[Any] | None = None
    saying: bool = False  # its filler is being asked for: not to be cancelled half-sent


class ToolFillers:
    def __init__(
        self,
        *,
        plan: FillerPlan,
        category: Callable[[str], str],
        clock: Callable[[], float],
        agent_speaking: Callable[[], bool],
        request_response: RequestResponse,
        spawn: Callable[[Awaitable[Any], str], asyncio.Task[Any]],
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        enabled: bool = True,
    ) -> None:
        self.plan = plan
        self._category = category
        self._clock = clock
        self._agent_speaking = agent_speaking
        self._request_response = request_response
        self._spawn = spawn
        self._sleep = sleep
        self._enabled = enabled
        self._waiting: dict[str, _Waiting] = {}
        self._caller_speaking = False

    # -- what happened

    def caller_started(self) -> None:
        """The caller speaks (or typed): no filler for the tools in flight."""
        self._caller_speaking = True
        for call_id in list(self._waiting):
            self._stop(call_id)

    def caller_done(self) -> None:
        """The caller's turn ended: a new turn, which may have its one filler."""
        self._caller_speaking = False
        self.plan.turn_started()

    def tool_started(self, call_id: str, name: str) -> None:
        if not self._enabled or not call_id or call_id in self._waiting:
            return
        waiting = _Waiting(name=name, started_at=self._clock())
        self._waiting[call_id] = waiting
        waiting.task = self._spawn(self._watch(call_id, waiting), "filler")

    def tool_answered(self, call_id: str) -> None:
        """The tool's result is in: its timer stops (a filler already asked for is said)."""
        self._stop(call_id)

    def _stop(self, call_id: str) -> None:
        waiting = self._waiting.pop(call_id, None)
        if waiting is not None and waiting.task is not None and not waiting.saying:
            waiting.task.cancel()

    # -- the timer

    async def _watch(self, call_id: str, waiting: _Waiting) -> None:
        await self._sleep(max(0.0, self.plan.due_at(waiting.started_at) - self._clock()))
        while self._waiting.get(call_id) is waiting and not self.plan.spent:
            now = self._clock()
            phrase = self.plan.decide(
                now=now,
                tool_started_at=waiting.started_at,
                category=self._category(waiting.name),
                caller_speaking=self._caller_speaking,
                agent_speaking=self._agent_speaking(),
            )
            if phrase is not None:
                waiting.saying = True
                logger.debug("Filler for %s after %.2f s", waiting.name, now - waiting.started_at)
                await self._request_response(
                    instructions=filler_instructions(phrase),
                    metadata={"purpose": FILLER_PURPOSE},
                    filler=True,
                )
                return
            await self._sleep(RECHECK_SECONDS)
