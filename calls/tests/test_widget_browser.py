"""The widget in a real browser (Debian's Chromium through Playwright) against a real
ASGI server (uvicorn, in this process) whose upstream is the fake OpenAI Realtime server.

Chromium's fake microphone plays a sentence spoken by espeak-ng. Screenshots of each
state are written to test-artifacts/widget/.
"""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import subprocess
import wave
import weakref
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import uvicorn
from asgiref.sync import sync_to_async
from pytest_django import Settings

from agents.models import Agent
from calls.services import call_client_message_send
from calls.tests.fake_openai import FakeConnection, FakeRealtimeServer
from voiceagent.asgi import application
from voiceagent.tests.server_process import free_port

pytestmark = pytest.mark.django_db(transaction=True)

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "widget"
BROWSER_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]

if not os.path.exists(CHROMIUM) or shutil.which("espeak-ng") is None:
    if os.environ.get("VOICEAGENT_REQUIRE_SERVICES"):
        raise RuntimeError("Chromium and espeak-ng are installed by .ci/run; they are missing")
    pytest.skip(
        "needs Debian's chromium and espeak-ng (apt-get install chromium espeak-ng)",
        allow_module_level=True,
    )

from playwright.async_api import Browser, Page, ViewportSize, async_playwright  # noqa: E402

servers: dict[str, uvicorn.Server] = {}
# What each open page reported as an error (see open_widget).
page_errors: weakref.WeakKeyDictionary[Page, list[str]] = weakref.WeakKeyDictionary()


def tone(seconds: float, frequency: float = 440.0, amplitude: float = 0.5) -> list[bytes]:
    """Loud 24 kHz PCM16 in 50 ms chunks: easy to see on the output meter."""
    t = np.arange(int(24000 * seconds)) / 24000
    pcm = (amplitude * np.sin(2 * np.pi * frequency * t) * 32767).astype("<i2").tobytes()
    return [pcm[i : i + 2400] for i in range(0, len(pcm), 2400)]


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sentence from espeak-ng followed by two seconds of silence (Chromium loops it)."""
    folder = tmp_path_factory.mktemp("audio")
    spoken = folder / "spoken.wav"
    subprocess.run(
        ["espeak-ng", "-w", str(spoken), "Hello, I would like to book a consultation please."],
        check=True,
    )
    with wave.open(str(spoken)) as source:
        params, frames = source.getparams(), source.readframes(source.getnframes())
    padded = folder / "speech.wav"
    with wave.open(str(padded), "wb") as target:
        target.setparams(params)
        target.writeframes(frames + b"\0\0" * params.framerate * 2)
    return padded


@pytest.fixture
async def asgi_server(fake: FakeRealtimeServer, settings: Settings) -> AsyncIterator[str]:
    """uvicorn serving the project in this event loop (so the test sees the same database
    and in-memory channel layer)."""
    port = free_port()
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    config = uvicorn.Config(
        application, host="127.0.0.1", port=port, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(10):
        while not server.started:
            await asyncio.sleep(0.02)
    url = f"http://127.0.0.1:{port}"
    servers[url] = server
    yield url
    server.should_exit = True
    await task
    servers.pop(url, None)


@pytest.fixture
async def browser(speech_wav: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                *BROWSER_FLAGS,
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-audio-capture={speech_wav}",
            ],
        )
        yield instance
        await instance.close()


async def open_widget(
    browser: Browser, base_url: str, width: int = 1280, height: int = 800
) -> Page:
    page = await browser.new_page(viewport=ViewportSize(width=width, height=height))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Anything the page's Content-Security-Policy blocked is an error too.
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page_errors[page] = errors
    await page.goto(base_url + "/")
    await page.wait_for_selector("[data-voiceagent][data-state]", state="attached")
    return page


async def debug(page: Page) -> dict[str, Any]:
    return await page.evaluate("window.VoiceAgent.widgets[0].debug()")


async def wait_debug(page: Page, condition: str, timeout: float = 10_000) -> None:
    """Polls from the test side: ``page.wait_for_function`` compiles its predicate with
    eval inside the page, which the product's Content-Security-Policy (rightly) forbids."""
    expression = (
        f"(() => {{ const d = window.VoiceAgent.widgets[0].debug(); return {condition}; }})()"
    )
    deadline = asyncio.get_running_loop().time() + timeout / 1000
    while not await page.evaluate(expression):
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"the widget never reached: {condition}")
        await asyncio.sleep(0.02)


