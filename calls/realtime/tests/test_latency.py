"""TurnLatency with a fake clock: caller's turn end → first audio of the answer."""

from __future__ import annotations

import pytest

from calls.realtime.latency import TurnLatency, percentile

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once


def test_speech_stopped_to_the_first_audio_chunk_is_the_latency() -> None:
    latency = TurnLatency()
    latency.caller_done(10.0)
    latency.response_created("resp_1")
    assert latency.audio_sent("item_1", 10.640) == 640
    assert latency.audio_sent("item_1", 10.700) is None  # only the first chunk counts
    assert latency.of_item("item_1") == 640
    assert latency.values == [640]


def test_the_greeting_has_none() -> None:
    latency = TurnLatency()
    assert latency.audio_sent("greeting", 1.0) is None
    assert latency.of_item("greeting") is None
    assert latency.summary() == (None, None)


def test_a_response_cut_by_barge_in_before_any_audio_has_none() -> None:
    latency = TurnLatency()
    latency.caller_done(5.0)
    latency.response_created("resp_1")
    latency.caller_speaking()  # the caller went on: resp_1 is cancelled, audio dropped
    latency.response_done("resp_1", calls_tools=False)
    latency.caller_done(7.0)  # the turn really ends here
    latency.response_created("resp_2")
    assert latency.audio_sent("item_2", 7.3) == 300
    assert latency.values == [300]


def test_the_caller_waits_through_tool_calls() -> None:
    latency = TurnLatency()
    latency.caller_done(1.0)
    latency.response_created("resp_tools")
    latency.response_done("resp_tools", calls_tools=True)  # no audio: a lookup runs
    latency.response_created("resp_answer")
    assert latency.audio_sent("item_answer", 2.5) == 1500


def test_an_answer_without_audio_is_not_measured_later() -> None:
    latency = TurnLatency()
    latency.caller_done(1.0)
    latency.response_created("resp_text")
    latency.response_done("resp_text", calls_tools=False)
    # Audio much later (an idle prompt) does not answer that turn.
    assert latency.audio_sent("item_idle", 61.0) is None
    assert latency.values == []


def test_a_response_that_began_before_the_turn_ended_does_not_close_it() -> None:
    latency = TurnLatency()
    latency.response_created("resp_old")
    latency.caller_done(3.0)
    latency.response_done("resp_old", calls_tools=False)  # not the answer
    latency.response_created("resp_new")
    assert latency.audio_sent("item_new", 3.2) == 200


def test_p50_and_p95_over_the_call() -> None:
    latency = TurnLatency()
    for index, ms in enumerate([900, 300, 500, 700, 400]):
        latency.caller_done(float(index * 10))
        latency.audio_sent(f"item_{index}", index * 10 + ms / 1000)
    assert latency.summary() == (500, 860)


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([100], 95) == 100
    assert percentile([100, 200], 50) == 150
    assert percentile(list(range(1, 101)), 95) == 95
    with pytest.raises(ValueError):
        percentile([], 50)
