"""Classes of date/time phrases: the past refused, ranges, am/pm doubts, spoken clock
forms, ISO input, self-corrections, and DST edges."""

from __future__ import annotations

import datetime as dt

import pytest

from appointments.when import When, WhenError, WhenInPast, parse_when

pytestmark = pytest.mark.embedded_pass_only  # no database or service: run once

LONDON = "Europe/London"
# Monday 23 November 2026, 15:15 in London (afternoon: the morning is over).
AFTERNOON = dt.datetime(2026, 11, 23, 15, 15, tzinfo=dt.UTC)


def when(text: str, *, now: dt.datetime = AFTERNOON, zone: str = LONDON) -> When:
    return parse_when(text, now=now, timezone=zone)


def local(text: str) -> str:
    """Start (and end) as 'YYYY-MM-DD HH:MM[/YYYY-MM-DD HH:MM]' in London."""
    parsed = when(text)
    shown = f"{parsed.start:%Y-%m-%d %H:%M}"
    return shown + (f"/{parsed.end:%Y-%m-%d %H:%M}" if parsed.end else "")


@pytest.mark.parametrize(
    "text, shown",
    [
        ("last Friday at 4", "Last friday (Friday 20 November)"),
        ("yesterday", "Yesterday (Sunday 22 November)"),
        ("two days ago", "2 days ago (Saturday 21 November)"),
        ("a week ago", "1 week ago (Monday 16 November)"),
        ("November 3rd at 10 am", "November 3 (Tuesday 3 November)"),
        ("the day before yesterday", "Day before yesterday (Saturday 21 November)"),
    ],
)
def test_days_in_the_past_are_refused_naming_the_day(text: str, shown: str) -> None:
    with pytest.raises(WhenInPast) as raised:
        when(text)
    assert str(raised.value).startswith(shown)
    assert "in the past; ask which upcoming day they mean" in str(raised.value)


@pytest.mark.parametrize(
    "text", ["earlier today", "this morning", "today at 9 am", "last week", "2026-11-23T09:00"]
)
def test_times_already_over_today_are_refused(text: str) -> None:
    with pytest.raises(WhenInPast, match="in the past"):
        when(text)


def test_in_the_past_is_a_when_error_for_callers_that_catch_those() -> None:
    assert issubclass(WhenInPast, WhenError)


def test_a_month_day_that_passed_long_ago_means_next_year_and_says_so() -> None:
    """Passed within 60 days: refused (a slip); further back: next year, and far ahead
    of now that year is a guess to confirm."""
    with pytest.raises(WhenInPast):
        when("October 1st")  # 53 days ago
    september = when("September 1 at 10 am")
    assert september.start.date() == dt.date(2027, 9, 1)
    assert "no year given; read as 2027" in september.doubts and september.certain is False
    january = when("January 10 at 10 am")  # next year, but only seven weeks away
    assert january.start.date() == dt.date(2027, 1, 10) and january.certain is True


def test_the_nth_said_after_it_means_next_months() -> None:
    assert when("the 3rd at 10 am").start.date() == dt.date(2026, 12, 3)
    assert when("the 25th at 10 am").start.date() == dt.date(2026, 11, 25)
    with pytest.raises(WhenError, match="no 31 November"):
        when("the 31st")


@pytest.mark.parametrize(
    "text, shown",
    [
        ("end of the month", "2026-11-26 00:00/2026-12-01 00:00"),
        ("end of next week", "2026-12-03 00:00/2026-12-05 00:00"),
        ("first thing Monday", "2026-11-30 08:00/2026-11-30 10:00"),
        ("tomorrow after lunch", "2026-11-24 13:00/2026-11-24 16:00"),
        ("late afternoon", "2026-11-23 15:30/2026-11-23 18:00"),  # the rest of today's
        ("early next week", "2026-11-30 00:00/2026-12-02 00:00"),
        ("sometime next week", "2026-11-30 00:00/2026-12-07 00:00"),
        ("this weekend", "2026-11-28 00:00/2026-11-30 00:00"),
        ("tomorrow before 10", "2026-11-24 00:00/2026-11-24 10:00"),
        ("between 2 and 4 on friday", "2026-11-27 14:00/2026-11-27 16:00"),
        ("this afternoon", "2026-11-23 15:30/2026-11-23 17:00"),
    ],
)
def test_vague_phrases_are_ranges_and_never_certain(text: str, shown: str) -> None:
    parsed = when(text)
    assert local(text) == shown
    assert parsed.has_time is False and parsed.certain is False
    assert any("range" in doubt for doubt in parsed.doubts)


def test_an_hour_without_am_pm_is_read_in_business_hours_and_doubted() -> None:
    four = when("tomorrow at 4")
    assert (four.start.hour, four.ambiguous, four.certain) == (16, True, False)
    assert four.doubts == ("no am/pm given; read as 4:00 PM",)
    nine = when("tomorrow at 9")
    assert (nine.start.hour, nine.ambiguous) == (9, True)
    exact = when("tomorrow at 4 pm")
    assert (exact.ambiguous, exact.certain, exact.as_dict()["doubts"]) == (False, True, [])


