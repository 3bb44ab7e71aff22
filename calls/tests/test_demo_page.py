"""The page at / starts a call with the demo agent."""

from __future__ import annotations

import pytest
from django.test import Client

from agents.models import Agent

pytestmark = pytest.mark.django_db


def test_demo_page_renders_for_the_demo_agent(agent: Agent) -> None:
    page = Client().get("/").content.decode()
    assert "Front desk" in page
    assert 'data-agent="front-desk"' in page
    assert "/static/voiceagent/widget.js" in page
    # The embed section shows the one-tag snippet, escaped for reading.
    assert "&lt;script src=" in page


def test_demo_page_explains_a_missing_bootstrap() -> None:
    response = Client().get("/")
    assert response.status_code == 404
