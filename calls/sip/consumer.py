"""The sideband worker: ``manage.py runworker sip-sideband`` hands this consumer the
channel's messages (``sip.attach`` from the webhook, ``sip.recover`` at the worker's
start); the calls run in the process's supervisor, not in the handler."""

from __future__ import annotations

from typing import Any

from channels.consumer import AsyncConsumer

from calls.sip.supervisor import supervisor


class SidebandWorkerConsumer(AsyncConsumer):
    async def sip_attach(self, message: dict[str, Any]) -> None:
        call_id = message.get("call_id")
        if isinstance(call_id, str) and call_id:
            supervisor.start(call_id)
        supervisor.ensure_recovery()

    async def sip_recover(self, message: dict[str, Any]) -> None:
        await supervisor.recover()
        supervisor.ensure_recovery()
