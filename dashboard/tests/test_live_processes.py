"""Across server processes: a call runs in one server, staff watch and hang it up from
another, the two sharing only the database and channels-redis. Then the call's server
is killed, and a hang-up from the other reports the call as not live instead of
waiting.

Runs in the PostgreSQL + Redis pass (it needs Redis, and starts two servers: too slow
to run twice); the servers use SQLite in a shared data directory and the pass's Redis.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from websockets.asyncio.client import ClientConnection, connect

from conftest import redis_url
from voiceagent.tests.faults import call_row, open_call, stop
from voiceagent.tests.server_process import ServerProcess, start_server

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="runs in the PostgreSQL + Redis pass (make test-services): needs channels-redis",
    ),
]


def staff_session(server: ServerProcess, password: str) -> requests.Session:
    """Logged in through the admin's login form, as a person would."""
    session = requests.Session()
    login = f"{server.base_url}/admin/login/"
    page = session.get(login, timeout=10).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, page[:500]
    response = session.post(
        login,
        data={
            "csrfmiddlewaretoken": token.group(1),
            "username": "admin",
            "password": password,
            "next": "/dashboard/",
        },
        timeout=10,
    )
    assert response.url.endswith("/dashboard/"), response.url
    return session


def hang_up(server: ServerProcess, session: requests.Session, call_id: str) -> dict[str, Any]:
    response = session.post(
        f"{server.base_url}/dashboard/calls/{call_id}/hang-up/",
        headers={
            "X-CSRFToken": session.cookies.get("csrftoken") or "",
            "Accept": "application/json",
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text[:500]
    return dict(response.json())


async def watch(server: ServerProcess, session: requests.Session, call_id: str) -> ClientConnection:
    url = server.base_url.replace("http://", "ws://") + f"/ws/dashboard/calls/{call_id}/"
    return await connect(
        url,
        origin=server.base_url,  # type: ignore[arg-type]  # websockets types it as Origin (a str)
        additional_headers={"Cookie": f"sessionid={session.cookies['sessionid']}"},
        open_timeout=10,
    )


async def next_event(monitor: ClientConnection, kind: str, **match: Any) -> dict[str, Any]:
    async with asyncio.timeout(10):
        while True:
            message = json.loads(await monitor.recv())
            if message["kind"] != "event":
                continue
            event = message["event"]
            if event["type"] == kind and all(event.get(k) == v for k, v in match.items()):
                return dict(event)


async def test_staff_on_one_server_watch_and_hang_up_a_call_on_another(tmp_path: Path) -> None:
    def server(*, migrate: bool) -> ServerProcess:
        # Tasks run in the servers (no worker): nothing is left queued in Redis.
        return start_server(
            tmp_path, migrate=migrate, REDIS_URL=redis_url(), CELERY_TASK_ALWAYS_EAGER="true"
        )

    calls_server = await asyncio.to_thread(server, migrate=True)
    staff_server = await asyncio.to_thread(server, migrate=False)
    try:
        session = await asyncio.to_thread(staff_session, staff_server, calls_server.admin_password)
        call = await open_call(calls_server)
        monitor = await watch(staff_server, session, call.call_id)
        snapshot = json.loads(await asyncio.wait_for(monitor.recv(), 10))
        assert (snapshot["kind"], snapshot["status"]) == ("snapshot", "active")

        await call.say("Hi, my name is Ada Lovelace")
        said = await next_event(monitor, "transcript", role="user", final=True)
        assert said["text"] == "Hi, my name is Ada Lovelace"

        answer = await asyncio.to_thread(hang_up, staff_server, session, call.call_id)
        assert answer["result"] == "ended", answer
        assert (await call.until("ended"))["reason"] == "staff_ended"
        assert (await next_event(monitor, "ended"))["reason"] == "staff_ended"
        assert call_row(calls_server, call.call_id) == ("completed", "staff_ended")
        await monitor.close()

        # The call's server dies with a call live: nobody can end it, and the hang-up
        # says so within the time it gives a server to answer (2 s), not later.
        orphan = await open_call(calls_server)
        stop(calls_server)  # SIGKILL
        began = time.monotonic()
        answer = await asyncio.to_thread(hang_up, staff_server, session, orphan.call_id)
        assert answer["result"] in ("no_process", "not_live"), answer
        assert time.monotonic() - began < 5
    finally:
        stop(calls_server)
        staff_server.stop()
