"""`manage.py bootstrap` creates the demo agent and an admin, and is idempotent."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from agents.models import Agent

pytestmark = pytest.mark.django_db


def _bootstrap(**options: object) -> str:
    out = io.StringIO()
    call_command("bootstrap", stdout=out, **options)
    return out.getvalue()


def test_creates_demo_agent_and_admin_with_a_printed_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    output = _bootstrap()
    password = re.search(r"Admin login: admin / (\S+)", output)
    assert password, output
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password.group(1))

    agent = Agent.objects.get(public_id="front-desk")
    assert agent.name == "Front desk" and agent.owner == admin
    assert "name" in agent.instructions and "email" in agent.instructions
    assert {(s.name, s.duration_minutes) for s in agent.services.all()} == {
        ("Consultation", 30),
        ("Product demo", 45),
    }
    hours = {
        (h.weekday, h.opens_at.isoformat(), h.closes_at.isoformat())
        for h in agent.business_hours.all()
    }
    assert hours == {(day, "09:00:00", "17:00:00") for day in range(5)}
    assert {"schedule_appointment", "save_contact", "end_call"} <= set(agent.enabled_tools)


def test_running_twice_changes_nothing_and_prints_no_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    _bootstrap()
    admin_before = get_user_model().objects.get(username="admin")
    agent = Agent.objects.get(public_id="front-desk")
    agent.greeting = "Edited in the admin"
    agent.save()

    second = _bootstrap()
    assert "Admin login" not in second
    assert "already exists" in second
    assert Agent.objects.count() == 1
    assert agent.services.count() == 2 and agent.business_hours.count() == 5
    assert get_user_model().objects.count() == 1
    assert get_user_model().objects.get(username="admin").password == admin_before.password
    assert Agent.objects.get().greeting == "Edited in the admin"


def test_password_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "correct-horse-battery-staple")
    output = _bootstrap()
    assert "Admin login" not in output
    assert (
        get_user_model()
        .objects.get(username="admin")
        .check_password("correct-horse-battery-staple")
    )


def test_weak_password_and_bad_timezone_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "123")
    with pytest.raises(CommandError, match="DJANGO_SUPERUSER_PASSWORD is too weak"):
        _bootstrap()
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "correct-horse-battery-staple")
    with pytest.raises(CommandError, match="not a known time zone"):
        _bootstrap(timezone="Nowhere/Special")
    assert not Agent.objects.exists()
    assert not get_user_model().objects.exists()


def _knowledge_search(agent: Agent, query: str) -> dict[str, object]:
    from asgiref.sync import async_to_sync

    from agents.tools import search_knowledge_base
    from calls.realtime.hooks import ToolContext

    async def nothing(message: dict[str, object]) -> None:
        return None

    def no_end() -> None:
        return None

    context = ToolContext(
        call_id="c", agent_id=agent.pk, user_info={}, send_to_client=nothing, request_end=no_end
    )
    return async_to_sync(search_knowledge_base)({"query": query}, context)


@pytest.mark.django_db(transaction=True)
def test_the_demo_agent_answers_questions_out_of_the_box(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-test-password-1")
    output = _bootstrap(timezone="Europe/London")
    assert "sample knowledge source" in output
    agent = Agent.objects.get(public_id="front-desk")
    (source,) = agent.knowledge_sources.all()
    assert source.status == "ready" and source.chunk_count >= 4

    result = _knowledge_search(agent, "what are your opening hours")
    passages = result["passages"]
    assert isinstance(passages, list) and passages
    best = passages[0]
    assert best["section"] == "Opening hours"
    # The hours the booking tools offer, in the agent's zone.
    assert "Monday to Friday, from 09:00 to 17:00 (Europe/London time)" in best["text"]
    assert "Europe/London" in best["text"]
    prices = _knowledge_search(agent, "how much does a product demo cost")["passages"]
    assert isinstance(prices, list) and "Product demo" in prices[0]["text"]
    where = _knowledge_search(agent, "where are you located, is there parking")["passages"]
    assert isinstance(where, list) and where[0]["section"] == "Location and parking"


@pytest.mark.django_db(transaction=True)
def test_bootstrap_never_overwrites_or_re_adds_the_users_knowledge(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-test-password-1")
    _bootstrap()
    agent = Agent.objects.get(public_id="front-desk")
    source = agent.knowledge_sources.get()
    source.content = "# Opening hours\n\nWe open at dawn."
    source.save()
    assert "sample knowledge source" not in _bootstrap()
    source.refresh_from_db()
    assert source.content == "# Opening hours\n\nWe open at dawn."
    assert agent.knowledge_sources.count() == 1
    # Replaced by the user's own source: the sample does not come back.
    source.delete()
    agent.knowledge_sources.create(title="Our menu", content="Soup of the day.")
    _bootstrap()
    assert list(agent.knowledge_sources.values_list("title", flat=True)) == ["Our menu"]


@pytest.mark.django_db(transaction=True)
def test_a_sample_left_pending_by_an_interrupted_bootstrap_is_ingested_next_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from agents import services
    from agents.models import SourceStatus

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-test-password-1")
    # The first run stops between adding the sample and ingesting it.
    monkeypatch.setattr(
        "agents.management.commands.bootstrap.knowledge_source_ingest", lambda **_: None
    )
    _bootstrap()
    agent = Agent.objects.get(public_id="front-desk")
    assert agent.knowledge_sources.get().status == SourceStatus.PENDING
    monkeypatch.setattr(
        "agents.management.commands.bootstrap.knowledge_source_ingest",
        services.knowledge_source_ingest,
    )
    assert "Added the sample knowledge source" in _bootstrap()
    source = agent.knowledge_sources.get()
    assert source.status == SourceStatus.READY and source.chunk_count >= 4
