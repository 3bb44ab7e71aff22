"""Live calls: staff follow a call's events from another connection and hang it up.

Real calls (the offline engine, through the real call consumer) and the dashboard's
socket and views, on the configured channel layer: channels-redis in the PostgreSQL +
Redis pass (REDIS_URL), the in-memory layer otherwise. The call, the dashboard socket
and the hang-up talk only through the layer, as they do across server processes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

import pytest
from asgiref.sync import ThreadSensitiveContext
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import User
from django.test import AsyncClient, Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from agents.models import Agent
from calls import live_services
from calls.live_services import HangUp, call_hang_up
from calls.models import CallLog
from calls.tests.conftest import CallClient, calls_settled
from voiceagent.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = "http://localhost"


@pytest.fixture
def offline(settings: Settings) -> None:
    settings.VOICEAGENT_ENGINE = "offline"
    settings.OPENAI_API_KEY = ""


@pytest.fixture
def stranger(django_user_model: type[User]) -> User:
    """Staff, but not the owner of the demo agent."""
    return django_user_model.objects.create_user(
        username="stranger", password="pw-stranger-12345", is_staff=True
    )


async def logged_in(user: User) -> AsyncClient:
    client = AsyncClient()
    await client.aforce_login(user)
    return client


def monitor(
    call_id: str, client: AsyncClient | None, origin: str | None = ORIGIN
) -> WebsocketCommunicator:
    headers = [(b"host", b"localhost")]
    if client is not None:
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return WebsocketCommunicator(application, f"/ws/dashboard/calls/{call_id}/", headers=headers)


async def next_event(socket: WebsocketCommunicator, kind: str, **match: Any) -> dict[str, Any]:
    """The monitor's next forwarded event of a type (and fields), past the snapshot."""
    while True:
        message = json.loads(await socket.receive_from(timeout=5))
        if message["kind"] == "snapshot":
            continue
        assert message["kind"] == "event", message
        event = message["event"]
        if event["type"] == kind and all(event.get(k) == v for k, v in match.items()):
            return event


async def start_call() -> tuple[CallClient, str]:
    caller = CallClient()
    assert await caller.connect()
    ready = await caller.until("ready")
    return caller, ready["call_id"]


async def post(client: AsyncClient, url: str, data: Any = None, **extra: Any) -> Any:
    """A POST as Django's ASGI handler runs it: in a thread-sensitive context of its own,
    so that the request's sync middleware (WhiteNoise) holds a thread of its own while
    the async view waits, not the one thread every call's database work runs in."""
    async with ThreadSensitiveContext():
        return await client.post(url, data or {}, **extra)


def layer_name() -> str:
    return type(get_channel_layer()).__name__


async def test_the_monitor_follows_a_call_from_another_connection(
    agent: Agent, owner: User, offline: None
) -> None:
    caller, call_id = await start_call()
    watcher = monitor(call_id, await logged_in(owner))
    connected, _ = await watcher.connect(timeout=5)
    assert connected, layer_name()
    snapshot = json.loads(await watcher.receive_from(timeout=5))
    assert snapshot["kind"] == "snapshot" and snapshot["call_id"] == call_id
    assert snapshot["status"] == "active"

    await caller.send(type="text", text="Hi, my name is Ada Lovelace")
    said = await next_event(watcher, "transcript", role="user", final=True)
    assert said["text"] == "Hi, my name is Ada Lovelace"
    info = await next_event(watcher, "user_info")
    assert info["user_info"]["name"] == "Ada Lovelace"
    await next_event(watcher, "transcript", role="assistant", final=True)

    await caller.send(type="end")
    assert (await next_event(watcher, "ended"))["reason"] == "client_ended"
    await caller.close()
    await watcher.disconnect()
    await calls_settled()


async def test_a_monitor_opened_mid_call_gets_what_was_said(
    agent: Agent, owner: User, offline: None
) -> None:
    caller, call_id = await start_call()
    await caller.send(type="text", text="Hi, my name is Grace Hopper")
    await caller.until("user_info")
    await caller.until("response_done")
    # Final turns are written in batches, at most a second or two later.
    async with asyncio.timeout(5):
        while not await CallLog.objects.filter(pk=call_id, turns__role="user").aexists():
            await asyncio.sleep(0.1)
    watcher = monitor(call_id, await logged_in(owner))
    assert (await watcher.connect(timeout=5))[0]
    snapshot = json.loads(await watcher.receive_from(timeout=5))
    said = [e["text"] for e in snapshot["entries"] if e["kind"] == "turn" and e["role"] == "user"]
    assert said == ["Hi, my name is Grace Hopper"]
    assert snapshot["user_info"]["name"] == "Grace Hopper"
    await caller.send(type="end")
    await caller.until("ended")
    await caller.close()
    await watcher.disconnect()
    await calls_settled()


