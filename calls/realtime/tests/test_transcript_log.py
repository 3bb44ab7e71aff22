"""TranscriptLog: the order of a conversation, and interruptions, as they will be stored."""

from __future__ import annotations

import pytest

from calls.realtime.hooks import TurnRecord
from calls.realtime.transcript import TranscriptLog, TurnWriter

pytestmark = pytest.mark.embedded_pass_only  # no database or service: run once


def _log() -> tuple[TranscriptLog, list[TurnRecord]]:
    saved: list[TurnRecord] = []

    async def save(turns: list[TurnRecord]) -> None:
        saved.extend(turns)

    return TranscriptLog(writer=TurnWriter(call_id="c", save=save)), saved


async def test_items_are_ordered_by_when_they_began_not_when_they_ended() -> None:
    log, saved = _log()
    log.speech_started("item_user", 1200)
    log.seq("item_agent")  # the agent's item began after the caller's
    log.assistant_turn("item_agent", "Hello!", started_ms=1500)
    log.user_turn("item_user", "Hi there")  # its transcript came last
    await log.writer.flush()
    assert [(t.seq, t.role, t.text) for t in sorted(saved, key=lambda t: t.seq)] == [
        (1, "user", "Hi there"),
        (2, "assistant", "Hello!"),
    ]
    assert next(t for t in saved if t.role == "user").started_ms == 1200
    assert log.last_seq == 2


async def test_an_interruption_before_or_after_the_final_text_is_stored() -> None:
    log, saved = _log()
    log.interrupted("item_a")  # cut off before its transcript was final
    log.assistant_turn("item_a", "Our opening hours are", started_ms=-5)
    log.assistant_turn("item_b", "Sure.", started_ms=100)
    await log.writer.flush()
    log.interrupted("item_b")  # after: the stored turn is written again
    log.interrupted("item_b")  # twice is once
    assert log.writer.pending == 1
    await log.writer.flush()
    stored = {t.item_id: t for t in saved}
    assert stored["item_a"].interrupted and stored["item_a"].started_ms == 0
    assert stored["item_b"].interrupted
    assert [t.item_id for t in saved].count("item_b") == 2


async def test_a_reply_cut_off_before_its_final_text_keeps_what_the_caller_was_shown() -> None:
    log, saved = _log()
    log.seq("item_greeting")
    log.assistant_caption("item_greeting", "resp_1", "Hi, ")
    log.assistant_caption("item_greeting", "resp_1", "thanks for ")
    log.assistant_caption("item_next", "resp_2", "Sure.")
    log.assistant_caption("item_done", "resp_1", "Done")
    log.assistant_turn("item_done", "Done.", started_ms=0)  # final: nothing unfinished
    assert log.take_unfinished("resp_1") == [("item_greeting", "Hi, thanks for")]
    assert log.take_unfinished("resp_1") == []  # once
    assert log.take_unfinished(None) == [("item_next", "Sure.")]
    log.assistant_caption("item_done", "resp_1", " late")  # after its final: ignored
    assert log.take_unfinished(None) == []
    await log.writer.flush()
    assert [t.item_id for t in saved] == ["item_done"]
