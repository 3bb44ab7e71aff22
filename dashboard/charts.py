"""Geometry of the overview's charts, drawn as inline SVG by the templates
(``dashboard/templates/dashboard/charts/``): no chart library, no script.

Each chart is a frozen description (coordinates in the SVG's own units, a
``viewBox`` that scales to the page) plus the text a screen reader gets: a title, a
description and, under every chart, a table of the same values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from dashboard.selectors import Day, Overview, Tally

WIDTH = 640
HEIGHT = 220
LEFT = 48  # room for the y axis' labels
RIGHT = 12
TOP = 12
BOTTOM = 30  # room for the days
MAX_DAY_LABELS = 8


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Label:
    x: float
    text: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    title: str


@dataclass(frozen=True)
class Frame:
    """The plot area and its axes."""

    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    ticks: list[Tick]
    labels: list[Label]

    @property
    def tick_x(self) -> float:
        return self.left - 6

    @property
    def label_y(self) -> float:
        return self.height - 10


@dataclass(frozen=True)
class DailyBars:
    frame: Frame
    calls: list[Bar]
    answered: list[Bar]


@dataclass(frozen=True)
class Series:
    name: str
    css_class: str
    segments: list[str]  # polyline "points", broken where a day has no value
    points: list[Point]


@dataclass(frozen=True)
class DailyLines:
    frame: Frame
    series: list[Series]


@dataclass(frozen=True)
class HorizontalBar:
    y: float
    width: float
    label: str  # shortened to fit; ``title`` has it whole
    title: str
    count: int
    text_y: float  # the baseline of its label and count
    count_x: float


@dataclass(frozen=True)
class HorizontalBars:
    width: int
    height: int
    label_width: int
    row_height: int
    bar_height: int
    bars: list[HorizontalBar]

    @property
    def label_x(self) -> int:
        return self.label_width - 8


TICKS = 4  # grid lines above zero


def axis_maximum(value: float) -> int:
    """The top of a y axis for values up to ``value``: four ticks of a round step (1,
    1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten, whole numbers only), the smallest
    that reaches it."""
    magnitude = 1
    while True:
        for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8):
            tick = step * magnitude
            if tick == int(tick) and TICKS * tick >= value:
                return int(TICKS * tick)
        magnitude *= 10


def _frame(days: Sequence[Day], maximum: int) -> Frame:
    top, bottom = TOP, HEIGHT - BOTTOM
    ticks = [
        Tick(y=bottom - (bottom - top) * index / TICKS, label=f"{maximum * index // TICKS:,}")
        for index in range(TICKS + 1)
    ]
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(days))
    every = max(1, math.ceil(len(days) / MAX_DAY_LABELS))
    labels = [
        Label(x=LEFT + slot * (index + 0.5), text=day.day.strftime("%d %b"))
        for index, day in enumerate(days)
        if index % every == 0
    ]
    return Frame(WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, top, bottom, ticks, labels)


def daily_bars(days: Sequence[Day]) -> DailyBars:
    """Calls per day, with the answered ones as a bar inside each day's bar."""
    maximum = axis_maximum(max((day.calls for day in days), default=0))
    frame = _frame(days, maximum)
    slot = (frame.right - frame.left) / max(1, len(days))
    width = max(1.0, slot * 0.7)
    inner = max(1.0, width * 0.5)
    scale = (frame.bottom - frame.top) / maximum
    calls, answered = [], []
    for index, day in enumerate(days):
        middle = frame.left + slot * (index + 0.5)
        when = day.day.strftime("%a %d %b %Y")
        height = day.calls * scale
        calls.append(
            Bar(
                middle - width / 2,
                frame.bottom - height,
                width,
                height,
                f"{when}: {day.calls} calls",
            )
        )
        height = day.answered * scale
        answered.append(
            Bar(
                middle - inner / 2,
                frame.bottom - height,
                inner,
                height,
                f"{when}: {day.answered} answered",
            )
        )
    return DailyBars(frame, calls, answered)


def daily_latency(days: Sequence[Day]) -> DailyLines:
    """p50 and p95 turn latency per day, as two lines; a day without agent turns
    breaks the lines."""
    highest = max((day.latency.p95_ms or 0 for day in days), default=0)
    maximum = axis_maximum(highest)
    frame = _frame(days, maximum)
    slot = (frame.right - frame.left) / max(1, len(days))
    scale = (frame.bottom - frame.top) / maximum
    series = []
    for name, css_class, attribute in (("p50", "p50", "p50_ms"), ("p95", "p95", "p95_ms")):
        segments: list[str] = []
        points: list[Point] = []
        current: list[str] = []
        for index, day in enumerate(days):
            value = getattr(day.latency, attribute)
            if value is None:
                if current:
                    segments.append(" ".join(current))
                current = []
                continue
            x = frame.left + slot * (index + 0.5)
            y = frame.bottom - value * scale
            current.append(f"{x:.1f},{y:.1f}")
            points.append(Point(x, y, f"{day.day:%a %d %b %Y}: {name} {value:.0f} ms"))
        if current:
            segments.append(" ".join(current))
        series.append(Series(name, css_class, segments, points))
    return DailyLines(frame, series)


def horizontal_bars(tallies: Sequence[Tally]) -> HorizontalBars:
    """One bar per value (outcomes, end reasons), longest first, labelled."""
    label_width, row_height, bar_height = 250, 26, 16
    maximum = max((tally.count for tally in tallies), default=0) or 1
    room = WIDTH - label_width - 60  # the count is written after the bar
    bars = []
    for index, tally in enumerate(tallies):
        y = index * row_height + (row_height - bar_height) / 2
        width = max(1.0, room * tally.count / maximum) if tally.count else 0.0
        bars.append(
            HorizontalBar(
                y=y,
                width=width,
                label=_shorten(tally.label),
                title=f"{tally.label}: {tally.count}",
                count=tally.count,
                text_y=y + bar_height - 3,
                count_x=label_width + width + 6,
            )
        )
    height = max(row_height, row_height * len(bars))
    return HorizontalBars(WIDTH, height, label_width, row_height, bar_height, bars)


def _shorten(label: str, limit: int = 38) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def overview_charts(overview: Overview) -> dict[str, object]:
    """The overview's charts, by the names its template uses."""
    return {
        "calls_chart": daily_bars(overview.days),
        "latency_chart": daily_latency(overview.days),
        "outcomes_chart": horizontal_bars(overview.outcomes),
        "end_reasons_chart": horizontal_bars(overview.end_reasons),
    }
