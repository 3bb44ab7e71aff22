"""Properties over generated phrases: whatever is accepted lies ahead of now, and a
range ends after it starts."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appointments.when import WhenError, parse_when
from appointments.when.lexicon import MONTHS, WEEKDAYS

pytestmark = pytest.mark.embedded_pass_only  # no database or service: run once

ZONES = ["Europe/Berlin", "America/New_York", "Europe/London", "Asia/Kolkata", "UTC"]
DAYS = st.one_of(
    st.sampled_from(
        [
            "",
            "today",
            "tonight",
            "tomorrow",
            "yesterday",
            "day after tomorrow",
            "next week",
            "early next week",
            "end of next week",
            "this weekend",
            "end of the month",
            "next month",
            "earlier today",
            "later today",
            "two days ago",
        ]
    ),
    st.builds(
        "{} {}".format,
        st.sampled_from(["", "this", "next", "last", "on", "coming"]),
        st.sampled_from(WEEKDAYS),
    ),
    st.builds("{} {}".format, st.sampled_from(MONTHS), st.integers(1, 31)),
    st.builds("the {}".format, st.integers(1, 31)),
    st.builds("in {} days".format, st.integers(1, 40)),
)
TIMES = st.one_of(
    st.sampled_from(["", "noon", "morning", "afternoon", "evening", "first thing", "after lunch"]),
    st.builds("at {}".format, st.integers(0, 23)),
    st.builds("{} {}".format, st.integers(1, 12), st.sampled_from(["am", "pm"])),
    st.builds("at {}:{:02d}".format, st.integers(0, 23), st.sampled_from([0, 15, 30, 45])),
    st.builds("half past {}".format, st.integers(1, 12)),
    st.builds("before {}".format, st.integers(1, 12)),
    st.builds("between {} and {}".format, st.integers(1, 11), st.integers(2, 12)),
)
NOW = st.datetimes(
    min_value=dt.datetime(2026, 1, 1),  # noqa: DTZ001 (naive bounds, zone given below)
    max_value=dt.datetime(2028, 12, 31),  # noqa: DTZ001
    timezones=st.just(dt.UTC),
)


@settings(max_examples=400, deadline=None)
@given(day=DAYS, time=TIMES, now=NOW, zone=st.sampled_from(ZONES))
def test_accepted_results_are_ahead_of_now(
    day: str, time: str, now: dt.datetime, zone: str
) -> None:
    try:
        when = parse_when(f"{day} {time}", now=now, timezone=zone)
    except WhenError:
        return  # refused with a message: fine
    assert when.start > now
    assert when.end is None or when.end > when.start
    assert when.has_time == (when.end is None)
    assert not (when.certain and when.ambiguous)


@settings(max_examples=200, deadline=None)
@given(
    text=st.sampled_from(
        [
            "mañana a las tres de la tarde",
            "el martes por la mañana",
            "a las cinco menos cuarto",
            "demain à 15h",
            "mardi matin",
            "vers 10h",
            "um halb vier",
            "heute Nachmittag",
            "Viertel vor fünf",
            "nächsten Montag",
        ]
    ),
    now=NOW,
    zone=st.sampled_from(ZONES),
)
def test_other_languages_are_ahead_of_now_too(text: str, now: dt.datetime, zone: str) -> None:
    language = "es" if "las" in text or "ñ" in text else "fr" if "h" in text[-3:] else "de"
    for lang in {language, "es", "fr", "de"}:
        try:
            when = parse_when(text, now=now, timezone=zone, language=lang)
        except WhenError:
            continue
        assert when.start > now
        assert when.end is None or when.end > when.start
