"""The charts' geometry: round axes, bars and lines where the values say."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.charts import axis_maximum, daily_bars, daily_latency, horizontal_bars
from dashboard.selectors import NO_LATENCY, Day, Latency, Tally

pytestmark = pytest.mark.embedded_pass_only  # no database or service: run once


@pytest.mark.parametrize(
    ("value", "top"),
    [(0, 4), (3, 4), (5, 8), (7, 8), (10, 12), (52, 60), (2857, 3200), (41_000, 60_000)],
)
def test_axes_end_on_a_round_number_just_above_the_values(value: int, top: int) -> None:
    assert axis_maximum(value) == top
    assert top % 4 == 0  # whole-number ticks


def days(*rows: tuple[int, int, Latency]) -> list[Day]:
    first = dt.date(2025, 7, 1)
    return [
        Day(day=first + dt.timedelta(days=n), calls=c, answered=a, latency=latency)
        for n, (c, a, latency) in enumerate(rows)
    ]


def test_bars_are_as_tall_as_their_values() -> None:
    chart = daily_bars(days((8, 4, NO_LATENCY), (0, 0, NO_LATENCY), (2, 2, NO_LATENCY)))
    plot = chart.frame.bottom - chart.frame.top
    assert [round(bar.height / plot, 3) for bar in chart.calls] == [1.0, 0.0, 0.25]
    assert [round(bar.height / plot, 3) for bar in chart.answered] == [0.5, 0.0, 0.25]
    assert all(bar.y + bar.height == pytest.approx(chart.frame.bottom) for bar in chart.calls)
    assert chart.calls[0].title == "Tue 01 Jul 2025: 8 calls"
    assert [tick.label for tick in chart.frame.ticks] == ["0", "2", "4", "6", "8"]


def test_latency_lines_break_on_days_without_turns() -> None:
    chart = daily_latency(
        days(
            (1, 1, Latency(turns=3, p50_ms=500.0, p95_ms=900.0)),
            (1, 1, Latency(turns=2, p50_ms=700.0, p95_ms=1200.0)),
            (0, 0, NO_LATENCY),
            (1, 1, Latency(turns=1, p50_ms=400.0, p95_ms=400.0)),
        )
    )
    p50, p95 = chart.series
    assert (p50.name, p95.name) == ("p50", "p95")
    assert len(p50.segments) == 2 and len(p50.points) == 3
    assert p95.points[1].title == "Wed 02 Jul 2025: p95 1200 ms"
    assert chart.frame.ticks[-1].label == "1,200"


def test_long_labels_are_shortened_but_kept_whole_in_the_title() -> None:
    label = "The server process handling the call died"
    chart = horizontal_bars([Tally("server_lost", label, 4), Tally("x", "Short", 2)])
    long, short = chart.bars
    assert long.label.endswith("…") and len(long.label) <= 38
    assert long.title == f"{label}: 4"
    assert short.width == pytest.approx(long.width / 2)
