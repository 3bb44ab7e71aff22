"""Readiness checks for the database, the channel layer and the task broker.

Each check returns a small JSON-serialisable report. Error details name the
failure class and its message only, never a connection URL (which may carry a
password).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection

from voiceagent.celery import app as celery_app

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 3.0

Report = dict[str, Any]


def _database_ping() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


async def check_database() -> Report:
    vendor = await sync_to_async(_database_ping)()
    return {"backend": vendor}


async def check_channel_layer() -> Report:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer is configured")
    channel = await layer.new_channel("healthz.")
    nonce = secrets.token_hex(8)
    await layer.send(channel, {"type": "healthz.ping", "nonce": nonce})
    message = await layer.receive(channel)
    if message.get("nonce") != nonce:
        raise RuntimeError("the channel layer returned a different message")
    return {"backend": type(layer).__name__}


def _broker_ping() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0)


async def check_task_broker() -> Report:
    if celery_app.conf.task_always_eager:
        return {"backend": "eager", "detail": "tasks run in-process; no broker needed"}
    await sync_to_async(_broker_ping, thread_sensitive=False)()
    return {"backend": celery_app.conf.broker_url.split("://", 1)[0]}


async def _run(check: Callable[[], Awaitable[Report]]) -> Report:
    started = time.perf_counter()
    try:
        report = await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
    except TimeoutError:
        report = {"ok": False, "error": f"no answer within {CHECK_TIMEOUT_SECONDS:g} s"}
    except Exception as exc:
        logger.warning("Health check %s failed: %s", check.__name__, type(exc).__name__)
        detail = str(exc).splitlines()[0][:200] if str(exc) else ""
        report = {"ok": False, "error": f"{type(exc).__name__}: {detail}".rstrip(": ")}
    else:
        report = {"ok": True, **report}
    report["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return report


async def health_report() -> Report:
    names = ("database", "channel_layer", "task_broker")
    results = await asyncio.gather(
        _run(check_database), _run(check_channel_layer), _run(check_task_broker)
    )
    checks = dict(zip(names, results, strict=True))
    return {
        "status": "ok" if all(r["ok"] for r in results) else "unavailable",
        "checks": checks,
        "engine": settings.VOICEAGENT_ENGINE,
    }


async def server_instance_register_quietly() -> None:
    """A process that was just (re)started registers at its first health check, which
    closes the calls its dead predecessor left live before any caller is refused for
    them; a failure here is the database check's to report."""
    from calls.instance import server_instance_current

    try:
        await asyncio.wait_for(server_instance_current(), CHECK_TIMEOUT_SECONDS)
    except Exception as exc:
        logger.warning("Registering the server instance failed (%s: %s)", type(exc).__name__, exc)
