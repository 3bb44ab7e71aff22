"""Keys the caller presses on a phone's keypad (DTMF), gathered into what they entered.

Pure, on the session's clock. Keys arrive one by one; a run of them (an account number,
a menu choice) reaches the model as one message: the run ends with ``#`` (which is not
part of it), after a pause of ``PAUSE_SECONDS`` without a key, or at ``MAX_KEYS``. ``#``
with nothing before it is itself what the caller entered (an IVR's "press pound").
"""

from __future__ import annotations

KEYS = frozenset("0123456789*#ABCD")  # what a keypad sends (A-D: the fourth column)
END_KEY = "#"
PAUSE_SECONDS = 2.0
MAX_KEYS = 32


class KeypadBuffer:
    def __init__(self, *, pause: float | None = None, max_keys: int = MAX_KEYS) -> None:
        self._pause = PAUSE_SECONDS if pause is None else pause  # read here: tests shorten it
        self._max_keys = max_keys
        self._keys: list[str] = []
        self._last_at = 0.0

    @property
    def pending(self) -> str:
        return "".join(self._keys)

    def press(self, key: str, now: float) -> str | None:
        """A key (one of ``KEYS``): the run it completes, if it completes one."""
        if key == END_KEY:
            return self._take() or END_KEY
        self._keys.append(key)
        self._last_at = now
        if len(self._keys) >= self._max_keys:
            return self._take()
        return None

    def due_at(self) -> float | None:
        """When the pending run ends by itself (None: nothing pending)."""
        return self._last_at + self._pause if self._keys else None

    def take_due(self, now: float) -> str | None:
        """The pending run, if its pause has passed."""
        due = self.due_at()
        return self._take() if due is not None and now >= due else None

    def _take(self) -> str:
        run, self._keys = "".join(self._keys), []
        return run


def keypad_transcript(run: str) -> str:
    """How the run is stored as the caller's turn and shown to monitors."""
    return f"Keypad: {run}"


def keypad_message(run: str) -> str:
    """What the model reads. Keys one by one (so they are read back as digits, never as
    "four thousand…"), and together where there are several (ready for a tool)."""
    if len(run) == 1:
        return f"The caller pressed {run} on the phone keypad."
    return f"The caller entered {' '.join(run)} on the phone keypad (together: {run})."
