"""How much of the agent's audio the caller has heard, from a provider's playback marks.

Phone providers buffer the agent's audio and play it at their own pace; the only
reliable report of what was played is a named mark, sent after a chunk of audio and
echoed back by the provider once the audio before it has played. Pure logic, no I/O.
"""

from __future__ import annotations

from collections import OrderedDict

from calls.realtime.hooks import HeardPosition


class PlaybackMarks:
    """Marks sent and not yet echoed, and the position the last echo proved played.

    A mark's name is ``<item id>:<n>`` (unique within the call); it stands for "the
    item has played up to ``end_ms``", where ``end_ms`` is how much of the item had been
    sent when the mark was.
    """

    def __init__(self) -> None:
        self._pending: OrderedDict[str, HeardPosition] = OrderedDict()
        self._seq = 0
        self._played: HeardPosition | None = None

    @property
    def pending(self) -> int:
        return len(self._pending)

    def sent(self, item_id: str, end_ms: int) -> str:
        """A mark follows audio of ``item_id`` up to ``end_ms``: its name."""
        self._seq += 1
        name = f"{item_id}:{self._seq}"
        self._pending[name] = HeardPosition(item_id=item_id, ms=end_ms)
        return name

    def echoed(self, name: str) -> HeardPosition | None:
        """A mark came back: the position it proves played, or None for a mark that is
        not pending (unknown, or echoed after ``cleared``: cleared, not played).

        Providers echo marks in the order they were sent; an echo also settles the
        marks before it.
        """
        if name not in self._pending:
            return None
        while self._pending:
            pending_name, position = self._pending.popitem(last=False)
            if pending_name == name:
                self._played = position
                return position
        return None  # unreachable: ``name`` was pending

    def cleared(self) -> HeardPosition | None:
        """The caller spoke over the agent and the provider's buffer is to be dropped.

        None when no mark is pending (everything sent has played: nothing to clear).
        Else the pending marks are forgotten and the position is for the item still
        playing (the oldest pending mark's): what the last echo proved played of it, or
        0 when no echo has come for that item yet, however much time has passed (the
        provider's playback may lag).
        """
        if not self._pending:
            return None
        playing = next(iter(self._pending.values())).item_id
        self._pending.clear()
        if self._played is not None and self._played.item_id == playing:
            return self._played
        return HeardPosition(item_id=playing, ms=0)
