"""The agent admin form validates what a careless edit would break."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from agents.models import Agent

pytestmark = pytest.mark.django_db


def _form_data(agent: Agent, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": agent.name,
        "public_id": agent.public_id,
        "owner": agent.owner_id,
        "is_active": "on",
        "greeting": agent.greeting,
        "instructions": agent.instructions,
        "language": agent.language,
        "voice": agent.voice,
        "realtime_model": "",
        "turn_detection": agent.turn_detection,
        "vad_threshold": agent.vad_threshold,
        "vad_prefix_padding_ms": agent.vad_prefix_padding_ms,
        "vad_silence_duration_ms": agent.vad_silence_duration_ms,
        "vad_eagerness": agent.vad_eagerness,
        "interrupt_response": "on",
        "noise_reduction": agent.noise_reduction,
        "enabled_tools": list(agent.enabled_tools),
        "timezone": agent.timezone,
        "calendar_connection": "",
        "transfer_number": "",
        "transfer_mode": agent.transfer_mode,
        "connection_beep": "on",
        "summary_recipients": "",
        "allowed_origins": "",
        "max_call_seconds": agent.max_call_seconds,
        "idle_seconds": agent.idle_seconds,
        "max_concurrent_calls": agent.max_concurrent_calls,
        "retention_days": agent.retention_days,
    }
    services = list(agent.services.all())
    data |= {
        "services-TOTAL_FORMS": len(services),
        "services-INITIAL_FORMS": len(services),
        "services-MIN_NUM_FORMS": 0,
        "services-MAX_NUM_FORMS": 1000,
    }
    for i, service in enumerate(services):
        data |= {
            f"services-{i}-id": service.pk,
            f"services-{i}-agent": agent.pk,
            f"services-{i}-name": service.name,
            f"services-{i}-duration_minutes": service.duration_minutes,
            f"services-{i}-description": service.description,
            f"services-{i}-is_active": "on",
        }
    hours = list(agent.business_hours.all())
    data |= {
        "business_hours-TOTAL_FORMS": len(hours),
        "business_hours-INITIAL_FORMS": len(hours),
        "business_hours-MIN_NUM_FORMS": 0,
        "business_hours-MAX_NUM_FORMS": 1000,
    }
    for i, period in enumerate(hours):
        data |= {
            f"business_hours-{i}-id": period.pk,
            f"business_hours-{i}-agent": agent.pk,
            f"business_hours-{i}-weekday": period.weekday,
            f"business_hours-{i}-opens_at": period.opens_at.strftime("%H:%M"),
            f"business_hours-{i}-closes_at": period.closes_at.strftime("%H:%M"),
        }
    # The outbound calling policy (outbound.admin adds it to the agent's page): none yet.
    data |= {
        "outbound_policy-TOTAL_FORMS": 0,
        "outbound_policy-INITIAL_FORMS": 0,
        "outbound_policy-MIN_NUM_FORMS": 0,
        "outbound_policy-MAX_NUM_FORMS": 1,
    }
    data.update(changes)
    return data


@pytest.fixture
def client(owner: User) -> Client:
    client = Client()
    client.force_login(owner)
    return client


def _post(client: Client, agent: Agent, **changes: Any) -> str:
    url = reverse("admin:agents_agent_change", args=[agent.pk])
    response = client.post(url, _form_data(agent, **changes))
    if response.status_code == 302:
        return ""
    assert response.status_code == 200
    return response.content.decode()


def test_unchanged_form_saves(client: Client, agent: Agent) -> None:
    assert _post(client, agent, greeting="Hello there!") == ""
    agent.refresh_from_db()
    assert agent.greeting == "Hello there!"


def test_unknown_voice_is_rejected(client: Client, agent: Agent) -> None:
    page = _post(client, agent, voice="robot")
    assert "Select a valid choice. robot is not one of the available choices." in page


def test_invalid_timezone_is_rejected(client: Client, agent: Agent) -> None:
    page = _post(client, agent, timezone="Mars/Olympus_Mons")
    assert "Mars/Olympus_Mons is not a known time zone" in page
    agent.refresh_from_db()
    assert agent.timezone == "Europe/London"


def test_overlapping_business_hours_are_rejected(client: Client, agent: Agent) -> None:
    # Monday gets a second period that overlaps 09:00–17:00.
    data = _form_data(agent)
    extra = int(data["business_hours-TOTAL_FORMS"])
    data |= {
        "business_hours-TOTAL_FORMS": extra + 1,
        f"business_hours-{extra}-weekday": 0,
        f"business_hours-{extra}-opens_at": "16:00",
        f"business_hours-{extra}-closes_at": "18:00",
    }
    response = client.post(reverse("admin:agents_agent_change", args=[agent.pk]), data)
    assert response.status_code == 200
    assert "Business hours on Monday overlap" in response.content.decode()
    assert agent.business_hours.count() == 5


def test_closing_before_opening_is_rejected(client: Client, agent: Agent) -> None:
    page = _post(client, agent, **{"business_hours-0-closes_at": "08:00"})
    assert "Closing time must be after opening time." in page


def test_unknown_tool_and_bad_lists_are_rejected(client: Client, agent: Agent) -> None:
    page = _post(
        client,
        agent,
        enabled_tools=["fly_to_the_moon"],
        allowed_origins="https://ok.example\nwww.missing-scheme.example",
        summary_recipients="owner@example.com, not-an-email",
        transfer_number="12345",
    )
    assert "fly_to_the_moon is not one of the available choices" in page
    assert "www.missing-scheme.example is not an origin" in page
    assert "not-an-email is not a valid email address" in page
    assert "12345 is not a valid phone number in E.164 form" in page


def test_a_tool_that_does_not_exist_is_not_offered(client: Client, agent: Agent) -> None:
    """The admin offers the registry's tools (transfer_call among them) and no other."""
    page = _post(client, agent, enabled_tools=["end_call", "launch_rockets"])
    assert "launch_rockets is not one of the available choices" in page
    form = client.get(reverse("admin:agents_agent_change", args=[agent.pk])).content.decode()
    assert 'value="end_call"' in form and 'value="transfer_call"' in form
    assert 'value="launch_rockets"' not in form