async def test_a_turn_said_just_before_the_monitor_joined_comes_with_the_catch_up(
    agent: Agent, owner: User, offline: None
) -> None:
    """Said before the join (no event) and not stored yet (no first snapshot): the
    snapshot sent again once the next batch of turns is stored has it."""
    caller, call_id = await start_call()
    await caller.send(type="text", text="Hi, my name is Grace Hopper")
    await caller.until("transcript", role="user", final=True)
    watcher = monitor(call_id, await logged_in(owner))
    assert (await watcher.connect(timeout=5))[0]
    first = json.loads(await watcher.receive_from(timeout=5))
    assert first["kind"] == "snapshot" and not first.get("catch_up")
    while True:
        message = json.loads(await watcher.receive_from(timeout=5))
        if message["kind"] == "snapshot":
            break
    assert message["catch_up"] is True
    said = [e["text"] for e in message["entries"] if e["kind"] == "turn" and e["role"] == "user"]
    assert said == ["Hi, my name is Grace Hopper"]
    await caller.send(type="end")
    await caller.until("ended")
    await caller.close()
    await watcher.disconnect()
    await calls_settled()


async def test_hang_up_ends_the_live_call_with_staff_ended(
    agent: Agent, owner: User, offline: None
) -> None:
    caller, call_id = await start_call()
    client = await logged_in(owner)
    watcher = monitor(call_id, client)
    assert (await watcher.connect(timeout=5))[0]
    url = reverse("dashboard:call-hang-up", args=[call_id])

    response = await post(client, url, headers={"accept": "application/json"})
    assert response.status_code == 200
    assert response.json()["result"] == "ended", layer_name()

    ended = await caller.until("ended")
    assert ended["reason"] == "staff_ended"
    call = await CallLog.objects.aget(pk=call_id)
    assert (call.status, call.end_reason) == ("completed", "staff_ended")
    assert (await next_event(watcher, "ended"))["reason"] == "staff_ended"

    # Again: the call is over, and the answer says so at once.
    response = await post(client, url, headers={"accept": "application/json"})
    assert response.json()["result"] == "not_live"
    await caller.close()
    await watcher.disconnect()


async def test_hang_up_without_json_redirects_with_a_message(
    agent: Agent, owner: User, offline: None
) -> None:
    caller, call_id = await start_call()
    client = await logged_in(owner)
    live_page = reverse("dashboard:live")
    response = await post(
        client, reverse("dashboard:call-hang-up", args=[call_id]), {"next": live_page}
    )
    assert response.status_code == 302 and response["Location"] == live_page
    assert (await caller.until("ended"))["reason"] == "staff_ended"
    page = (await client.get(live_page)).content.decode()
    assert "The call was ended" in page
    await caller.close()