@pytest.mark.parametrize(
    "text, hour_minute, ambiguous",
    [
        ("tomorrow at half past three", (15, 30), True),
        ("tomorrow three thirty", (15, 30), True),
        ("tomorrow at quarter to five", (16, 45), True),
        ("tomorrow at ten to four", (15, 50), True),
        ("tomorrow at fifteen hundred", (15, 0), False),
        ("tomorrow 1500 hours", (15, 0), False),
        ("tomorrow nine fifteen a m", (9, 15), False),
        ("tomorrow at nine oh five p.m.", (21, 5), False),
        ("tomorrow at two o'clock", (14, 0), True),
        ("tomorrow at twenty past eleven", (11, 20), True),
    ],
)
def test_numbers_in_words(text: str, hour_minute: tuple[int, int], ambiguous: bool) -> None:
    parsed = when(text)
    assert (parsed.start.date(), parsed.start.hour, parsed.start.minute) == (
        dt.date(2026, 11, 24),
        *hour_minute,
    )
    assert parsed.ambiguous is ambiguous


@pytest.mark.parametrize(
    "text, utc",
    [
        ("2026-12-01T15:00", "2026-12-01T15:00:00+00:00"),  # wall clock in the agent's zone
        ("2026-12-01 15:00", "2026-12-01T15:00:00+00:00"),
        ("2026-12-01T15:00:00+01:00", "2026-12-01T14:00:00+00:00"),  # the offset is honoured
        ("2026-12-01T15:00:00Z", "2026-12-01T15:00:00+00:00"),
        ("book 2026-12-01T15:00-05:00 please", "2026-12-01T20:00:00+00:00"),
    ],
)
def test_iso_input(text: str, utc: str) -> None:
    parsed = when(text)
    assert parsed.start.astimezone(dt.UTC).isoformat() == utc
    assert parsed.certain is True and parsed.has_time is True


def test_iso_without_offset_is_wall_clock_time_in_the_agents_zone() -> None:
    parsed = when("2026-12-01T15:00", zone="America/New_York")
    assert parsed.start.isoformat() == "2026-12-01T15:00:00-05:00"
    summer = when("2027-07-01T15:00", zone="Europe/Berlin")
    assert summer.start.isoformat() == "2027-07-01T15:00:00+02:00"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("um, maybe tuesday at 3 pm", "2026-11-24 15:00"),
        ("how about 10 am tomorrow", "2026-11-24 10:00"),
        ("could we do wednesday at 11 am", "2026-11-25 11:00"),
        ("Tuesday, no sorry, Wednesday at 3", "2026-11-25 15:00"),
        ("at 2, actually make it 4", "2026-11-23 16:00"),
        ("Thursday at 10 am, I mean 11 am", "2026-11-26 11:00"),
    ],
)
def test_conversation_around_the_value(text: str, expected: str) -> None:
    assert local(text) == expected


def test_a_correction_that_names_only_part_keeps_the_rest_and_is_doubted() -> None:
    time_only = when("Tuesday at 2 pm, actually make it 4 pm")
    assert f"{time_only.start:%Y-%m-%d %H:%M}" == "2026-11-24 16:00"
    assert time_only.certain is False
    assert "correction named only a time; kept the day said before it" in time_only.doubts
    day_only = when("Tuesday at 2 pm, no, Wednesday")
    assert f"{day_only.start:%Y-%m-%d %H:%M}" == "2026-11-25 14:00"
    assert "correction named only a day; kept the time said before it" in day_only.doubts
    whole = when("Tuesday, no sorry, Wednesday at 3 pm")
    assert whole.certain is True


def test_nothing_understood_is_an_error_not_a_guess() -> None:
    for text in ("whenever suits you", "", "um, let me think", "at 25:00"):
        with pytest.raises(WhenError):
            when(text)


def test_as_dict_carries_certainty_and_doubts() -> None:
    assert when("tomorrow at 2").as_dict() == {
        "start": "2026-11-24T14:00:00+00:00",
        "end": None,
        "ambiguous": True,
        "has_time": True,
        "certain": False,
        "doubts": ["no am/pm given; read as 2:00 PM"],
    }


def test_berlin_spring_forward_gap_is_moved_and_doubted() -> None:
    now = dt.datetime(2027, 3, 27, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    gap = parse_when("march 28 at 2:30 am", now=now, timezone="Europe/Berlin")
    assert gap.start.isoformat() == "2027-03-28T03:30:00+02:00"
    assert gap.certain is False and "does not exist" in gap.doubts[0]
    after = parse_when("tomorrow at 9 am", now=now, timezone="Europe/Berlin")
    assert after.start.isoformat() == "2027-03-28T09:00:00+02:00" and after.certain
    day = parse_when("tomorrow", now=now, timezone="Europe/Berlin")
    assert day.end is not None  # the whole day, 23 real hours long
    assert day.end.astimezone(dt.UTC) - day.start.astimezone(dt.UTC) == dt.timedelta(hours=23)


def test_new_york_fall_back_repeat_reads_the_first_and_is_doubted() -> None:
    now = dt.datetime(2026, 10, 31, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    repeated = parse_when("tomorrow at 1:30 am", now=now, timezone="America/New_York")
    assert repeated.start.isoformat() == "2026-11-01T01:30:00-04:00"
    assert "happens twice" in repeated.doubts[0]
    later = parse_when("november 1 at 1:30 pm", now=now, timezone="America/New_York")
    assert later.start.isoformat() == "2026-11-01T13:30:00-05:00" and later.certain
    gap = parse_when(
        "march 14 at 2:30 am",
        now=dt.datetime(2027, 3, 13, 12, tzinfo=dt.UTC),
        timezone="America/New_York",
    )
    assert gap.start.isoformat() == "2027-03-14T03:30:00-04:00"


def test_a_bare_weekday_whose_time_is_over_today_means_next_weeks() -> None:
    assert local("monday at 9 am") == "2026-11-30 09:00"
    with pytest.raises(WhenInPast):
        when("this monday at 9 am")
