"""One retry policy for everything that talks to a provider after the call: calendars,
webhooks, email and the summary model.

Exponential backoff with full jitter (AWS's "full jitter": a random wait between half
the step and the step, so a crowd of retries spreads out instead of arriving together),
and the provider's own ``Retry-After`` when it sent one, which always wins over our
guess (never shorter than it asked).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import math
import random

from django.utils import timezone


def retry_after_seconds(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """A ``Retry-After`` header as seconds from now: delay-seconds or an HTTP date (RFC 9110
    10.2.3), never negative. ``None`` when absent or unreadable."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value.strip())
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        seconds = (when - (now or timezone.now())).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def backoff_seconds(
    attempt: int,
    *,
    base: float = 30.0,
    cap: float = 3600.0,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """How long to wait before try ``attempt + 1`` (``attempt`` ≥ 1 tries made so far).

    ``base`` · 2^(attempt-1), capped, then jittered into [step/2, step]; at least
    ``retry_after`` when the provider sent one (capped too, so a hostile header cannot
    park the work for days).
    """
    step = min(cap, base * 2 ** max(0, attempt - 1))
    jittered = (rng or random).uniform(step / 2, step)
    if retry_after is not None:
        return min(cap, max(jittered, retry_after))
    return jittered
