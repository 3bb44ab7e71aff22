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
