"""SIGTERM of a real server: the live call is recorded as ended by the shutdown."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

from websockets.asyncio.client import connect

from voiceagent.tests.server_process import start_server


async def test_sigterm_ends_live_calls_with_everything_persisted(tmp_path: Path) -> None:
    server = start_server(tmp_path)
    url = server.base_url.replace("http://", "ws://") + "/ws/calls/front-desk/"
    try:
        async with connect(url) as websocket:
            ready = json.loads(await websocket.recv())
            assert ready["type"] == "ready"
            await websocket.send(json.dumps({"type": "text", "text": "my name is Ada"}))
            async with asyncio.timeout(10):
                while True:
                    message = json.loads(await websocket.recv())
                    if message["type"] == "user_info":
                        break
            await asyncio.get_running_loop().run_in_executor(None, server.stop)
    finally:
        if server.process.poll() is None:
            server.process.kill()
    database = sqlite3.connect(tmp_path / "db.sqlite3")
    status, reason, user_info = database.execute(
        "SELECT status, end_reason, user_info FROM calls_calllog WHERE id = ?",
        [ready["call_id"].replace("-", "")],
    ).fetchone()
    assert (status, reason) == ("completed", "server_shutdown")
    assert json.loads(user_info)["name"] == "Ada"
    texts = [
        row[0] for row in database.execute("SELECT text FROM calls_transcriptturn ORDER BY seq")
    ]
    assert "my name is Ada" in texts
