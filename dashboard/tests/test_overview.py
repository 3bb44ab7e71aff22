"""The overview's figures are the database's, computed here independently (plain Python
over every row, numpy for percentiles), for each period, agent and owner."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from appointments.models import Appointment
from calls.models import CallLog, TranscriptTurn
from dashboard.selectors import Overview
from dashboard.tests.conftest import LONDON, Cast, add_call, local_midnight

pytestmark = pytest.mark.django_db

URL = "/dashboard/"


def expected(
    *, owner_ids: set[int] | None, agent_id: int | None, first: dt.date, last: dt.date, tz: ZoneInfo
) -> dict[str, Any]:
    """The figures, from every row, without the selectors' queries."""
    start = dt.datetime.combine(first, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    calls = [
        call
        for call in CallLog.objects.select_related("agent")
        if (owner_ids is None or call.agent.owner_id in owner_ids)
        and (agent_id is None or call.agent_id == agent_id)
        and start <= call.started_at < end
    ]
    ids = {call.pk for call in calls}
    turns = [turn for turn in TranscriptTurn.objects.all() if turn.call_id in ids]
    spoke = {turn.call_id for turn in turns if turn.role == "user"}
    durations = [call.duration_seconds for call in calls if call.duration_seconds is not None]
    appointments = [
        a for a in Appointment.objects.all() if a.call_id in ids and a.status != "failed"
    ]
    latencies = [t.latency_ms for t in turns if t.role == "assistant" and t.latency_ms is not None]
    day_of = {call.pk: call.started_at.astimezone(tz).date() for call in calls}
    per_day: dict[dt.date, list[int]] = {}
    for turn in turns:
        if turn.role == "assistant" and turn.latency_ms is not None:
            per_day.setdefault(day_of[turn.call_id], []).append(turn.latency_ms)
    answered = len(spoke)
    return {
        "calls": len(calls),
        "answered": answered,
        "avg_duration": sum(durations) / len(durations) if durations else None,
        "total_duration": sum(durations),
        "contacts": len({call.contact_id for call in calls if call.contact_id}),
        "appointments": len(appointments),
        "conversion": len(appointments) / answered if answered else None,
        "transfers": sum(1 for call in calls if call.status == "transferred"),
        "cost": sum((call.cost_usd + call.summary_cost_usd for call in calls), Decimal(0)),
        "latency": (
            (float(np.percentile(latencies, 50)), float(np.percentile(latencies, 95)))
            if latencies
            else (None, None)
        ),
        "latency_per_day": {
            day: (float(np.percentile(found, 50)), float(np.percentile(found, 95)))
            for day, found in per_day.items()
        },
        "per_day": Counter(day_of.values()),
        "answered_per_day": Counter(day_of[pk] for pk in spoke),
        "end_reasons": Counter(call.end_reason for call in calls),
        "outcomes": Counter(call.outcome for call in calls),
    }


def assert_figures(overview: Overview, want: dict[str, Any]) -> None:
    totals = overview.totals
    assert totals.calls == want["calls"] > 0
    assert totals.answered == want["answered"]
    if want["avg_duration"] is None:
        assert totals.avg_duration_seconds is None
    else:
        assert totals.avg_duration_seconds == pytest.approx(want["avg_duration"])
    assert totals.total_duration_seconds == want["total_duration"]
    assert totals.contacts == want["contacts"]
    assert totals.appointments == want["appointments"]
    assert totals.conversion == pytest.approx(want["conversion"])
    assert totals.transfers == want["transfers"]
    assert totals.cost_usd == want["cost"]
    p50, p95 = want["latency"]
    assert overview.latency.p50_ms == pytest.approx(p50)
    assert overview.latency.p95_ms == pytest.approx(p95)
    for day in overview.days:
        assert day.calls == want["per_day"].get(day.day, 0), day
        assert day.answered == want["answered_per_day"].get(day.day, 0), day
        if day.day in want["latency_per_day"]:
            assert (day.latency.p50_ms, day.latency.p95_ms) == pytest.approx(
                want["latency_per_day"][day.day]
            )
        else:
            assert day.latency.p50_ms is None
    assert sum(day.calls for day in overview.days) == want["calls"]
    assert {t.value: t.count for t in overview.end_reasons} == dict(want["end_reasons"])
    assert {t.value: t.count for t in overview.outcomes} == dict(want["outcomes"])


def today_in(tz: ZoneInfo) -> dt.date:
    return timezone.now().astimezone(tz).date()


@pytest.mark.parametrize(("period", "days"), [("today", 1), ("7d", 7), ("30d", 30)])
def test_alices_overview_matches_her_calls(
    cast: Cast, dataset: list[CallLog], alice_client: Client, period: str, days: int
) -> None:
    response = alice_client.get(URL, {"period": period})
    assert response.status_code == 200
    overview: Overview = response.context["overview"]
    # Both her agents are in London: her days are London's.
    assert overview.period.tz == LONDON and overview.period.tz_source == "the agents' common"
    last = today_in(LONDON)
    first = last - dt.timedelta(days=days - 1)
    assert (overview.period.first_day, overview.period.last_day) == (first, last)
    assert len(overview.days) == days
    want = expected(owner_ids={cast.alice.pk}, agent_id=None, first=first, last=last, tz=LONDON)
    assert_figures(overview, want)
    # Bob's calls are not counted, nor is his agent listed.
    assert {row.name for row in overview.agents} <= {"Front desk", "Sales line"}
    page = response.content.decode()
    assert "Bob&#x27;s desk" not in page
    assert f'<dd id="figure-calls">{want["calls"]}</dd>' in page
    assert "Europe/London" in page


def test_one_agent_over_a_custom_period(
    cast: Cast, dataset: list[CallLog], alice_client: Client
) -> None:
    last = today_in(LONDON) - dt.timedelta(days=2)
    first = last - dt.timedelta(days=9)
    response = alice_client.get(
        URL,
        {
            "agent": "alice-sales",
            "period": "custom",
            "start": first.isoformat(),
            "end": last.isoformat(),
        },
    )
    overview: Overview = response.context["overview"]
    assert overview.agent == cast.sales
    assert overview.period.tz_source == "the agent's"
    assert overview.days[0].day == first and len(overview.days) == 10
    want = expected(owner_ids=None, agent_id=cast.sales.pk, first=first, last=last, tz=LONDON)
    assert_figures(overview, want)
    assert overview.agents == []  # the per-agent table is for all agents


def test_superusers_see_every_owner_in_the_servers_days(
    cast: Cast, dataset: list[CallLog], root_client: Client, settings: Any
) -> None:
    response = root_client.get(URL, {"period": "30d"})
    overview: Overview = response.context["overview"]
    # London and New York agents: the server's zone (UTC here) decides the days.
    assert overview.period.tz == ZoneInfo(settings.TIME_ZONE)
    assert overview.period.tz_source == "the server's"
    last = today_in(overview.period.tz)
    want = expected(
        owner_ids=None,
        agent_id=None,
        first=last - dt.timedelta(days=29),
        last=last,
        tz=overview.period.tz,
    )
    assert_figures(overview, want)
    assert {row.name for row in overview.agents} == {"Front desk", "Sales line", "Bob's desk"}


def test_another_owners_agent_is_not_a_choice(
    cast: Cast, dataset: list[CallLog], alice_client: Client
) -> None:
    response = alice_client.get(URL, {"agent": "bob-desk", "period": "30d"})
    assert response.status_code == 200
    assert response.context["form"].errors["agent"]
    overview: Overview = response.context["overview"]
    assert overview.agent is None
    assert (
        overview.totals.calls
        == CallLog.objects.filter(
            agent__owner=cast.alice,
            started_at__gte=overview.period.start,
            started_at__lt=overview.period.end,
        ).count()
    )


def test_a_bad_custom_period_is_explained(cast: Cast, alice_client: Client) -> None:
    response = alice_client.get(
        URL, {"period": "custom", "start": "2025-07-10", "end": "2025-07-01"}
    )
    assert "The period ends before it starts." in response.content.decode()
    response = alice_client.get(
        URL, {"period": "custom", "start": "2020-01-01", "end": "2025-01-01"}
    )
    assert "Choose at most 366 days." in response.content.decode()


def test_days_are_cut_in_the_periods_time_zone(
    cast: Cast, root_client: Client, alice_client: Client
) -> None:
    """00:30 in London in July is 23:30 UTC the day before: London's day for Alice, the
    day before for a superuser whose agents span two zones (UTC)."""
    late = local_midnight(dt.date(2025, 7, 2), LONDON) + dt.timedelta(minutes=30)
    add_call(cast, cast.front, late)
    query = {"period": "custom", "start": "2025-07-01", "end": "2025-07-02"}
    days = {d.day: d.calls for d in alice_client.get(URL, query).context["overview"].days}
    assert days == {dt.date(2025, 7, 1): 0, dt.date(2025, 7, 2): 1}
    days = {d.day: d.calls for d in root_client.get(URL, query).context["overview"].days}
    assert days == {dt.date(2025, 7, 1): 1, dt.date(2025, 7, 2): 0}


def test_the_number_of_queries_does_not_grow_with_the_calls(
    cast: Cast, dataset: list[CallLog], alice_client: Client
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert alice_client.get(URL, {"period": "30d"}).status_code == 200
        return len(captured)

    before = queries()
    now = timezone.now()
    for n in range(60):
        add_call(
            cast,
            cast.front if n % 2 else cast.sales,
            now - dt.timedelta(hours=n),
            caller_turns=2,
            latencies=(None, 500 + n, 900),
            appointment="confirmed",
            knowledge=True,
        )
    assert queries() == before
    assert before <= 10, before  # docs/dashboard.md, "How it is computed"


def test_the_charts_are_accessible_svg(
    cast: Cast, dataset: list[CallLog], alice_client: Client
) -> None:
    page = alice_client.get(URL, {"period": "7d"}).content.decode()
    assert page.count('<svg class="chart"') == 4
    for chart in ["calls-chart", "latency-chart", "outcomes-chart", "end-reasons-chart"]:
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in page
        assert f'<title id="{chart}-title">' in page and f'<desc id="{chart}-desc">' in page
    assert "<script" not in page  # the overview needs no script


def test_staff_only(cast: Cast, django_user_model: Any) -> None:
    response = Client().get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    caller = django_user_model.objects.create_user(username="carol", password="pw-carol-12345")
    client = Client()
    client.force_login(caller)
    assert client.get(URL).status_code == 302


def test_an_empty_dashboard_renders(cast: Cast, alice_client: Client) -> None:
    response = alice_client.get(URL)
    assert response.status_code == 200
    overview: Overview = response.context["overview"]
    assert overview.totals.calls == 0 and overview.totals.conversion is None
    assert overview.latency.p50_ms is None
    assert "No calls in this period." in response.content.decode()


def test_the_admin_links_to_the_dashboard(
    cast: Cast, alice_client: Client, dataset: list[CallLog]
) -> None:
    root = Client()
    root.force_login(cast.root)
    page = root.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("dashboard:overview")}"' in page
    call = dataset[0]
    page = root.get(reverse("admin:calls_calllog_change", args=[call.pk])).content.decode()
    assert f'href="{reverse("dashboard:call", args=[call.pk])}"' in page
