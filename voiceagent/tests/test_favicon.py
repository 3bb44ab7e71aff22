"""The product has an icon: linked from its pages, and at /favicon.ico for the rest."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from agents.models import Agent

pytestmark = pytest.mark.django_db

ICON = "/static/voiceagent/favicon.svg"


def _icon_is_served(client: Client) -> None:
    response = client.get(ICON)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body.startswith(b"<svg") and response["Content-Type"] == "image/svg+xml"


def test_favicon_ico_leads_to_the_icon() -> None:
    client = Client()
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == ICON
    _icon_is_served(client)


def test_the_demo_the_admin_and_the_dashboard_link_the_icon(agent: Agent, owner: object) -> None:
    client = Client()
    client.force_login(owner)  # type: ignore[arg-type]
    link = f'<link rel="icon" href="{ICON}" type="image/svg+xml">'
    for url in ("/", reverse("admin:index"), reverse("dashboard:overview")):
        page = client.get(url).content.decode()
        assert link in page, url
    assert link in Client().get(reverse("admin:login")).content.decode()