async def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


async def start_call(page: Page, fake: FakeRealtimeServer) -> FakeConnection:
    await page.get_by_role("button", name="Start call").click()
    await wait_debug(page, "d.ready")
    return await fake.connection()


async def test_microphone_speech_reaches_upstream_as_real_time_24khz_chunks(
    agent: Agent, fake: FakeRealtimeServer, asgi_server: str, browser: Browser
) -> None:
    page = await open_widget(browser, asgi_server)
    await shot(page, "idle")
    upstream = await start_call(page, fake)
    await shot(page, "listening")
    loop = asyncio.get_running_loop()
    started = loop.time()
    await asyncio.sleep(4)
    elapsed_ms = (loop.time() - started) * 1000
    chunks = [base64.b64decode(e["audio"]) for e in upstream.of_type("input_audio_buffer.append")]
    sizes = {len(chunk) for chunk in chunks}
    assert sizes == {2400}, sizes  # 50 ms of PCM16 at 24 kHz (within 40-60 ms)
    received_ms = len(chunks) * 50
    assert 0.7 * elapsed_ms <= received_ms <= 1.3 * elapsed_ms + 200
    levels = [
        float(np.sqrt(np.mean((np.frombuffer(c, "<i2").astype(np.float64) / 32768) ** 2)))
        for c in chunks
    ]
    assert max(levels) > 0.02, "no speech energy reached the server"
    assert min(levels) < max(levels) / 10, "no pauses: this is not speech"
    assert page_errors[page] == []


async def test_reply_plays_and_barge_in_silences_it_within_100_ms(
    agent: Agent, fake: FakeRealtimeServer, asgi_server: str, browser: Browser
) -> None:
    fake.greeting_chunks = tone(4.0)
    page = await open_widget(browser, asgi_server)
    upstream = await start_call(page, fake)
    await wait_debug(page, "d.state === 'speaking' && d.outputLevel > 0.05")
    await shot(page, "speaking")
    # Let a few hundred ms play first: the truncation below must land past 100 ms, and a
    # barge-in in the first tens of ms (a busy machine) would truncate before that.
    await asyncio.sleep(0.3)
    await upstream.emit("input_audio_buffer.speech_started", audio_start_ms=0, item_id="item_x")
    await wait_debug(page, "d.silencedAt !== null && d.listeningAt > 0")
    state = await debug(page)
    assert state["silencedAt"] < 100, state
    assert state["state"] == "listening" and state["playing"] is False
    await asyncio.sleep(0.3)
    assert (await debug(page))["outputLevel"] < 0.001
    await shot(page, "interrupted")
    # The widget's playback reports let the server truncate at what was heard.
    truncate = (await upstream.wait_for("conversation.item.truncate"))[0]
    assert 100 < truncate["audio_end_ms"] < 4000


