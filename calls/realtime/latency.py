"""Turn latency: from the end of the caller's turn to the agent's first audio answering it.

Pure bookkeeping on the session's clock. The caller's turn ends when turn detection
says their speech stopped (``input_audio_buffer.speech_stopped``, which the offline
engine emits too) or when they send typed text; the answer's first audio is the first
chunk sent to the caller after that. A turn that is not answered with audio (the
caller speaks again first, a barge-in cuts the response before any audio, or the
response that answers it carries no audio and calls no tool) has no latency.
A response that only calls tools keeps the turn open: the caller is still waiting,
and the audio of the response that follows the tool outputs answers it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


class TurnLatency:
    def __init__(self) -> None:
        # When the caller's turn ended, while no audio has answered it yet.
        self._waiting_since: float | None = None
        # The first response created since then (the one expected to answer).
        self._answering: str | None = None
        self._by_item: dict[str, int] = {}
        self.values: list[int] = []

    @property
    def waiting(self) -> bool:
        return self._waiting_since is not None

    def caller_speaking(self) -> None:
        """Speech started: the caller's turn is not over (again)."""
        self._waiting_since = None
        self._answering = None

    def caller_done(self, now: float) -> None:
        """Speech stopped, or the caller sent text: a reply is now awaited."""
        self._waiting_since = now
        self._answering = None

    def response_created(self, response_id: str) -> None:
        if self._waiting_since is not None and self._answering is None:
            self._answering = response_id or None

    def response_done(self, response_id: str, *, calls_tools: bool) -> None:
        """The answering response ended; without audio or tool calls nothing answers the
        turn with sound, so it is not measured."""
        if response_id and response_id == self._answering:
            self._answering = None
            if not calls_tools:
                self._waiting_since = None

    def audio_sent(self, item_id: str, now: float) -> int | None:
        """A chunk of agent audio went to the caller: the latency (ms) when it is the first
        one after the caller's turn ended, else None. Runs per chunk: one test when idle."""
        if self._waiting_since is None:
            return None
        latency = max(0, round((now - self._waiting_since) * 1000))
        self._waiting_since = None
        self._answering = None
        self._by_item[item_id] = latency
        self.values.append(latency)
        return latency

    def of_item(self, item_id: str) -> int | None:
        """The latency of the turn whose first audio was this item's (None for others)."""
        return self._by_item.get(item_id)

    def summary(self) -> tuple[int | None, int | None]:
        """(p50, p95) over the call's measured turns; (None, None) without any."""
        if not self.values:
            return None, None
        ordered = sorted(self.values)
        return percentile(ordered, 50), percentile(ordered, 95)


def percentile(ordered: Sequence[int], p: float) -> int:
    """The ``p``-th percentile of sorted values, interpolated linearly between the two
    nearest ranks (numpy's default), rounded to the millisecond."""
    if not ordered:
        raise ValueError("no values")
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (rank - low))
