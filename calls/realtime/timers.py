"""The call's clocks: a stalled service, the maximum duration with its wrap-up, the idle
prompt. Pure decisions from a time the caller passes in, so tests use a fake clock."""

from __future__ import annotations

import enum

WRAP_UP_SECONDS = 60


class TimerAction(enum.Enum):
    STALLED = "stalled"  # the service holds the socket open but stopped answering
    MAX_DURATION = "max_duration"
    WRAP_UP = "wrap_up"  # about a minute left: ask the model to close the call
    IDLE_PROMPT = "idle_prompt"  # the caller went quiet: ask whether they are there
    IDLE_END = "idle_end"  # still quiet after the prompt


class CallTimers:
    def __init__(
        self, *, started_at: float, max_seconds: int, idle_seconds: float, stall_seconds: float
    ) -> None:
        self.started_at = started_at
        self.max_seconds = max_seconds
        self.idle_seconds = idle_seconds
        self.stall_seconds = stall_seconds
        self.wrap_up_at = max(max_seconds - WRAP_UP_SECONDS, max_seconds * 0.8)
        self.last_activity = started_at
        self.idle_prompted = False
        self.wrap_up_sent = False

    def activity(self, now: float) -> None:
        """The caller did something (spoke, typed): the idle clock starts again."""
        self.last_activity = now
        self.idle_prompted = False

    def agent_spoke(self, now: float) -> None:
        """A response finished: silence is counted from here, without forgetting a prompt."""
        self.last_activity = max(self.last_activity, now)

    def check(
        self, now: float, *, busy: bool, upstream_silence: float | None
    ) -> TimerAction | None:
        """What is due at ``now``. ``busy``: a response runs or its audio still plays (the
        caller is not idle then); ``upstream_silence``: how long the service has been
        quiet during a reply (None when no reply runs)."""
        if upstream_silence is not None and upstream_silence >= self.stall_seconds:
            return TimerAction.STALLED
        elapsed = now - self.started_at
        if elapsed >= self.max_seconds:
            return TimerAction.MAX_DURATION
        if elapsed >= self.wrap_up_at and not self.wrap_up_sent:
            self.wrap_up_sent = True
            return TimerAction.WRAP_UP
        if not busy and now - self.last_activity >= self.idle_seconds:
            if self.idle_prompted:
                return TimerAction.IDLE_END
            self.idle_prompted = True
            self.last_activity = now
            return TimerAction.IDLE_PROMPT
        return None