async def test_stop_speaking_and_mute(
    agent: Agent, fake: FakeRealtimeServer, asgi_server: str, browser: Browser
) -> None:
    fake.greeting_chunks = tone(4.0)
    # A phone-sized screen, where the footer's buttons are the tightest.
    page = await open_widget(browser, asgi_server, width=360, height=720)
    upstream = await start_call(page, fake)
    await wait_debug(page, "d.state === 'speaking' && d.outputLevel > 0.05")
    stop = page.get_by_role("button", name="Stop speaking")
    end = page.get_by_role("button", name="End call")
    stop_box, end_box = await stop.bounding_box(), await end.bounding_box()
    assert stop_box is not None and end_box is not None
    # Its label fits on one line: as tall as a one-line button (44 px minimum).
    assert stop_box["height"] == end_box["height"] and stop_box["height"] < 50, stop_box
    await shot(page, "speaking-mobile-360")
    await stop.click()
    await wait_debug(page, "d.outputLevel < 0.001 && !d.playing")
    truncate = (await upstream.wait_for("conversation.item.truncate"))[0]
    assert truncate["audio_end_ms"] < 4000

    await page.get_by_role("button", name="Mute").click()
    await asyncio.sleep(0.3)  # frames already in flight
    before = len(upstream.of_type("input_audio_buffer.append"))
    await asyncio.sleep(1.0)
    assert len(upstream.of_type("input_audio_buffer.append")) == before
    await page.get_by_role("button", name="Unmute").click()
    await asyncio.sleep(1.5)
    assert len(upstream.of_type("input_audio_buffer.append")) > before + 10


async def test_lost_connection_offers_to_try_again(
    agent: Agent, fake: FakeRealtimeServer, asgi_server: str, browser: Browser
) -> None:
    page = await open_widget(browser, asgi_server)
    await start_call(page, fake)
    servers[asgi_server].should_exit = True  # the server goes away mid-call
    await page.get_by_role("alert").get_by_text("The connection was lost.").wait_for()
    assert (await debug(page))["microphone"] is False
    await shot(page, "connection-lost")


async def test_captions_typed_text_and_cards(
    agent: Agent, fake: FakeRealtimeServer, asgi_server: str, browser: Browser
) -> None:
    async def reply(connection: FakeConnection, event: dict[str, Any]) -> None:
        await connection.speak("Nice to meet you, Ada.", tone(0.3), pause=0.01)

    fake.on_response_create = reply
    page = await open_widget(browser, asgi_server)
    upstream = await start_call(page, fake)
    widget = page.locator("[data-voiceagent]")
    await widget.locator("input").fill("My name is Ada Lovelace")
    await widget.locator("input").press("Enter")
    await widget.locator("li.user", has_text="My name is Ada Lovelace").wait_for()
    await widget.locator("li.assistant", has_text="Nice to meet you, Ada.").wait_for()
    created = upstream.of_type("conversation.item.create")[-1]["item"]
    assert created["content"][0]["text"] == "My name is Ada Lovelace"

    await upstream.call_functions(
        [("update_user_info", {"name": "Ada Lovelace", "email": "ada@example.com"})]
    )
    contact_card = widget.locator("[data-card='contact']")
    await contact_card.filter(has_text="ada@example.com").wait_for()
    assert "Not saved yet" in await contact_card.inner_text()

    call_id = (await debug(page))["callId"]
    send = sync_to_async(call_client_message_send)
    await send(
        call_id=call_id,
        message={
            "type": "contact_saved",
            "contact": {
                "id": 1,
                "name": "Ada Lovelace",
                "email": "ada@example.com",
                "phone": "+442071838750",
            },
        },
    )
    await (
        contact_card.filter(has_text="+442071838750").locator(".badge", has_text="Saved").wait_for()
    )
    # One card for the caller's details, updated in place, not one per message.
    assert await widget.locator(".card").count() == 1
    assert "Ada Lovelace" in await contact_card.inner_text()
    appointment = {
        "id": "a1",
        "service": "Consultation",
        "start": "2026-12-01T14:00:00Z",
        "end": "2026-12-01T14:30:00Z",
        "timezone": "Europe/London",
        "status": "pending",
        "provider": "local",
        "ics_url": "/appointments/a1.ics",
    }
    await send(call_id=call_id, message={"type": "appointment", "appointment": appointment})
    card = widget.locator("[data-card='appointment-a1']")
    await card.locator(".badge", has_text="pending").wait_for()
    assert "2026" in await card.inner_text() and "December" in await card.inner_text()
    await send(
        call_id=call_id,
        message={
            "type": "appointment",
            "appointment": {
                **appointment,
                "status": "confirmed",
                "calendar_link": "https://calendar.example/e/1",
            },
        },
    )
    await card.locator(".badge", has_text="confirmed").wait_for()
    assert await card.locator("a", has_text="Open in calendar").count() == 1
    # Other message types cannot be pushed to a caller.
    await send(call_id=call_id, message={"type": "ended", "reason": "client_ended"})
    await shot(page, "cards")

    await page.get_by_role("button", name="End call").click()
    await wait_debug(page, "d.state === 'ended'")
    state = await debug(page)
    assert state["microphone"] is False and state["contextRate"] is None  # released
    await widget.locator("li.note", has_text="You ended the call.").wait_for()
    await shot(page, "ended")
    assert page_errors[page] == []


