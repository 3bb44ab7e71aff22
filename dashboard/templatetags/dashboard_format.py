"""How the dashboard writes durations, shares and latencies."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """75 → "1:15"; 3725 → "1:02:05"; nothing → "—"."""
    if seconds is None:
        return "—"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def call_time(milliseconds: int | None) -> str:
    """Milliseconds into the call as a clock: 75 400 → "1:15"; nothing → ""."""
    return "" if milliseconds is None else duration(milliseconds / 1000)


@register.filter
def percent(share: float | None) -> str:
    """0.4567 → "45.7 %"; nothing → "—"."""
    return "—" if share is None else f"{share * 100:.1f} %"


@register.filter
def share_of(part: int, whole: int) -> str:
    """The part as a percentage of the whole; "—" for a whole of zero."""
    return percent(part / whole) if whole else "—"


@register.filter
def milliseconds(value: float | None) -> str:
    """812.4 → "812 ms"; nothing → "—"."""
    return "—" if value is None else f"{value:.0f} ms"
