"""Which model response is live, which is wanted next, and when ``response.create`` may go.

Pure bookkeeping, no I/O: the session tells the tracker what it sent and what the
service reported, and asks it what to do. The Realtime service allows one response at a
time, and a response only sees conversation items that existed when it began; the
tracker keeps both rules.
"""

from __future__ import annotations

import enum

# A response.create that fails with this code never starts.
ALREADY_ACTIVE = "conversation_already_has_active_response"


class AfterOutputs(enum.Enum):
    """What to do once a response's tool outputs have been sent."""

    CREATE_NOW = "create_now"  # nothing is running: ask for the answer now
    CREATE_AFTER = "create_after"  # the running response cannot see them: answer after it
    NOTHING = "nothing"  # the running response began after them and will use them


class ResponseTracker:
    def __init__(self) -> None:
        self.active_id: str | None = None
        # A response.create was sent and its response.created has not arrived yet.
        self.requested = False
        # When the current response was asked for or began (whichever is earlier known);
        # decides whether it can see tool outputs sent later.
        self.started_at = 0.0
        # Another response is wanted once the current one is done.
        self.wanted = False
        # Whether the asked-for / the live response is a filler phrase (``filler``).
        self._requested_filler = False
        self._active_filler = False
        self._interrupted: set[str] = set()

    @property
    def responding(self) -> bool:
        """A response is running, or has been asked for and not started yet."""
        return self.active_id is not None or self.requested

    @property
    def filler(self) -> bool:
        """The response running or asked for is a filler phrase: it answers nothing (tool
        outputs sent while it runs are answered after it)."""
        if self.active_id is not None:
            return self._active_filler
        return self.requested and self._requested_filler

    # -- what happened

    def requested_at(self, now: float, *, filler: bool = False) -> None:
        """A response.create has just been sent (``filler``: for a filler phrase)."""
        self.requested = True
        self.started_at = now
        self._requested_filler = filler

    def created(self, response_id: str | None, now: float, *, filler: bool = False) -> None:
        self.active_id = response_id
        if not self.requested:
            # Started by the service (turn detection); one we asked for keeps its request time.
            self.started_at = now
        self.requested = False
        self._active_filler = filler

    def done(self, response_id: str) -> None:
        if self.active_id == response_id:
            self.active_id = None
            self._active_filler = False

    def error(self, code: str) -> None:
        if code == ALREADY_ACTIVE or self.active_id is None:
            # A response.create that fails never starts: stop waiting for it.
            self.requested = False

    def interrupt(self) -> str | None:
        """The caller interrupted: the running response's output is dropped from now on.
        Returns its id (None when nothing is running)."""
        if self.active_id is not None:
            self._interrupted.add(self.active_id)
        return self.active_id

    def mark_interrupted(self, response_id: str) -> None:
        self._interrupted.add(response_id)

    def is_interrupted(self, response_id: str) -> bool:
        return response_id in self._interrupted

    # -- what to do

    def take_wanted(self) -> bool:
        """After a response is done: True (once) when another one was wanted and may go now."""
        if self.wanted and not self.responding:
            self.wanted = False
            return True
        return False

    def after_outputs(self, sent_at: float) -> AfterOutputs:
        """Tool outputs were sent at ``sent_at``: exactly one response must answer them."""
        if not self.responding:
            return AfterOutputs.CREATE_NOW
        if self.started_at < sent_at or self.filler:
            self.wanted = True
            return AfterOutputs.CREATE_AFTER
        return AfterOutputs.NOTHING

    def silence(self, now: float, last_event_at: float) -> float | None:
        """How long the service has sent nothing while a reply is running or was asked
        for (None when none is). Counted from the later of the last event and the
        request: the service sends nothing while the caller is quiet, so a reply asked
        for after a long silence is not late."""
        if not self.responding:
            return None
        return now - max(last_event_at, self.started_at)
