"""The README's demo, as a new user plays it: `make run`'s server (migrate, bootstrap, uvicorn
on a chosen PORT, embedded defaults, offline engine) and the widget in Chromium, typing what
a caller says the way a speech recogniser writes it. Checks what the business is left with:
the contact, the appointment, the transcript (greeting included) and links on the right port.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from voiceagent.tests.server_process import ServerProcess, free_port, start_server

pytestmark = pytest.mark.embedded_pass_only  # the demo brings its own database

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "demo"

if not os.path.exists(CHROMIUM):
    if os.environ.get("VOICEAGENT_REQUIRE_SERVICES"):
        raise RuntimeError("Chromium is installed by .ci/run; it is missing")
    pytest.skip("needs Debian's chromium (apt-get install chromium)", allow_module_level=True)

from playwright.async_api import Browser, Locator, Page, async_playwright  # noqa: E402


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    port = free_port()
    # As `PORT=… make run` does: the Makefile exports HOST and PORT to the server.
    running = start_server(
        tmp_path_factory.mktemp("demo"), port=port, HOST="127.0.0.1", PORT=str(port)
    )
    yield running
    running.stop()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        yield instance
        await instance.close()


def _rows(server: ServerProcess, query: str, *params: object) -> list[sqlite3.Row]:
    with sqlite3.connect(server.data_dir / "db.sqlite3") as connection:
        connection.row_factory = sqlite3.Row
        return connection.execute(query, params).fetchall()


async def _say(widget: Locator, text: str, expect: str) -> str:
    """Types ``text`` and waits for the agent's next final reply matching ``expect``."""
    replies = widget.locator("li.assistant")
    before = await replies.count()
    await widget.locator("input").fill(text)
    await widget.locator("input").press("Enter")
    await widget.locator("li.user", has_text=text).last.wait_for()
    pattern = re.compile(expect, re.IGNORECASE)
    for _ in range(200):
        texts = await replies.all_inner_texts()
        if any(pattern.search(reply) for reply in texts[before:]):
            return texts[-1]
        await widget.page.wait_for_timeout(50)
    raise AssertionError(f"after {text!r} the agent never said /{expect}/: {texts[before:]}")


def _first_open_day(today: dt.date) -> dt.date:
    """The demo business opens Monday to Friday (bootstrap)."""
    day = today + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


async def test_the_readme_demo_books_on_the_first_try(
    demo_server: ServerProcess, browser: Browser
) -> None:
    base = demo_server.base_url
    page: Page = await browser.new_page()
    await page.goto(base + "/")
    # The widget is ready for a click once it has set its state (as a user's first click
    # would land after the page has finished loading).
    await page.wait_for_selector("[data-voiceagent][data-state]", state="attached")
    widget = page.locator("[data-voiceagent]")
    await page.get_by_role("button", name="Start call").click()
    try:
        await widget.locator("li.assistant").first.wait_for(timeout=30_000)
    except Exception as error:
        raise AssertionError(
            f"no greeting; the server said:\n{demo_server.output[-3000:]}"
        ) from error

    await _say(widget, "hi um my name is Ada Lovelace", "email")
    await _say(widget, "yeah it's ada at example dot com", "phone")
    await _say(widget, "my phone is four one five five five five zero one two three", "details")
    card = widget.locator("[data-card='contact']")
    await card.locator(".badge", has_text="Saved").wait_for()
    assert "+14155550123" in await card.inner_text()

    # The sample knowledge bootstrap adds answers questions out of the box.
    hours = await _say(widget, "What are your opening hours?", r"monday|9")
    assert "don't have that information" not in hours

    today = dt.datetime.now(dt.UTC).date()  # the demo agent's zone is UTC
    day = _first_open_day(today)
    reply = await _say(
        widget,
        "I'd like to book a consultation tomorrow at 3 pm",
        r"booked|confirmed|which would you like|done",
    )
    if "which would you like" in reply.lower():
        # Tomorrow is closed: the nearest free times are offered on the next open day,
        # in the en-US caller's 12-hour clock, and the day carries over to the answer.
        assert "3:00 PM" in reply and "15:00" not in reply, reply
        await _say(widget, "3 pm please", r"booked|confirmed|done")
    appointment_card = widget.locator("[data-card^='appointment-']")
    await appointment_card.wait_for()
    ics = await appointment_card.locator("a", has_text=".ics").get_attribute("href")
    assert ics and ics.startswith(base + "/"), ics  # the port the demo runs on
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "booked.png"))
    await page.get_by_role("button", name="End call").click()
    await page.close()

    [contact] = _rows(demo_server, "SELECT * FROM contacts_contact")
    assert (contact["name"], contact["email"], contact["phone"]) == (
        "Ada Lovelace",
        "ada@example.com",
        "+14155550123",
    )
    [appointment] = _rows(demo_server, "SELECT * FROM appointments_appointment")
    start = dt.datetime.fromisoformat(str(appointment["start_at"]))
    assert (start.date(), start.hour, start.minute) == (day, 15, 0)
    assert appointment["contact_id"] == contact["id"]
    assert appointment["status"] == "confirmed"

    # Everything the caller saw and heard is in the record, the greeting first.
    turns = _rows(demo_server, "SELECT role, text FROM calls_transcriptturn ORDER BY call_id, seq")
    assert turns[0]["role"] == "assistant" and turns[0]["text"], list(map(dict, turns))
    said = [turn["text"] for turn in turns if turn["role"] == "user"]
    assert "my phone is four one five five five five zero one two three" in said


async def test_every_link_the_admin_shows_uses_the_demo_port(
    demo_server: ServerProcess, browser: Browser
) -> None:
    page = await browser.new_page()
    base = demo_server.base_url
    await page.goto(base + "/admin/login/")
    await page.fill("input[name=username]", "admin")
    await page.fill("input[name=password]", demo_server.admin_password)
    await page.click("input[type=submit]")
    [agent] = _rows(demo_server, "SELECT id FROM agents_agent")
    await page.goto(f"{base}/admin/agents/agent/{agent['id']}/change/")
    content = await page.content()
    snippet_urls = re.findall(r"https?://[^\s\"'&<>]+", content)
    ours = [url for url in snippet_urls if "127.0.0.1" in url or "localhost" in url]
    assert ours and all(url.startswith(base) for url in ours), ours
    await page.close()
