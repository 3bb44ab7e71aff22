"""Playback with a fake clock: where a barge-in cuts the agent's audio."""

from __future__ import annotations

import pytest

from calls.realtime.playback import Playback

pytestmark = pytest.mark.embedded_pass_only  # no database or service: run once

PCM_BYTES_PER_MS = 48


def _playing(ms: int, now: float = 100.0) -> Playback:
    playback = Playback(bytes_per_ms=PCM_BYTES_PER_MS)
    for _ in range(ms // 50):
        playback.chunk_sent("item_1", "resp_1", 50 * PCM_BYTES_PER_MS, now)
    return playback


def test_chunks_count_into_their_item_and_a_new_item_starts_over() -> None:
    playback = Playback(bytes_per_ms=PCM_BYTES_PER_MS)
    assert playback.chunk_sent("a", "r", 480, 1.0) == 10
    assert playback.chunk_sent("a", "r", 480, 1.1) == 20
    assert playback.chunk_sent("b", "r", 480, 1.2) == 10
    assert playback.started_ms_ago("b", 1.5) == 300
    assert playback.started_ms_ago("a", 1.5) is None


def test_without_reports_the_caller_heard_what_wall_clock_time_allows() -> None:
    playback = _playing(2000)  # sent at once, faster than real time
    assert playback.playing(100.5)
    cut = playback.cut(100.5)
    assert cut is not None and cut.heard_ms == 500 and cut.upstream_item
    assert playback.cut(100.6) is None  # once


def test_a_client_report_moves_the_estimate() -> None:
    playback = _playing(2000)
    playback.reported("item_1", 200, 100.5)  # the client started late
    cut = playback.cut(100.6)
    assert cut is not None and cut.heard_ms == 300


def test_a_cancel_can_carry_the_played_position() -> None:
    cut = _playing(2000).cut(101.0, played_ms=750)
    assert cut is not None and cut.heard_ms == 750


def test_audio_that_finished_playing_is_not_cut() -> None:
    playback = _playing(1000)
    assert not playback.playing(101.5)
    assert playback.cut(101.5) is None
    assert playback.remaining_ms(101.5) == 0


def test_a_transport_report_is_the_truth_and_other_items_were_not_heard() -> None:
    playback = _playing(2000)
    playback.transport_heard("item_1", 400, 101.0)  # a phone line buffered the rest
    cut = playback.cut(101.0)
    assert cut is not None and cut.heard_ms == 400

    playback = _playing(2000)
    playback.transport_heard("item_0", 900, 100.2)  # the last mark was an older item
    cut = playback.cut(100.2)
    assert cut is not None and cut.heard_ms == 0


def test_never_more_than_was_sent() -> None:
    cut = _playing(1000).cut(100.1, played_ms=5000)
    assert cut is None  # all of it played: nothing to cut
    playback = _playing(1000)
    playback.reported("item_1", 5000, 100.0)
    assert not playback.playing(100.0) and playback.remaining_ms(100.0) == 0
