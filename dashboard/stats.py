"""Percentiles, the same in the database and in Python.

PostgreSQL computes them with ``percentile_cont`` (an ordered-set aggregate: the
values never leave the database); other databases (SQLite, the embedded default)
send the values and ``percentile_cont`` below computes the same interpolation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from django.db.models import Aggregate, FloatField


class PercentileCont(Aggregate):
    """PostgreSQL's ``percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)``."""

    function = "PERCENTILE_CONT"
    name = "PercentileCont"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        fraction = float(fraction)  # a number we chose, put into the SQL as a literal
        if not 0.0 <= fraction <= 1.0:
            raise ValueError("A percentile's fraction is between 0 and 1.")
        super().__init__(expression, fraction=repr(fraction), **extra)


def percentile_cont(ordered: Sequence[float], fraction: float) -> float | None:
    """The value at ``fraction`` of the ordered values, interpolated linearly between
    the two nearest ranks, as PostgreSQL's ``percentile_cont`` (and numpy's default)."""
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    below, above = math.floor(position), math.ceil(position)
    low, high = float(ordered[below]), float(ordered[above])
    return low + (high - low) * (position - below)
