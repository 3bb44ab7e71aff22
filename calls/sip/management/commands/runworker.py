"""Channels' ``runworker``, which also asks the SIP sideband channel's consumer to
re-attach orphaned SIP calls as the worker starts (``calls.sip.supervisor``): the
consumer otherwise runs only once a message arrives."""

from __future__ import annotations

from channels.management.commands.runworker import Command as ChannelsRunworker
from channels.worker import Worker
from django.conf import settings


class SidebandWorker(Worker):
    async def handle(self) -> None:
        if settings.SIP_SIDEBAND_CHANNEL in self.channels:
            await self.channel_layer.send(settings.SIP_SIDEBAND_CHANNEL, {"type": "sip.recover"})
        await super().handle()


class Command(ChannelsRunworker):
    worker_class = SidebandWorker
