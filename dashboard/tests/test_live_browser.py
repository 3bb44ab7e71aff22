"""The live page in a real browser (Debian's Chromium through Playwright), served by
uvicorn in this process under the product's Content-Security-Policy: captions appear as
the caller speaks, *Hang up* ends the call for the caller, a call that starts while the
page is open appears on it. A screenshot goes to test-artifacts/dashboard/.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.test import AsyncClient
from pytest_django import Settings
from websockets.asyncio.client import ClientConnection, connect

from agents.models import Agent
from calls.models import CallLog
from calls.tests.conftest import calls_settled
from voiceagent.asgi import application
from voiceagent.tests.server_process import free_port

pytestmark = pytest.mark.django_db(transaction=True)

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"

if not os.path.exists(CHROMIUM):
    if os.environ.get("VOICEAGENT_REQUIRE_SERVICES"):
        raise RuntimeError("Chromium is installed by .ci/run; it is missing")
    pytest.skip("needs Debian's chromium (apt-get install chromium)", allow_module_level=True)

from playwright.async_api import Browser, Page, async_playwright  # noqa: E402


@pytest.fixture
async def server(settings: Settings) -> AsyncIterator[str]:
    """uvicorn serving the project in this event loop, with the offline engine."""
    settings.VOICEAGENT_ENGINE = "offline"
    settings.OPENAI_API_KEY = ""
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    port = free_port()
    config = uvicorn.Config(
        application, host="127.0.0.1", port=port, lifespan="off", log_level="warning"
    )
    instance = uvicorn.Server(config)
    task = asyncio.create_task(instance.serve())
    async with asyncio.timeout(10):
        while not instance.started:
            await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    async with asyncio.timeout(20):  # a consumer that never finishes fails, not hangs
        await task


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        yield instance
        await instance.close()


class Caller:
    def __init__(self, websocket: ClientConnection) -> None:
        self.websocket = websocket

    async def until(self, kind: str) -> dict[str, Any]:
        async with asyncio.timeout(10):
            while True:
                message = json.loads(await self.websocket.recv())
                if message["type"] == kind:
                    return dict(message)


async def call(base: str) -> tuple[Caller, str]:
    websocket = await connect(base.replace("http", "ws") + "/ws/calls/front-desk/")
    caller = Caller(websocket)
    return caller, (await caller.until("ready"))["call_id"]


async def staff_page(browser: Browser, base: str, owner: User) -> tuple[Page, list[str]]:
    client = AsyncClient()
    await client.aforce_login(owner)
    name = django_settings.SESSION_COOKIE_NAME
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    await context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": base}])
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    return page, errors


async def test_staff_follow_and_hang_up_a_call_in_the_browser(
    agent: Agent, owner: User, server: str, browser: Browser
) -> None:
    caller, call_id = await call(server)
    page, errors = await staff_page(browser, server, owner)
    await page.goto(server + "/dashboard/live/")
    card = page.locator(f'[data-call-id="{call_id}"]')
    # Following the call's events (the page marks a card once its snapshot is in).
    await page.locator(f'[data-call-id="{call_id}"][data-connected="true"]').wait_for()
    await card.locator('[data-role="status"]', has_text="Active").wait_for(timeout=10_000)

    said = "Hi, my name is Ada Lovelace"
    await caller.websocket.send(json.dumps({"type": "text", "text": said}))
    await card.locator(".turn.user", has_text=said).wait_for(timeout=10_000)
    await card.locator('[data-role="captured"]', has_text="Ada Lovelace").wait_for(timeout=10_000)
    await card.locator(".turn.assistant").last.wait_for(timeout=10_000)

    # A call that starts while the page is open appears on it (the page polls every 5 s).
    second, second_id = await call(server)
    await page.locator(f'[data-call-id="{second_id}"]').wait_for(timeout=10_000)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "live.png"), full_page=True)
    await card.get_by_role("button", name="Hang up").click()
    assert (await caller.until("ended"))["reason"] == "staff_ended"
    note = card.locator('[data-role="result"]', has_text="The call was ended")
    await note.wait_for(timeout=10_000)
    await card.locator('[data-role="status"]', has_text="Ended (staff ended)").wait_for()
    assert await card.get_by_role("button", name="Hang up").is_disabled()
    assert (await CallLog.objects.aget(pk=call_id)).end_reason == "staff_ended"
    # The other call goes on.
    assert await CallLog.objects.filter(pk=second_id, status="active").aexists()

    await second.websocket.send(json.dumps({"type": "end"}))
    await second.until("ended")
    await caller.websocket.close()
    await second.websocket.close()
    await calls_settled()
    assert errors == []