def test_model_validation_refuses_a_tool_that_does_not_exist(agent: Agent) -> None:
    from django.core.exceptions import ValidationError

    agent.enabled_tools = ["end_call", "launch_rockets"]
    with pytest.raises(ValidationError, match="There is no tool called launch_rockets"):
        agent.full_clean()
    agent.enabled_tools = "end_call"
    with pytest.raises(ValidationError, match="A list of tool names"):
        agent.full_clean()


# The page's sections: every field has exactly one place.

SECTIONS = [
    "Voice and behaviour",
    "Turn taking",
    "Tools",
    "Hours and services",
    "Calendar",
    "Phone",
    "Website embedding",
    "Follow-ups and webhooks",
    "Recording",
    "Limits and retention",
    "Dates",
]


def _editable_fields() -> set[str]:
    return {
        field.name
        for field in Agent._meta.get_fields()
        if field.concrete and getattr(field, "editable", False) and not field.auto_created
    }


def test_every_editable_agent_field_is_in_exactly_one_section() -> None:
    """A field added to Agent and forgotten here fails this test instead of silently
    missing from the page."""
    from collections import Counter

    from django.contrib import admin
    from django.contrib.admin.utils import flatten_fieldsets

    model_admin = admin.site._registry[Agent]
    fieldsets = model_admin.fieldsets or []
    placed = flatten_fieldsets(fieldsets)
    assert [name for name, count in Counter(placed).items() if count > 1] == []
    assert _editable_fields() - set(placed) == set()
    # Everything else placed is a read-only display: the secret is shown, never edited.
    assert set(placed) - _editable_fields() <= set(model_admin.readonly_fields)
    assert "webhook_signing_secret" in placed
    assert [name for name, _ in fieldsets[1:]] == SECTIONS


@pytest.mark.parametrize("who", ["owner", "superuser"])
def test_the_agent_page_is_in_sections_with_hours_and_services_in_theirs(
    who: str, owner: User, agent: Agent
) -> None:
    from voiceagent.tests.admin_data import business_owner, owner_agent, signed_in

    if who == "owner":
        user = business_owner("bea")
        agent = owner_agent(user, name="Salon", public_id="salon")
    else:
        user = owner
    page = signed_in(user).get(reverse("admin:agents_agent_change", args=[agent.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    positions = [html.index(f">{section}</h2>") for section in SECTIONS]
    assert positions == sorted(positions)
    # The services and opening hours are edited inside "Hours and services".
    hours, calendar = html.index(">Hours and services</h2>"), html.index(">Calendar</h2>")
    assert hours < html.index('name="services-TOTAL_FORMS"') < calendar
    assert hours < html.index('name="business_hours-TOTAL_FORMS"') < calendar
    # Every editable field has its input; the owner field only for superusers.
    for name in _editable_fields() - {"owner"}:
        assert f'name="{name}"' in html, name
    assert ('name="owner"' in html) is (who == "superuser")
    assert "Phone calls are not set up on this server" in html


def test_the_phone_section_gives_the_twilio_webhook_address(
    client: Client, agent: Agent, settings: Any
) -> None:
    settings.TWILIO_AUTH_TOKEN = "token-for-the-test"
    settings.PUBLIC_BASE_URL = "https://voice.example.com"
    page = client.get(reverse("admin:agents_agent_change", args=[agent.pk])).content.decode()
    assert f"https://voice.example.com/twilio/voice/{agent.public_id}/" in page


def test_recording_is_switched_on_from_its_section(client: Client, agent: Agent) -> None:
    assert (
        _post(client, agent, record_calls="on", recording_notice="We record calls for training.")
        == ""
    )
    agent.refresh_from_db()
    assert agent.record_calls is True
    assert agent.recording_notice == "We record calls for training."


def test_a_staff_owner_saves_their_agent_and_stays_its_owner(agent: Agent) -> None:
    from voiceagent.tests.admin_data import business_owner, owner_agent, signed_in

    bea = business_owner("bea")
    salon = owner_agent(bea, name="Salon", public_id="salon")
    # A forged owner field is not part of a staff user's form.
    data = _form_data(salon, greeting="Welcome to the salon.", owner=agent.owner_id)
    response = signed_in(bea).post(reverse("admin:agents_agent_change", args=[salon.pk]), data)
    assert response.status_code == 302
    salon.refresh_from_db()
    assert salon.greeting == "Welcome to the salon." and salon.owner == bea
