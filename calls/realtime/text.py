"""Text that every database can store, from callers, models and transcribers.

Two things arrive in JSON that a database refuses: lone UTF-16 surrogates (``"\\ud83d"``,
half an emoji; no UTF-8 encoding exists for them, so SQLite and PostgreSQL both fail) and
NUL (``"\\u0000"``; PostgreSQL's text and jsonb refuse it). A surrogate pair that came as
two escapes is joined into its character; what cannot be kept becomes U+FFFD, so that
a reader sees that something was there.
"""

from __future__ import annotations

from typing import Any

REPLACEMENT = "\ufffd"
# What json.loads raises on bad input: deep nesting exhausts its recursion instead.
JSON_ERRORS = (ValueError, RecursionError)


def storable_text(text: str) -> str:
    """``text`` with NUL and unpaired surrogates replaced; unchanged when already storable."""
    if "\x00" in text:
        text = text.replace("\x00", REPLACEMENT)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # UTF-16 round trip: pairs become their character, lone halves U+FFFD.
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def storable_json(value: Any) -> Any:
    """A JSON-like value with every string (keys too) made storable."""
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, dict):
        return {storable_json(key): storable_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [storable_json(item) for item in value]
    return value


def may_hold_unstorable(frame: str) -> bool:
    """Whether decoding this JSON text can produce NUL or a surrogate: only ``\\u``
    escapes can (raw surrogates never survive UTF-8 decoding of a WebSocket frame, and
    raw NUL is not valid inside a JSON string). A cheap test for every upstream event."""
    return "\\u" in frame


def ascii_fallback(text: str) -> str:
    """A last-resort form that any database stores: non-ASCII as backslash escapes."""
    return storable_text(text).encode("ascii", "backslashreplace").decode("ascii")
