"""ResponseTracker: one live response at a time, and tool outputs answered exactly once."""

from __future__ import annotations

import pytest

from calls.realtime.responses import ALREADY_ACTIVE, AfterOutputs, ResponseTracker

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once


def test_a_requested_response_keeps_its_request_time() -> None:
    tracker = ResponseTracker()
    assert not tracker.responding
    tracker.requested_at(10.0)
    assert tracker.responding and tracker.active_id is None
    tracker.created("resp_1", 12.0)
    assert tracker.active_id == "resp_1" and not tracker.requested
    assert tracker.started_at == 10.0
    tracker.done("resp_1")
    assert not tracker.responding


def test_a_response_the_service_started_begins_when_created() -> None:
    tracker = ResponseTracker()
    tracker.created("resp_vad", 5.0)
    assert tracker.started_at == 5.0


def test_done_of_another_response_leaves_the_live_one() -> None:
    tracker = ResponseTracker()
    tracker.created("resp_2", 1.0)
    tracker.done("resp_1")
    assert tracker.active_id == "resp_2"


def test_outputs_are_answered_now_when_nothing_runs() -> None:
    tracker = ResponseTracker()
    assert tracker.after_outputs(3.0) is AfterOutputs.CREATE_NOW
    assert not tracker.wanted


def test_outputs_sent_during_an_older_response_are_answered_after_it() -> None:
    tracker = ResponseTracker()
    tracker.created("resp_1", 1.0)
    assert tracker.after_outputs(2.0) is AfterOutputs.CREATE_AFTER
    assert not tracker.take_wanted()  # still running
    tracker.done("resp_1")
    assert tracker.take_wanted()
    assert not tracker.take_wanted()  # once


def test_a_response_begun_after_the_outputs_uses_them() -> None:
    tracker = ResponseTracker()
    tracker.requested_at(4.0)  # the caller spoke after the outputs went
    assert tracker.after_outputs(3.0) is AfterOutputs.NOTHING
    assert not tracker.wanted


def test_a_failed_create_stops_the_wait() -> None:
    tracker = ResponseTracker()
    tracker.requested_at(1.0)
    tracker.error("some_other_error")  # nothing active: the create failed
    assert not tracker.responding

    tracker.created("resp_1", 2.0)
    tracker.requested_at(3.0)
    tracker.error(ALREADY_ACTIVE)
    assert not tracker.requested and tracker.active_id == "resp_1"


def test_an_error_during_a_response_keeps_a_pending_request() -> None:
    tracker = ResponseTracker()
    tracker.created("resp_1", 1.0)
    tracker.requested_at(2.0)
    tracker.error("invalid_value")
    assert tracker.requested


def test_interrupted_responses_are_remembered() -> None:
    tracker = ResponseTracker()
    assert tracker.interrupt() is None
    tracker.created("resp_1", 1.0)
    assert tracker.interrupt() == "resp_1"
    tracker.mark_interrupted("resp_greeting")
    assert tracker.is_interrupted("resp_1") and tracker.is_interrupted("resp_greeting")
    assert not tracker.is_interrupted("resp_2")


def test_silence_counts_only_while_a_reply_is_due() -> None:
    tracker = ResponseTracker()
    assert tracker.silence(100.0, last_event_at=0.0) is None
    tracker.requested_at(90.0)  # asked after a long quiet spell: counted from the request
    assert tracker.silence(100.0, last_event_at=10.0) == 10.0
    tracker.created("resp_1", 95.0)
    assert tracker.silence(100.0, last_event_at=98.0) == 2.0


def test_outputs_sent_while_a_filler_plays_are_answered_after_it() -> None:
    tracker = ResponseTracker()
    tracker.requested_at(5.0, filler=True)
    assert tracker.filler
    # Sent at the very moment the filler was asked for: still not something it can answer.
    assert tracker.after_outputs(5.0) is AfterOutputs.CREATE_AFTER
    tracker.created("resp_filler", 5.2, filler=True)
    assert tracker.filler and not tracker.take_wanted()  # not while it plays
    tracker.done("resp_filler")
    assert not tracker.filler
    assert tracker.take_wanted() and not tracker.take_wanted()  # exactly once


def test_a_response_that_is_no_filler_may_answer_outputs_sent_before_it() -> None:
    tracker = ResponseTracker()
    tracker.requested_at(5.0)
    tracker.created("resp_1", 5.1)
    assert not tracker.filler
    assert tracker.after_outputs(4.0) is AfterOutputs.NOTHING


def test_a_refused_filler_request_is_no_filler() -> None:
    tracker = ResponseTracker()
    tracker.created("resp_vad", 1.0)
    tracker.requested_at(2.0, filler=True)
    assert not tracker.filler  # the live response is what runs
    tracker.error(ALREADY_ACTIVE)
    tracker.done("resp_vad")
    assert not tracker.filler and not tracker.responding