async def test_server_refused_and_upstream_unavailable_states(
    agent: Agent, fake: FakeRealtimeServer, asgi_server: str, browser: Browser, settings: Settings
) -> None:
    page = await browser.new_page()
    # A site embedding a widget for an agent the server does not know.
    embed = (
        f'<!doctype html><title>Shop</title><p>Shop</p><script src="{asgi_server}'
        '/static/voiceagent/widget.js" data-agent="no-such-agent" data-open="true" async></script>'
    )
    await page.route(
        f"{asgi_server}/embed-test",
        lambda route: route.fulfill(body=embed, content_type="text/html"),
    )
    await page.goto(f"{asgi_server}/embed-test")
    await page.get_by_role("button", name="Start call").click()
    alert = page.get_by_role("alert")
    await alert.get_by_text("not available").wait_for()
    await shot(page, "server-refused")

    page = await open_widget(browser, asgi_server)
    fake.handshake_delay = 3
    settings.REALTIME_CONNECT_TIMEOUT = 0.5
    await page.get_by_role("button", name="Start call").click()
    await page.get_by_role("alert").get_by_text("could not be reached").wait_for()
    assert (await debug(page))["state"] == "error"
    await shot(page, "upstream-unavailable")


async def test_microphone_denied_offers_typing(
    agent: Agent, fake: FakeRealtimeServer, asgi_server: str
) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                *BROWSER_FLAGS,
                "--use-fake-device-for-media-stream",
                "--deny-permission-prompts",
            ],
        )
        page = await open_widget(browser, asgi_server)
        await page.get_by_role("button", name="Start call").click()
        await page.get_by_role("alert").get_by_text("Microphone access was denied").wait_for()
        await shot(page, "mic-denied")
        await page.get_by_role("button", name="Type instead").click()
        await wait_debug(page, "d.ready && !d.microphone")
        await browser.close()


async def test_keyboard_and_small_screens(
    agent: Agent, fake: FakeRealtimeServer, asgi_server: str, browser: Browser
) -> None:
    page = await open_widget(browser, asgi_server, width=360, height=720)
    panel = page.locator("[data-voiceagent] [role=dialog]")
    box = await panel.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    await shot(page, "mobile-360")
    # The open panel (the demo opens it) takes the launcher's place: no launcher over it.
    launcher = page.get_by_role("button", name="Talk to us")
    assert await launcher.is_hidden()
    # Keyboard only: Escape closes the panel and brings back the launcher, focused;
    # Enter reopens the panel with focus on "Start call", and hides the launcher again.
    await page.get_by_role("button", name="Start call").focus()
    await page.keyboard.press("Escape")
    assert await panel.is_hidden()
    assert await launcher.is_visible()
    assert await active_text(page) == "Talk to us"
    await page.keyboard.press("Enter")
    assert await panel.is_visible()
    assert await launcher.is_hidden()
    assert await active_text(page) == "Start call"
    await page.get_by_role("button", name="Close").click()
    assert await panel.is_hidden() and await launcher.is_visible()
    await launcher.click()
    assert await active_text(page) == "Start call"
    await page.keyboard.press("Enter")
    await wait_debug(page, "d.ready")
    await shot(page, "mobile-360-call")


async def active_text(page: Page) -> str:
    return await page.evaluate(
        "document.querySelector('[data-voiceagent]').shadowRoot.activeElement.textContent"
    )
