"""Percentiles, the same in the database and in Python.

PostgreSQL computes them with ``percentile_cont``, an ordered-set aggregate: the values
never leave the database. Other databases (SQLite, the embedded default) send the
values, and ``percentile_cont`` below computes the same linear interpolation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from django.db import connections
from django.db.models import QuerySet


def percentiles_by_group(
    pairs: QuerySet[Any, Any], *, fractions: Sequence[float]
) -> dict[Any, tuple[Any, ...]]:
    """PostgreSQL: for ``pairs``, a ``values_list`` of (group, value) with no NULL
    group, the number of values and their ``percentile_cont`` at each fraction, per
    group and, under the key None, for all of them; one query that reads the rows
    once (``GROUP BY ROLLUP``, which Django's ORM does not express)."""
    inner, params = pairs.query.get_compiler(using=pairs.db).as_sql()
    # Only numbers we chose and the ORM's own SQL (its values stay parameters) go in.
    percentiles = ", ".join(
        f"PERCENTILE_CONT({_fraction(f)!r}) WITHIN GROUP (ORDER BY value)" for f in fractions
    )
    sql = (
        f"SELECT grp, COUNT(value), {percentiles} "  # noqa: S608 (see above)
        f"FROM ({inner}) AS pairs (grp, value) GROUP BY ROLLUP (grp)"
    )
    with connections[pairs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


def _fraction(value: float) -> float:
    fraction = float(value)
    if not 0.0 <= fraction <= 1.0:
        raise ValueError("A percentile's fraction is between 0 and 1.")
    return fraction


def percentile_cont(ordered: Sequence[float], fraction: float) -> float | None:
    """The value at ``fraction`` of the ordered values, interpolated linearly between
    the two nearest ranks, as PostgreSQL's ``percentile_cont`` (and numpy's default)."""
    if not ordered:
        return None
    position = _fraction(fraction) * (len(ordered) - 1)
    below, above = math.floor(position), math.ceil(position)
    low, high = float(ordered[below]), float(ordered[above])
    return low + (high - low) * (position - below)
