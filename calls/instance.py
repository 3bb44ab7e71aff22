"""This server process's identity for its calls, and its heartbeat.

The first call (or health check) a process serves registers it as a
``ServerInstance``, which closes the calls its dead predecessors left live (see
``services.server_instance_register``); a heartbeat task then keeps it alive in the
database and closes the calls of processes that stopped beating elsewhere.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection

from calls import services
from calls.processes import pid_namespace, process_started
from voiceagent import embedded_beat

logger = logging.getLogger(__name__)


class _ThisProcess:
    instance_id: str | None = None
    heartbeat: asyncio.Task[None] | None = None
    registering: asyncio.Task[str] | None = None


_process = _ThisProcess()

# Awaited (in the event loop) once this process has registered, with its instance id:
# e.g. an in-process server re-attaches the SIP calls its predecessor left
# (calls.sip.supervisor). A hook that fails is logged.
REGISTERED_HOOKS: list[Callable[[str], Awaitable[None]]] = []


def _identity() -> dict[str, Any]:
    return {
        "hostname": socket.gethostname()[:200],
        "pid": os.getpid(),
        "name": settings.SERVER_INSTANCE_NAME[:200],
        "pid_namespace": pid_namespace(),
        "process_started": process_started(os.getpid()),
    }


async def server_instance_current() -> str:
    """This process's instance id, registering it on first use."""
    if _process.instance_id is None:
        # One registration even when the first calls arrive together.
        if _process.registering is None or _process.registering.get_loop() is not (
            asyncio.get_running_loop()
        ):
            _process.registering = asyncio.get_running_loop().create_task(
                _register(), context=contextvars.Context()
            )
        try:
            _process.instance_id = await asyncio.shield(_process.registering)
        finally:
            if _process.registering is not None and _process.registering.done():
                _process.registering = None
    _heartbeat_ensure()
    return _process.instance_id


async def _register() -> str:
    instance = await database_sync_to_async(services.server_instance_register)(**_identity())
    logger.info("Serving calls as server instance %s", instance.pk)
    instance_id = str(instance.pk)
    for hook in REGISTERED_HOOKS:
        try:
            await hook(instance_id)
        except Exception:
            logger.exception("A hook after registering server instance %s failed", instance_id)
    return instance_id


def _heartbeat_ensure() -> None:
    interval = settings.SERVER_HEARTBEAT_SECONDS
    task = _process.heartbeat
    if interval <= 0 or _process.instance_id is None:
        return
    if task is not None and not task.done() and task.get_loop() is asyncio.get_running_loop():
        return
    # A fresh context: the task outlives the request or call that started it, and must
    # not inherit its sync-thread executor (asgiref keeps it in a context variable).
    _process.heartbeat = asyncio.get_running_loop().create_task(
        _beat(_process.instance_id, interval), context=contextvars.Context()
    )


async def _beat(instance_id: str, interval: float) -> None:
    last_success = time.monotonic()
    while True:
        await asyncio.sleep(interval)
        # Others look stale to a process that could not beat either (a database outage
        # for everyone): judge them only once this process has beaten on time again.
        on_time = time.monotonic() - last_success < 2.5 * interval
        try:
            await sync_to_async(_beat_once, thread_sensitive=False)(instance_id, on_time)
        except Exception as exc:
            logger.warning("Server heartbeat failed (%s: %s)", type(exc).__name__, exc)
        else:
            last_success = time.monotonic()


def _beat_once(instance_id: str, close_stale: bool) -> None:
    """In a thread of its own, not the one every call's database work queues on: a
    backlog there must not look like this process's death."""
    try:
        services.server_instance_heartbeat(
            instance_id=instance_id, close_stale=close_stale, **_identity()
        )
        embedded_beat.run_due()
    finally:
        connection.close()
