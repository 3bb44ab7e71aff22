"""Fault-injection scenarios against a real server process (uvicorn or daphne).

Each scenario runs web calls with the offline engine, injects one fault and returns
what it measured: calls and transcript turns lost, and the times that matter to an
operator. ``calls/tests/test_faults.py`` asserts on them; ``bench/faults.py`` reports
them (docs/reliability.md). A turn is lost when the caller saw it final (a
`transcript` with ``final: true``) and the database does not hold it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from voiceagent.tests.server_process import ServerProcess, free_port, start_server

TYPED_LINES = [
    "hello there",
    "my name is Ada Lovelace",
    "my email is ada@example.com",
    "what are your opening hours?",
    "thanks, that is all for now",
]


class TcpProxy:
    """A TCP proxy the test owns. ``cut()`` resets every connection and refuses new ones
    (the service is down); ``blackhole()`` keeps every connection open, accepts new ones
    and forwards nothing (packets dropped on the way: every call on it hangs);
    ``restore()`` resets what the outage left and serves again on the same port."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.dropping = False
        self._server: asyncio.Server | None = None
        self._transports: set[asyncio.WriteTransport] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._handle, "127.0.0.1", self.port, reuse_address=True
        )

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        self._abort_all()

    async def blackhole(self) -> None:
        self.dropping = True

    async def restore(self) -> None:
        if self.dropping:
            self.dropping = False
            self._abort_all()  # their streams lost bytes: the clients must reconnect
        if self._server is None:
            await self.start()

    def _abort_all(self) -> None:
        for transport in list(self._transports):
            transport.abort()
        self._transports.clear()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.dropping:
            self._transports.add(writer.transport)
            with contextlib.suppress(OSError, ConnectionError):
                while await reader.read(65536):
                    pass
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        pair = {writer.transport, upstream_writer.transport}
        self._transports |= pair
        try:
            await asyncio.gather(
                self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer)
            )
        finally:
            self._transports -= pair
            for transport in pair:
                transport.abort()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, ConnectionError):
            while data := await reader.read(65536):
                if self.dropping:
                    continue
                writer.write(data)
                await writer.drain()
        writer.transport.abort()


