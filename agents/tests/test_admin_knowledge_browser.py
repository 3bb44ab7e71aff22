"""The knowledge source add page in a real browser (Debian's Chromium through Playwright):
choosing a kind shows only its field, under the site's Content-Security-Policy.

Screenshots go to test-artifacts/admin/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from pytest_django.live_server_helper import LiveServer

from voiceagent.tests.admin_data import business_owner, owner_agent, signed_in

pytestmark = pytest.mark.django_db(transaction=True)

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "admin"

if not os.path.exists(CHROMIUM):
    if os.environ.get("VOICEAGENT_REQUIRE_SERVICES"):
        raise RuntimeError("Chromium is installed by .ci/run; it is missing")
    pytest.skip("needs Debian's chromium (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import ConsoleMessage, sync_playwright  # noqa: E402


def _note(problems: list[str], message: ConsoleMessage) -> None:
    # The browser asks for /favicon.ico, which the admin does not have.
    if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
        problems.append(message.text)


@pytest.fixture
def bea() -> User:
    user = business_owner("bea")
    owner_agent(user, name="Salon", public_id="salon")
    return user


def test_choosing_a_kind_shows_only_its_field(live_server: LiveServer, bea: User) -> None:
    session = signed_in(bea).cookies[settings.SESSION_COOKIE_NAME].value
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            context = browser.new_context()
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
            )
            page = context.new_page()
            page.on("console", lambda message: _note(problems, message))
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.goto(f"{live_server.url}/admin/agents/knowledgesource/add/")

            def visible() -> list[str]:
                return [
                    name
                    for name in ("content", "file", "url")
                    if page.locator(f".form-row.field-{name}").is_visible()
                ]

            assert visible() == ["content"]  # "Pasted text" is the default kind
            page.select_option("#id_kind", "pdf")
            assert visible() == ["file"]
            page.select_option("#id_kind", "url")
            assert visible() == ["url"]
            page.screenshot(path=str(ARTIFACTS / "knowledge-source-add-url.png"), full_page=True)
            page.select_option("#id_kind", "markdown")
            assert visible() == ["content"]
        finally:
            browser.close()
    assert problems == []  # no script error, no Content-Security-Policy violation
