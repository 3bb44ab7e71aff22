"""Every link the server hands out starts with one base (voiceagent.links): the
configured PUBLIC_BASE_URL, else the request's own address, else the HOST/PORT that
`make run` serves on. `PORT=8123 make run` must not hand out links to port 8000."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from agents.models import Agent
from appointments.models import Appointment, AppointmentStatus
from calls.models import CallLog
from calls.services import call_summary_make
from voiceagent import background
from voiceagent.checks import public_address_for_links
from voiceagent.config import dev_base_url
from voiceagent.env import Env
from voiceagent.links import (
    CurrentRequestMiddleware,
    configured_base_url,
    public_base_url,
    public_url,
    stored_url,
)

DEV_8123 = "http://127.0.0.1:8123"


@pytest.fixture
def port_8123(settings: Settings) -> None:
    """The settings `PORT=8123 make run` produces: debug, no PUBLIC_BASE_URL."""
    settings.PUBLIC_BASE_URL = ""
    settings.DEV_BASE_URL = dev_base_url(Env({"PORT": "8123", "HOST": "127.0.0.1"}))


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8123"}, DEV_8123),
        ({"HOST": "0.0.0.0", "PORT": "9000"}, "http://127.0.0.1:9000"),  # noqa: S104 (read, not bound)
        ({"HOST": "localhost", "PORT": "8123"}, "http://localhost:8123"),
        ({"HOST": "::1", "PORT": "8123"}, "http://[::1]:8123"),
    ],
)
def test_the_development_address_follows_host_and_port(
    environ: dict[str, str], expected: str
) -> None:
    assert dev_base_url(Env(environ)) == expected


def test_the_configured_address_wins_then_the_request_then_host_and_port(
    settings: Settings, port_8123: None
) -> None:
    settings.ALLOWED_HOSTS = ["192.168.1.20"]  # the demo opened from another machine
    request = RequestFactory().get("/", HTTP_HOST="192.168.1.20:8123")
    assert public_base_url() == DEV_8123
    assert public_url("/x.ics") == f"{DEV_8123}/x.ics"
    assert public_base_url(request) == "http://192.168.1.20:8123"
    assert configured_base_url() == DEV_8123  # telephony: never the request's host
    settings.PUBLIC_BASE_URL = "https://voice.example.com"
    assert public_base_url(request) == "https://voice.example.com"
    assert configured_base_url() == "https://voice.example.com"
    settings.PUBLIC_BASE_URL, settings.DEV_BASE_URL = "", ""  # production, unset
    assert public_base_url() == ""
    assert public_base_url(request) == "http://192.168.1.20:8123"


@pytest.mark.django_db
def test_the_admin_and_the_api_give_the_embed_snippet_on_port_8123(
    agent: Agent, owner: User, port_8123: None, api_client: object
) -> None:
    admin = Client(HTTP_HOST="127.0.0.1:8123")
    admin.force_login(owner)
    page = admin.get(reverse("admin:agents_agent_change", args=[agent.pk])).content.decode()
    assert f"{DEV_8123}/static/voiceagent/widget.js" in page
    assert ":8000" not in page

    api = api_client(owner)  # type: ignore[operator]
    body = api.get(f"/api/agents/{agent.public_id}/", HTTP_HOST="127.0.0.1:8123").json()
    assert f'src="{DEV_8123}/static/voiceagent/widget.js"' in body["embed_snippet"]
    demo = Client(HTTP_HOST="127.0.0.1:8123").get("/").content.decode()
    assert f"{DEV_8123}/static/voiceagent/widget.js" in demo


@pytest.mark.django_db(transaction=True)
def test_the_booking_email_links_the_ics_on_port_8123(call: CallLog, port_8123: None) -> None:
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)
    service = call.agent.services.first()
    assert service is not None
    appointment = Appointment.objects.create(
        agent=call.agent,
        call=call,
        service=service,
        service_name=service.name,
        start_at=start,
        end_at=start + dt.timedelta(minutes=30),
        timezone="Europe/London",
        status=AppointmentStatus.CONFIRMED,
        idempotency_key="k-ics-8123",
    )
    call_summary_make(call_id=str(call.pk))  # after the call: no request in sight
    assert background.wait_idle()
    caller = next(email for email in mail.outbox if email.to == ["ada@example.com"])
    assert f"{DEV_8123}/appointments/{appointment.pk}.ics" in caller.body
    team = next(email for email in mail.outbox if email.to != ["ada@example.com"])
    assert f"{DEV_8123}/admin/calls/calllog/{call.pk}/change/" in team.body


def test_links_for_emails_and_webhooks_never_take_the_requests_host(
    settings: Settings, port_8123: None
) -> None:
    """A client chooses its Host header: a link mailed to a caller or posted to a webhook
    while that client's request is served must not point where the client wanted."""
    from appointments.selectors import appointment_payload
    from notifications.selectors import admin_url

    settings.ALLOWED_HOSTS = ["*"]
    seen: dict[str, str] = {}

    def view(request: object) -> object:
        moment = timezone.now()
        appointment = Appointment(start_at=moment, end_at=moment, timezone="UTC")
        seen["stored"] = stored_url("/x")
        seen["admin"] = admin_url("admin:index")
        seen["ics"] = str(appointment_payload(appointment)["ics_url"])
        seen["shown"] = public_url("/x")
        return object()

    CurrentRequestMiddleware(view)(RequestFactory().get("/", HTTP_HOST="evil.example:666"))
    assert seen["stored"] == f"{DEV_8123}/x"
    assert seen["admin"].startswith(DEV_8123 + "/admin/")
    assert seen["ics"].startswith(DEV_8123 + "/appointments/")
    # Shown in the response to that request only: the address the browser used.
    assert seen["shown"] == "http://evil.example:666/x"


def test_check_deploy_warns_when_links_have_no_public_address(settings: Settings) -> None:
    settings.DEBUG, settings.PUBLIC_BASE_URL = False, ""
    assert [w.id for w in public_address_for_links(None)] == ["voiceagent.W003"]
    settings.PUBLIC_BASE_URL = "https://voice.example.com"
    assert public_address_for_links(None) == []