async def test_a_call_no_process_runs_is_reported_not_waited_for(
    agent: Agent, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A live row whose process died: nobody answers the hang-up, and it says so."""
    orphan = await CallLog.objects.acreate(
        agent=agent, channel="web", engine="offline", status="active"
    )
    monkeypatch.setattr(live_services, "ACK_TIMEOUT_SECONDS", 0.3)
    client = await logged_in(owner)
    loop = asyncio.get_running_loop()
    began = loop.time()
    response = await post(
        client,
        reverse("dashboard:call-hang-up", args=[orphan.pk]),
        headers={"accept": "application/json"},
    )
    assert response.json()["result"] == "no_process"
    assert "not live in any server process" in response.json()["message"]
    assert loop.time() - began < 3
    await orphan.arefresh_from_db()
    assert orphan.status == "active"  # left to the orphan closer (server_lost)


async def test_hang_up_of_an_ended_call_does_not_touch_the_layer(
    agent: Agent, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    ended = await CallLog.objects.acreate(
        agent=agent, channel="web", engine="offline", status="completed", end_reason="client_ended"
    )
    monkeypatch.setattr(live_services, "get_channel_layer", lambda: pytest.fail("layer used"))
    assert await call_hang_up(call_id=str(ended.pk)) == HangUp.NOT_LIVE


def test_hang_up_is_a_post_with_csrf_for_the_owner_only(
    agent: Agent, owner: User, stranger: User
) -> None:
    call = CallLog.objects.create(agent=agent, channel="web", engine="offline", status="completed")
    url = reverse("dashboard:call-hang-up", args=[call.pk])
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.post(url).status_code == 403  # no CSRF token
    assert client.get(url).status_code == 405
    other = Client()
    other.force_login(stranger)
    assert other.post(url).status_code == 404
    assert Client().post(url).status_code == 302  # to the login page
    response = Client()
    response.force_login(owner)
    answer = response.post(url, headers={"accept": "application/json"}).json()
    assert answer["result"] == "not_live"


@pytest.mark.parametrize("who", ["anonymous", "stranger", "non-staff", "other-origin", "no-origin"])
async def test_the_monitor_socket_is_for_the_calls_owner_from_this_site(
    agent: Agent, owner: User, stranger: User, django_user_model: type[User], who: str
) -> None:
    call = await CallLog.objects.acreate(
        agent=agent, channel="web", engine="offline", status="active"
    )
    client: AsyncClient | None
    origin: str | None = ORIGIN
    if who == "anonymous":
        client = None
    elif who == "stranger":
        client = await logged_in(stranger)
    elif who == "non-staff":
        caller = await django_user_model.objects.acreate(username="plain", is_staff=False)
        client = await logged_in(caller)
    else:
        client = await logged_in(owner)
        origin = "https://evil.example" if who == "other-origin" else None
    connected, _ = await monitor(str(call.pk), client, origin=origin).connect(timeout=5)
    assert not connected
    # The owner, from this site, is let in.
    owners = monitor(str(call.pk), await logged_in(owner))
    assert (await owners.connect(timeout=5))[0]
    await owners.disconnect()


def test_the_live_page_lists_the_users_live_calls(
    agent: Agent, owner: User, stranger: User
) -> None:
    now = timezone.now()
    live = CallLog.objects.create(agent=agent, channel="web", engine="offline", status="active")
    CallLog.objects.create(
        agent=agent,
        channel="web",
        engine="offline",
        status="completed",
        started_at=now - dt.timedelta(minutes=5),
        ended_at=now,
    )
    client = Client()
    client.force_login(owner)
    response = client.get(reverse("dashboard:live"))
    assert [call.pk for call in response.context["calls"]] == [live.pk]
    page = response.content.decode()
    assert '<script src="/static/dashboard/live.js" defer></script>' in page
    assert reverse("dashboard:call-hang-up", args=[live.pk]) in page
    rows = client.get(reverse("dashboard:live-calls")).json()["calls"]
    assert [row["id"] for row in rows] == [str(live.pk)]
    other = Client()
    other.force_login(stranger)
    assert other.get(reverse("dashboard:live-calls")).json()["calls"] == []
    assert other.get(reverse("dashboard:live")).context["calls"] == []


def test_these_tests_run_on_the_layer_of_their_pass() -> None:
    """channels-redis in the PostgreSQL + Redis pass, the in-memory layer otherwise."""
    import os

    expected = "RedisChannelLayer" if os.environ.get("REDIS_URL") else "InMemoryChannelLayer"
    assert layer_name() == expected


class RecordingLayer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        self.sent.append((channel, message))


class EndingSession:
    def __init__(self, *, ended: bool = False, reason: str = "") -> None:
        self.ended, self.end_reason = ended, reason

    async def end(self, reason: str) -> None:
        if not self.ended:
            self.ended, self.end_reason = True, reason


@pytest.mark.parametrize(
    ("session", "states"),
    [
        (None, [("not_live", None)]),
        (EndingSession(ended=True, reason="client_ended"), [("not_live", None)]),
        (EndingSession(), [("ending", None), ("ended", "staff_ended")]),
    ],
)
async def test_the_call_consumer_answers_a_hang_up(
    session: EndingSession | None, states: list[tuple[str, str | None]]
) -> None:
    """What the consumer tells the process that asked, whatever state the call is in."""
    from calls.consumers.base import CallConsumer

    consumer = CallConsumer()
    layer = RecordingLayer()
    consumer.channel_layer, consumer.call_id = layer, "c-1"
    consumer.session = session  # type: ignore[assignment]  # a stand-in with end()
    await consumer.call_hang_up({"type": "call.hang_up", "reply_channel": "reply!1"})
    # Handled beside the layer reader, which returns at once.
    async with asyncio.timeout(5):
        while len(layer.sent) < len(states):
            await asyncio.sleep(0.01)
    assert [(m["state"], m.get("reason")) for _, m in layer.sent] == states
    assert {channel for channel, _ in layer.sent} == {"reply!1"}
    assert all(m["type"] == "call.hang_up_ack" for _, m in layer.sent)
