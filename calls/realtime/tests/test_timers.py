"""CallTimers with a fake clock: every limit fires when due, once, and not before."""

from __future__ import annotations

import pytest

from calls.realtime.timers import WRAP_UP_SECONDS, CallTimers, TimerAction

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once


def _timers(**overrides: float) -> CallTimers:
    options = {"max_seconds": 600, "idle_seconds": 30, "stall_seconds": 15} | overrides
    return CallTimers(
        started_at=1000.0,
        max_seconds=int(options["max_seconds"]),
        idle_seconds=options["idle_seconds"],
        stall_seconds=options["stall_seconds"],
    )


def test_nothing_is_due_at_the_start() -> None:
    assert _timers().check(1000.0, busy=False, upstream_silence=None) is None


def test_a_stalled_service_is_reported_first() -> None:
    timers = _timers()
    assert timers.check(1001.0, busy=True, upstream_silence=14.9) is None
    assert timers.check(1700.0, busy=True, upstream_silence=15.0) is TimerAction.STALLED


def test_wrap_up_once_a_minute_before_the_limit_then_the_end() -> None:
    timers = _timers(idle_seconds=10_000)
    wrap_up_at = 1000.0 + 600 - WRAP_UP_SECONDS
    assert timers.check(wrap_up_at - 0.1, busy=False, upstream_silence=None) is None
    assert timers.check(wrap_up_at, busy=False, upstream_silence=None) is TimerAction.WRAP_UP
    assert timers.check(wrap_up_at + 1, busy=False, upstream_silence=None) is None
    assert timers.check(1600.0, busy=False, upstream_silence=None) is TimerAction.MAX_DURATION


def test_short_calls_wrap_up_at_four_fifths() -> None:
    timers = _timers(max_seconds=100, idle_seconds=10_000)
    assert timers.check(1079.9, busy=False, upstream_silence=None) is None
    assert timers.check(1080.0, busy=False, upstream_silence=None) is TimerAction.WRAP_UP


def test_idle_prompt_then_end_unless_the_caller_comes_back() -> None:
    timers = _timers()
    assert timers.check(1029.0, busy=False, upstream_silence=None) is None
    assert timers.check(1030.0, busy=False, upstream_silence=None) is TimerAction.IDLE_PROMPT
    # The prompt restarts the clock; a second quiet spell ends the call.
    assert timers.check(1059.0, busy=False, upstream_silence=None) is None
    assert timers.check(1060.0, busy=False, upstream_silence=None) is TimerAction.IDLE_END

    timers = _timers()
    assert timers.check(1030.0, busy=False, upstream_silence=None) is TimerAction.IDLE_PROMPT
    timers.activity(1040.0)  # the caller answered
    assert timers.check(1069.0, busy=False, upstream_silence=None) is None
    assert timers.check(1070.0, busy=False, upstream_silence=None) is TimerAction.IDLE_PROMPT


def test_the_caller_is_not_idle_while_the_agent_speaks() -> None:
    timers = _timers()
    assert timers.check(1100.0, busy=True, upstream_silence=None) is None
    timers.agent_spoke(1100.0)
    assert timers.check(1129.0, busy=False, upstream_silence=None) is None
    assert timers.check(1130.0, busy=False, upstream_silence=None) is TimerAction.IDLE_PROMPT


def test_the_agent_speaking_does_not_forget_the_prompt() -> None:
    timers = _timers()
    assert timers.check(1030.0, busy=False, upstream_silence=None) is TimerAction.IDLE_PROMPT
    timers.agent_spoke(1035.0)  # the prompt itself was spoken
    assert timers.check(1065.0, busy=False, upstream_silence=None) is TimerAction.IDLE_END
