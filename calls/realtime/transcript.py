"""The call's transcript writer: turns queued as they become final, stored in batches.

A batch the database refuses is retried row by row, so one row it cannot store never
holds back the others; a row refused on its own in several flushes is stored in a
plain-ASCII form rather than lost. While the database is down everything stays queued,
and the final flush at the end of the call retries for a few seconds.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable

from calls.realtime.hooks import TurnRecord
from calls.realtime.text import ascii_fallback

logger = logging.getLogger(__name__)

# Flushes in which a row failed on its own before its ASCII form is stored instead.
REFUSALS_BEFORE_FALLBACK = 2
FINAL_FLUSH_ATTEMPTS = 5
FINAL_FLUSH_BACKOFF_SECONDS = 0.5


class TurnWriter:
    def __init__(
        self, *, call_id: str, save: Callable[[list[TurnRecord]], Awaitable[None]]
    ) -> None:
        self._call_id = call_id
        self._save = save
        # By seq: a turn queued again (final, then interrupted) replaces its older copy.
        self._pending: dict[int, TurnRecord] = {}
        self._refusals: dict[int, int] = {}
        self._failing = False

    def queue(self, turn: TurnRecord) -> None:
        self._pending.pop(turn.seq, None)
        self._pending[turn.seq] = turn

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def flush(self) -> None:
        """Stores what is queued; whatever could not be stored stays queued."""
        if not self._pending:
            return
        batch = list(self._pending.values())
        self._pending = {}
        try:
            await self._save(batch)
        except asyncio.CancelledError:
            # The call ended while this write was under way (its end cancels the flush
            # loop): whether or not the write ran, the final flush stores the batch
            # again (writes are upserts).
            self._requeue(batch)
            raise
        except Exception as exc:
            self._report_failure(exc, len(batch))
            failed = await self._save_each(batch) if len(batch) > 1 else batch
        else:
            if self._failing:
                logger.info("Call %s: transcript writes work again", self._call_id)
            self._failing = False
            return
        for turn in failed:
            if turn.seq in self._pending:
                continue  # a newer copy was queued during the write
            self._refusals[turn.seq] = self._refusals.get(turn.seq, 0) + 1
            if self._refusals[turn.seq] >= REFUSALS_BEFORE_FALLBACK and await self._save_fallback(
                turn
            ):
                continue
            self._pending[turn.seq] = turn

    def _requeue(self, turns: list[TurnRecord]) -> None:
        for turn in turns:
            self._pending.setdefault(turn.seq, turn)  # a newer copy, if queued, wins

    async def flush_final(self) -> None:
        """The last flush of the call: rides out a short database outage."""
        for attempt in range(FINAL_FLUSH_ATTEMPTS):
            await self.flush()
            if not self._pending:
                return
            await asyncio.sleep(FINAL_FLUSH_BACKOFF_SECONDS * (attempt + 1))
        logger.error(
            "Call %s: %d transcript turns could not be stored", self._call_id, len(self._pending)
        )

    async def _save_each(self, batch: list[TurnRecord]) -> list[TurnRecord]:
        failed = []
        for turn in batch:
            try:
                await self._save([turn])
            except Exception:
                failed.append(turn)
        return failed

    async def _save_fallback(self, turn: TurnRecord) -> bool:
        plain = dataclasses.replace(
            turn, text=ascii_fallback(turn.text), item_id=ascii_fallback(turn.item_id)
        )
        try:
            await self._save([plain])
        except Exception:
            return False
        logger.warning(
            "Call %s: turn %d was refused by the database; stored its ASCII form",
            self._call_id,
            turn.seq,
        )
        return True

    def _report_failure(self, exc: Exception, count: int) -> None:
        # The traceback once per outage, not once a second.
        logger.warning(
            "Call %s: storing %d transcript turns failed (%s); retrying",
            self._call_id,
            count,
            type(exc).__name__,
            exc_info=not self._failing,
        )
        self._failing = True


class TranscriptLog:
    """The call's conversation as stored: one ``seq`` per item in the order items began,
    the final text of each turn, and which assistant turns the caller cut off."""

    def __init__(self, *, writer: TurnWriter) -> None:
        self.writer = writer
        self._seq = 0
        self._seq_by_item: dict[str, int] = {}
        self._speech_start_ms: dict[str, int] = {}
        self._assistant_turns: dict[str, TurnRecord] = {}
        self._interrupted_items: set[str] = set()
        # Captions the caller was shown of assistant items with no final text yet, by
        # item: (response id, the pieces). A cancelled response never sends its final
        # text, and what the caller saw must still be stored.
        self._captions: dict[str, tuple[str, list[str]]] = {}

    @property
    def last_seq(self) -> int:
        return self._seq

    def continue_after(self, seq: int) -> None:
        """The call's earlier turns (a session before this one) end at ``seq``."""
        self._seq = max(self._seq, seq)

    def seq(self, item_id: str) -> int:
        """The item's place in the conversation, given when it is first seen."""
        seq = self._seq_by_item.get(item_id)
        if seq is None:
            self._seq += 1
            seq = self._seq_by_item[item_id] = self._seq
        return seq

    def speech_started(self, item_id: str, audio_start_ms: int) -> None:
        self.seq(item_id)
        self._speech_start_ms[item_id] = audio_start_ms

    def user_turn(self, item_id: str, text: str, *, started_ms: int | None = None) -> None:
        if started_ms is None:
            started_ms = self._speech_start_ms.get(item_id)
        self.writer.queue(
            TurnRecord(
                seq=self.seq(item_id),
                role="user",
                text=text,
                item_id=item_id,
                started_ms=started_ms,
            )
        )

    def assistant_turn(
        self, item_id: str, text: str, *, started_ms: int | None, latency_ms: int | None = None
    ) -> None:
        self._captions.pop(item_id, None)
        turn = TurnRecord(
            seq=self.seq(item_id),
            role="assistant",
            text=text,
            item_id=item_id,
            started_ms=max(started_ms, 0) if started_ms is not None else None,
            interrupted=item_id in self._interrupted_items,
            latency_ms=latency_ms,
        )
        self._assistant_turns[item_id] = turn
        self.writer.queue(turn)

    def interrupted(self, item_id: str) -> None:
        """The caller spoke over this item: its turn (now or once final) says so."""
        self._interrupted_items.add(item_id)
        turn = self._assistant_turns.get(item_id)
        if turn is not None and not turn.interrupted:
            turn.interrupted = True
            self.writer.queue(turn)

    def assistant_caption(self, item_id: str, response_id: str, delta: str) -> None:
        """A piece of an assistant item's text the caller was shown (a caption)."""
        if item_id and item_id not in self._assistant_turns:
            self._captions.setdefault(item_id, (response_id, []))[1].append(delta)

    def take_unfinished(self, response_id: str | None = None) -> list[tuple[str, str]]:
        """The assistant items of the response (None: of any) that the caller was shown
        part of but that never got their final text, as (item id, text shown): a
        response cancelled mid-sentence (the caller typed or hung up over it)."""
        unfinished = [
            (item_id, "".join(pieces).strip())
            for item_id, (owner, pieces) in self._captions.items()
            if response_id is None or owner == response_id
        ]
        for item_id, _ in unfinished:
            del self._captions[item_id]
        return [(item_id, text) for item_id, text in unfinished if text]
