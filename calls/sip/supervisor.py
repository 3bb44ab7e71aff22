"""Where SIP calls' sidebands run, and who re-attaches them.

- **worker** (``SIP_SIDEBAND_MODE``, the default with Redis): the webhook sends
  ``sip.attach`` to the ``SIP_SIDEBAND_CHANNEL``; a ``manage.py runworker sip-sideband``
  process (consumer.py) runs the sideband in its supervisor. Several workers share
  the channel.
- **inprocess** (the embedded default): the server that accepted the call runs it, as a
  task of its supervisor.

A supervisor adopts the live SIP calls nobody runs (their process died, or their
dispatch was lost; ``services.sip_calls_adopt``) when it starts (a worker at start, an
in-process server once registered) and then every ``RECOVERY_INTERVAL_SECONDS``:
each is re-attached, or, if the call is over, recorded as ``server_lost``.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from calls import instance
from calls.sip.services import sip_calls_adopt
from calls.sip.sideband import sideband_run

logger = logging.getLogger(__name__)

RECOVERY_INTERVAL_SECONDS = 15.0


class SidebandSupervisor:
    """The sideband tasks of this process (one event loop)."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._recovery: asyncio.Task[None] | None = None

    def _here(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new loop (tests; a restarted server): a fresh start
            self._loop, self._tasks, self._recovery = loop, {}, None
        return loop

    def start(self, call_id: str, *, reattach: bool = False, claimed: bool = False) -> None:
        """Runs the call's sideband in a task of its own (once per call)."""
        loop = self._here()
        running = self._tasks.get(call_id)
        if running is not None and not running.done():
            return
        # A fresh context: the task outlives the request or message that started it.
        task = loop.create_task(
            self._run(call_id, reattach=reattach, claimed=claimed), context=contextvars.Context()
        )
        task.set_name(f"sip-sideband-{call_id[:8]}")
        self._tasks[call_id] = task
        task.add_done_callback(lambda done: self._forget(call_id, done))

    def _forget(self, call_id: str, task: asyncio.Task[None]) -> None:
        if self._tasks.get(call_id) is task:
            del self._tasks[call_id]

    async def _run(self, call_id: str, *, reattach: bool, claimed: bool) -> None:
        try:
            await sideband_run(call_id=call_id, reattach=reattach, claimed=claimed)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("SIP call %s: the sideband failed", call_id)

    @property
    def running(self) -> list[str]:
        return [call_id for call_id, task in self._tasks.items() if not task.done()]

    async def recover(self, *, instance_id: str | None = None) -> list[str]:
        """Adopts the SIP calls nobody runs and starts their sidebands (``instance_id``:
        this process's, while it registers)."""
        self._here()
        me = instance_id or await instance.server_instance_current()
        adopted = await database_sync_to_async(sip_calls_adopt)(server_instance=me)
        for call_id, was_active in adopted:
            self.start(call_id, reattach=was_active, claimed=True)
        return [call_id for call_id, _ in adopted]

    def ensure_recovery(self) -> None:
        """Recovery every RECOVERY_INTERVAL_SECONDS from now on, in this loop."""
        loop = self._here()
        if self._recovery is None or self._recovery.done():
            self._recovery = loop.create_task(
                self._recover_forever(), context=contextvars.Context()
            )

    async def _recover_forever(self) -> None:
        while True:
            await asyncio.sleep(RECOVERY_INTERVAL_SECONDS)
            try:
                await self.recover()
            except Exception as exc:
                logger.warning("SIP sideband recovery failed (%s: %s)", type(exc).__name__, exc)

    async def stop(self) -> None:
        """Cancels every sideband (each detaches: its call goes on, for the next process)
        and the recovery."""
        tasks = list(self._tasks.values())
        if self._recovery is not None:
            tasks.append(self._recovery)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks, self._recovery = {}, None


supervisor = SidebandSupervisor()


async def sideband_dispatch(*, call_id: str) -> None:
    """Starts the sideband of an accepted call where sidebands run. A dispatch that fails
    is not lost: recovery adopts the unattached call."""
    if settings.SIP_SIDEBAND_MODE == "worker":
        layer = get_channel_layer()
        try:
            if layer is None:
                raise RuntimeError("no channel layer")
            await asyncio.wait_for(
                layer.send(
                    settings.SIP_SIDEBAND_CHANNEL, {"type": "sip.attach", "call_id": call_id}
                ),
                2.0,
            )
        except Exception as exc:
            logger.error("SIP call %s: the sideband worker could not be reached (%s)", call_id, exc)
        return
    supervisor.start(call_id)
    supervisor.ensure_recovery()


async def _on_registered(instance_id: str) -> None:
    """An in-process server re-attaches the SIP calls its predecessor left."""
    if settings.SIP_SIDEBAND_MODE != "inprocess":
        return
    await supervisor.recover(instance_id=instance_id)


def install() -> None:
    if _on_registered not in instance.REGISTERED_HOOKS:
        instance.REGISTERED_HOOKS.append(_on_registered)