@dataclass
class WebCall:
    """One widget call over a real WebSocket, remembering every final turn it saw."""

    websocket: ClientConnection
    call_id: str
    finals: list[tuple[str, str]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    ended_reason: str | None = None

    async def until(self, kind: str, timeout: float = 10) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            while True:
                message = json.loads(await self.websocket.recv())
                self.messages.append(message)
                if message["type"] == "transcript" and message["final"] and message["text"]:
                    self.finals.append((message["role"], message["text"]))
                if message["type"] == "ended":
                    self.ended_reason = message["reason"]
                if message["type"] == kind:
                    return message

    async def say(self, text: str, timeout: float = 10) -> None:
        """Types a line and waits for the agent's final reply to it."""
        await self.websocket.send(json.dumps({"type": "text", "text": text}))
        seen = len(self.finals)
        async with asyncio.timeout(timeout):
            while not any(role == "assistant" for role, _ in self.finals[seen:]):
                await self.until("transcript", timeout)

    async def hang_up(self) -> None:
        await self.websocket.send(json.dumps({"type": "end"}))
        with contextlib.suppress(ConnectionClosed):
            await self.until("ended")
        await self.websocket.close()


def ws_url(server: ServerProcess) -> str:
    return server.base_url.replace("http://", "ws://") + "/ws/calls/front-desk/"


async def open_call(server: ServerProcess) -> WebCall:
    websocket = await connect(ws_url(server), open_timeout=10)
    call = WebCall(websocket=websocket, call_id="")
    call.call_id = (await call.until("ready"))["call_id"]
    await call.until("response_done")  # the greeting
    return call


def database(server: ServerProcess) -> sqlite3.Connection:
    return sqlite3.connect(server.data_dir / "db.sqlite3", timeout=10)


def call_row(server: ServerProcess, call_id: str) -> tuple[str, str]:
    with contextlib.closing(database(server)) as db:
        row = db.execute(
            "SELECT status, end_reason FROM calls_calllog WHERE id = ?",
            [call_id.replace("-", "")],
        ).fetchone()
    return (row[0], row[1]) if row else ("missing", "")


def stored_turns(server: ServerProcess, call_id: str) -> list[tuple[str, str]]:
    with contextlib.closing(database(server)) as db:
        rows = db.execute(
            "SELECT role, text FROM calls_transcriptturn WHERE call_id = ? ORDER BY seq",
            [call_id.replace("-", "")],
        ).fetchall()
    return [(role, text) for role, text in rows]


def lost_turns(server: ServerProcess, call: WebCall) -> list[tuple[str, str]]:
    stored = set(stored_turns(server, call.call_id))
    return [turn for turn in call.finals if turn not in stored]


def stop(server: ServerProcess) -> None:
    if server.process.poll() is None:
        server.process.kill()
        server.process.wait(10)


# ---------------------------------------------------------------- scenarios


async def scenario_sigterm(data_dir: Path, *, server_name: str, calls: int = 3) -> dict[str, Any]:
    """SIGTERM while calls are mid-conversation: each must end as server_shutdown."""
    server = await asyncio.to_thread(start_server, data_dir, server=server_name)
    try:
        live = [await open_call(server) for _ in range(calls)]
        for index, line in enumerate(TYPED_LINES[:3]):
            for call in live:
                await call.say(f"{line} ({index})")
        # The last line lands inside the flush interval, right before the signal.
        for call in live:
            await call.websocket.send(json.dumps({"type": "text", "text": "one more thing"}))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        await asyncio.get_running_loop().run_in_executor(None, server.stop)
        stopped_in = time.monotonic() - started
        # What the server said before it closed: the echo of that last line, `ended`.
        for call in live:
            await _drain_until_ended(call, 5)
    finally:
        stop(server)
    rows = [call_row(server, call.call_id) for call in live]
    return {
        "fault": f"SIGTERM ({server_name})",
        "calls": calls,
        "calls_lost": sum(row != ("completed", "server_shutdown") for row in rows),
        "ended_reasons": [call.ended_reason for call in live],
        "turns": sum(len(call.finals) for call in live),
        "turns_lost": sum(len(lost_turns(server, call)) for call in live),
        "exit_code": server.process.returncode,
        "clean_exit": server.process.returncode in (0, -signal.SIGTERM),
        "shutdown_seconds": round(stopped_in, 2),
    }


async def scenario_sigkill_restart(data_dir: Path) -> dict[str, Any]:
    """SIGKILL mid-call, then a restart on the same port: the orphan is closed at once
    and a caller is admitted although the agent allows one call at a time."""
    server = await asyncio.to_thread(start_server, data_dir)
    with contextlib.closing(database(server)) as db:
        db.execute("UPDATE agents_agent SET max_concurrent_calls = 1")
        db.commit()
    try:
        call = await open_call(server)
        for line in TYPED_LINES[:3]:
            await call.say(line)
        await asyncio.sleep(1.5)  # a flush interval: these turns are stored
        await call.say(TYPED_LINES[3])  # kept in memory only when the kill comes
        killed_at = time.monotonic()
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(10)
    finally:
        stop(server)
    with contextlib.suppress(Exception):
        await call.websocket.close()
    port = int(server.base_url.rsplit(":", 1)[1])
    restarted_at = time.monotonic()
    restarted = await asyncio.to_thread(start_server, data_dir, port=port, migrate=False)
    try:
        ready_at = time.monotonic()
        closed_at = None
        async with asyncio.timeout(30):
            while call_row(restarted, call.call_id)[0] in ("connecting", "active"):
                await asyncio.sleep(0.05)
            closed_at = time.monotonic()
        try:
            second = await open_call(restarted)
            admitted = True
            await second.hang_up()
        except InvalidStatus:
            admitted = False
    finally:
        stop(restarted)
    lost = lost_turns(restarted, call)
    return {
        "fault": "SIGKILL, then restart",
        "calls": 1,
        "call_row": call_row(restarted, call.call_id),
        "turns": len(call.finals),
        "turns_lost": len(lost),
        "lost": lost,
        "seconds_from_kill_to_restart": round(restarted_at - killed_at, 2),
        "orphan_closed_seconds_after_restart": round((closed_at or 0) - restarted_at, 2),
        "orphan_closed_seconds_after_ready": round((closed_at or 0) - ready_at, 2),
        "new_call_admitted": admitted,
    }


async def scenario_layer_outage(
    data_dir: Path,
    *,
    redis_host: str,
    redis_port: int,
    outage_seconds: float = 4.0,
    blackhole: bool = False,
) -> dict[str, Any]:
    """The channel layer (channels-redis) becomes unreachable for a while: live calls go
    on with every turn stored, new calls are refused with 503, and calls start again
    once it is back."""
    proxy = TcpProxy(redis_host, redis_port)
    await proxy.start()
    # The server is started from a thread: the proxy it reaches Redis through runs on
    # this event loop.
    server = await asyncio.to_thread(
        start_server, data_dir, REDIS_URL=f"redis://127.0.0.1:{proxy.port}/15"
    )
    refused_statuses: list[int] = []
    try:
        live = [await open_call(server) for _ in range(2)]
        for call in live:
            await call.say(TYPED_LINES[0])
        await (proxy.blackhole() if blackhole else proxy.cut())
        cut_at = time.monotonic()
        for line in TYPED_LINES[1:4]:
            for call in live:
                await call.say(line)
        try:
            extra = await open_call(server)
            await extra.hang_up()
        except InvalidStatus as refused:
            refused_statuses.append(refused.response.status_code)
        await asyncio.sleep(max(0.0, outage_seconds - (time.monotonic() - cut_at)))
        await proxy.restore()
        restored_at = time.monotonic()
        new_call_after = None
        async with asyncio.timeout(30):
            while new_call_after is None:
                try:
                    after = await open_call(server)
                except InvalidStatus:
                    await asyncio.sleep(0.2)
                    continue
                new_call_after = time.monotonic() - restored_at
                await after.say(TYPED_LINES[1])
                await after.hang_up()
        for call in live:
            await call.say(TYPED_LINES[4])
            await call.hang_up()
        await asyncio.sleep(0.2)
    finally:
        stop(server)
        await proxy.cut()
    rows = [call_row(server, call.call_id) for call in live]
    return {
        "fault": f"channel layer {'silent' if blackhole else 'unreachable'} for "
        f"{outage_seconds:g} s",
        "calls": len(live),
        "calls_lost": sum(row != ("completed", "client_ended") for row in rows),
        "ended_reasons": [call.ended_reason for call in live],
        "turns": sum(len(call.finals) for call in live),
        "turns_lost": sum(len(lost_turns(server, call)) for call in live),
        "new_call_during_outage": refused_statuses[0] if refused_statuses else "admitted",
        "new_call_seconds_after_restore": round(new_call_after or -1, 2),
    }


class StallingRealtime:
    """A Realtime peer that configures the session, starts every reply with one chunk of
    audio, then sends nothing more while keeping the socket open."""

    def __init__(self) -> None:
        self.last_event_at = 0.0
        self.url = ""
        self._server: Any = None

    async def start(self) -> None:
        from websockets.asyncio.server import serve

        self._server = await serve(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/v1/realtime"

    async def stop(self) -> None:
        self._server.close()
        await self._server.wait_closed()

    async def _send(self, websocket: Any, kind: str, **fields: Any) -> None:
        await websocket.send(
            json.dumps({"type": kind, "event_id": f"e{time.monotonic_ns()}", **fields})
        )
        self.last_event_at = time.monotonic()

    async def _handle(self, websocket: Any) -> None:
        await self._send(websocket, "session.created", session={"type": "realtime"})
        with contextlib.suppress(ConnectionClosed):
            async for frame in websocket:
                event = json.loads(frame)
                if event["type"] == "session.update":
                    await self._send(websocket, "session.updated", session=event["session"])
                elif event["type"] == "response.create":
                    response = {"id": "resp_1", "object": "realtime.response", "output": []}
                    await self._send(websocket, "response.created", response=response)
                    await self._send(
                        websocket,
                        "response.output_audio.delta",
                        response_id="resp_1",
                        item_id="item_1",
                        output_index=0,
                        content_index=0,
                        delta="AAAAAAAA",
                    )


async def scenario_stalled_upstream(
    data_dir: Path, *, stall_timeout: float = 3.0
) -> dict[str, Any]:
    """The realtime service stops sending mid-reply with its socket open."""
    upstream = StallingRealtime()
    await upstream.start()
    server = await asyncio.to_thread(
        start_server,
        data_dir,
        OPENAI_REALTIME_URL=upstream.url,
        OPENAI_API_KEY="sk-fake-for-fault-tests",
        # Nothing leaves loopback: summaries are extracted, with no model request.
        SUMMARY_MODEL="extractive",
        OPENAI_BASE_URL="http://127.0.0.1:9/v1",
        VOICEAGENT_ENGINE="openai",
        REALTIME_STALL_TIMEOUT=str(stall_timeout),
    )
    try:
        websocket = await connect(ws_url(server), open_timeout=10)
        call = WebCall(websocket=websocket, call_id="")
        call.call_id = (await call.until("ready"))["call_id"]
        await call.until("audio")  # the start of the greeting, then silence
        error = await call.until("error", timeout=stall_timeout + 10)
        detected_after = time.monotonic() - upstream.last_event_at
        await call.until("ended")
        await websocket.close()
    finally:
        stop(server)
        await upstream.stop()
    return {
        "fault": "realtime service stalls mid-reply",
        "calls": 1,
        "stall_timeout_seconds": stall_timeout,
        "error_code": error["code"],
        "ended_reason": call.ended_reason,
        "call_row": call_row(server, call.call_id),
        "detected_seconds_after_last_event": round(detected_after, 2),
    }


def _server_usage(server: ServerProcess) -> tuple[float, int]:
    """The server process's resident memory (MiB) and open file descriptors."""
    import psutil

    process = psutil.Process(server.process.pid)
    return process.memory_info().rss / 2**20, process.num_fds()


async def _settled_usage(
    server: ServerProcess, fds_before: int, timeout: float = 30.0
) -> tuple[float, int]:
    """Usage once the follow-ups of the calls that just ended are done: the after-commit
    thread summarises and emails 200 calls one after another, holding a database
    connection (three descriptors on SQLite) while it works. A leak stays past it."""
    deadline = time.monotonic() + timeout
    rss, fds = _server_usage(server)
    while fds > fds_before and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        rss, fds = _server_usage(server)
    return rss, fds


async def _drain_until_ended(call: WebCall, timeout: float) -> None:
    with contextlib.suppress(ConnectionClosed, TimeoutError):
        await call.until("ended", timeout=timeout)
    await call.websocket.close()


async def scenario_hostile_and_abandoned(
    data_dir: Path, *, abandoned: int = 200, rounds: int = 2
) -> dict[str, Any]:
    """A client sending 10 000 malformed frames beside three ordinary calls; a 20 MiB
    frame; then ``abandoned`` callers who connect and never say anything. Checks that
    no secret of the server reaches a client or its log."""
    from cryptography.fernet import Fernet

    # Production settings (DEBUG off: Django keeps no query log that would grow memory),
    # with secrets this scenario knows, to look for them in everything it sees.
    secrets = {
        "DJANGO_SECRET_KEY": "fault-scenario-" + Fernet.generate_key().decode(),
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    }
    server = await asyncio.to_thread(
        start_server,
        data_dir,
        CALL_RATE_LIMIT_PER_MINUTE="100000",
        DJANGO_DEBUG="false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        PUBLIC_BASE_URL="http://127.0.0.1",
        DJANGO_SECURE_COOKIES="false",
        DJANGO_SECRET_KEY=secrets["DJANGO_SECRET_KEY"],
        FIELD_ENCRYPTION_KEY=secrets["FIELD_ENCRYPTION_KEY"],
    )
    with contextlib.closing(database(server)) as db:
        db.execute("UPDATE agents_agent SET max_concurrent_calls = 1000, idle_seconds = 3")
        db.commit()
    received: list[str] = []
    try:
        warm = await open_call(server)  # caches the greeting, loads every module
        await warm.hang_up()
        await asyncio.sleep(0.5)
        rss_before, fds_before = _server_usage(server)

        # 10 000 malformed frames beside three calls that keep talking.
        others = [await open_call(server) for _ in range(3)]
        hostile = await open_call(server)
        sent = 0
        with contextlib.suppress(ConnectionClosed):
            for _ in range(10_000):
                await hostile.websocket.send('{"type": "text", "text": ' + "[" * 2000)
                sent += 1
        with contextlib.suppress(ConnectionClosed, TimeoutError):
            await hostile.until("ended", timeout=10)
        others_answered = 0
        for call in others:
            await call.say("my name is Grace Hopper")
            others_answered += any(m["type"] == "audio" for m in call.messages[-50:])
            await call.hang_up()

        # One frame of 20 MiB.
        huge = await open_call(server)
        close_code = None
        try:
            await huge.websocket.send("x" * (20 * 2**20))
            await huge.until("ended", timeout=10)
        except ConnectionClosed as closed:
            close_code = closed.rcvd.code if closed.rcvd else None
        await asyncio.sleep(1.0)
        huge_row = call_row(server, huge.call_id)
        rss_after_hostile, _ = _server_usage(server)

        # Callers who connect and say nothing, ever; twice, to tell a leak (growing each
        # round) from the allocator keeping its high-water mark (growing once).
        measured = []
        quiet: list[WebCall] = []
        for _ in range(rounds):
            started = time.monotonic()
            quiet = list(await asyncio.gather(*(open_call(server) for _ in range(abandoned))))
            await asyncio.gather(*(_drain_until_ended(call, 60) for call in quiet))
            all_ended_after = time.monotonic() - started
            await asyncio.sleep(2.0)
            measured.append((all_ended_after, *await _settled_usage(server, fds_before)))
            for call in quiet:
                received += [json.dumps(message) for message in call.messages]
        for call in [warm, *others, hostile, huge]:
            received += [json.dumps(message) for message in call.messages]
    finally:
        output = await asyncio.to_thread(server.stop)
    leaks = [
        name
        for name, secret in secrets.items()
        for text in (output, "\n".join(received))
        if secret in text
    ]
    quiet_rows = [call_row(server, call.call_id) for call in quiet]
    return {
        "fault": "hostile frames, a 20 MiB frame, abandoned callers",
        "malformed_frames_sent": sent,
        "hostile_ended": hostile.ended_reason,
        "hostile_row": call_row(server, hostile.call_id),
        "other_calls_answered_with_audio": others_answered,
        "huge_frame_close_code": close_code,
        "huge_frame_row": huge_row,
        "abandoned_calls": abandoned,
        "abandoned_ended_by_idle_timeout": sum(row[1] == "idle_timeout" for row in quiet_rows),
        "abandoned_all_ended_seconds": [round(r[0], 1) for r in measured],
        "rss_mib_before": round(rss_before, 1),
        "rss_mib_after_hostile_and_huge": round(rss_after_hostile, 1),
        "rss_mib_after_each_round": [round(r[1], 1) for r in measured],
        "fds_before": fds_before,
        "fds_after_each_round": [r[2] for r in measured],
        "secrets_leaked": leaks,
    }
