"""SIGTERM of a real server: the live call is recorded as ended by the shutdown.

uvicorn tells the application with `websocket.disconnect` (code 1012); daphne, which
`runserver` uses, cancels the application instead. Both must end and record the call.
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sqlite3
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from voiceagent.tests.server_process import start_server

pytestmark = pytest.mark.embedded_pass_only


@pytest.mark.parametrize("server_name", ["uvicorn", "daphne"])
async def test_sigterm_ends_live_calls_with_everything_persisted(
    tmp_path: Path, server_name: str
) -> None:
    server = start_server(tmp_path, server=server_name)
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
            # Typed just before the signal: still within the flush interval.
            await websocket.send(json.dumps({"type": "text", "text": "one more thing"}))
            # An idle keep-alive connection (no request yet) is open too: daphne 4.2.3's
            # shutdown failed on such connections (voiceagent/daphne_compat.py).
            with socket.create_connection(("127.0.0.1", int(server.base_url.rsplit(":", 1)[1]))):
                await asyncio.sleep(0.1)
                await asyncio.get_running_loop().run_in_executor(None, server.stop)
            # A clean exit (uvicorn re-raises the SIGTERM it handled), not a crash.
            assert server.process.returncode in (0, -signal.SIGTERM), server.process.returncode
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
    assert "my name is Ada" in texts and "one more thing" in texts
