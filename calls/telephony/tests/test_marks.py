"""The played position from playback marks (PlaybackMarks): pure logic, no server."""

from __future__ import annotations

import pytest

from calls.realtime.hooks import HeardPosition
from calls.telephony.marks import PlaybackMarks

pytestmark = pytest.mark.embedded_pass_only  # no database or service: run once


def _sent(marks: PlaybackMarks, item_id: str, *ends_ms: int) -> list[str]:
    return [marks.sent(item_id, end_ms) for end_ms in ends_ms]


def test_mark_names_are_unique_in_the_call_and_name_their_item() -> None:
    marks = PlaybackMarks()
    assert _sent(marks, "item_a", 50, 100) == ["item_a:1", "item_a:2"]
    assert _sent(marks, "item_b", 50) == ["item_b:3"]
    assert marks.pending == 3


def test_an_echo_proves_the_audio_before_its_mark_played() -> None:
    marks = PlaybackMarks()
    names = _sent(marks, "item_a", 50, 100, 150)
    assert marks.echoed(names[0]) == HeardPosition("item_a", 50)
    assert marks.echoed(names[1]) == HeardPosition("item_a", 100)
    assert marks.pending == 1


def test_an_echo_settles_the_marks_sent_before_it() -> None:
    marks = PlaybackMarks()
    names = _sent(marks, "item_a", 50, 100, 150)
    assert marks.echoed(names[1]) == HeardPosition("item_a", 100)
    assert marks.pending == 1
    assert marks.echoed(names[0]) is None  # settled already: not pending
    assert marks.cleared() == HeardPosition("item_a", 100)


def test_an_unknown_mark_is_ignored() -> None:
    marks = PlaybackMarks()
    _sent(marks, "item_a", 50)
    assert marks.echoed("item_a:99") is None
    assert marks.echoed("someone else's") is None
    assert marks.pending == 1


def test_nothing_pending_means_nothing_to_clear() -> None:
    marks = PlaybackMarks()
    assert marks.cleared() is None
    names = _sent(marks, "item_a", 50)
    marks.echoed(names[0])  # all of it played
    assert marks.cleared() is None


def test_clearing_gives_the_last_echoed_position_however_late_the_playback() -> None:
    marks = PlaybackMarks()
    names = _sent(marks, "item_a", 50, 100, 150, 200)
    marks.echoed(names[1])
    assert marks.cleared() == HeardPosition("item_a", 100)
    assert marks.pending == 0


def test_a_mark_echoed_after_a_clear_was_cleared_not_played() -> None:
    marks = PlaybackMarks()
    names = _sent(marks, "item_a", 50, 100, 150)
    marks.echoed(names[0])
    assert marks.cleared() == HeardPosition("item_a", 50)
    assert marks.echoed(names[2]) is None  # the provider echoes what it dropped
    # The next item starts from nothing heard: the old echo does not count for it.
    later = _sent(marks, "item_b", 50)
    assert marks.cleared() == HeardPosition("item_b", 0)
    assert marks.echoed(later[0]) is None


def test_the_heard_position_of_an_item_not_yet_echoed_is_zero() -> None:
    marks = PlaybackMarks()
    first = _sent(marks, "item_a", 50, 100)
    marks.echoed(first[1])  # all of item_a played
    _sent(marks, "item_b", 50, 100)  # item_b is queued, none of it echoed
    assert marks.cleared() == HeardPosition("item_b", 0)


def test_nothing_echoed_yet_is_zero_of_the_item_playing() -> None:
    marks = PlaybackMarks()
    _sent(marks, "item_a", 50, 100)
    assert marks.cleared() == HeardPosition("item_a", 0)


def test_the_item_playing_is_the_oldest_pending_one() -> None:
    marks = PlaybackMarks()
    names = _sent(marks, "item_a", 50, 100)
    _sent(marks, "item_b", 50)
    marks.echoed(names[0])
    assert marks.cleared() == HeardPosition("item_a", 50)
