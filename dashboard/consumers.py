"""``/ws/dashboard/calls/<uuid>/``: staff watching one call as it happens.

The call's consumer publishes every client-visible event (not audio) to the call's
monitor group (``calls.consumers.monitor``), from whichever process runs the call; this
consumer joins that group for a staff user who may see the call, sends the call as
stored so far (``snapshot``), then forwards each event as ``{"kind": "event",
"event": …}``, and once more the snapshot (``catch_up``) after the call's next batch
of turns is stored. It only listens: hanging up is a POST (``dashboard.views``).

The session cookie authenticates the socket, so a page on another site must not open
it (cross-site WebSocket hijacking): the ``Origin`` must be this server (the ``Host``
the browser connected to) or one of ``CSRF_TRUSTED_ORIGINS``, as for a POST.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from urllib.parse import urlsplit

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from calls.groups import monitor_group
from calls.models import CallLog
from dashboard.selectors import LIVE_STATUSES, call_for_user, call_live_snapshot

logger = logging.getLogger(__name__)

LAYER_TIMEOUT_SECONDS = 2.0
# Turns are stored in batches every second (calls.realtime.session.FLUSH_INTERVAL_SECONDS).
CATCH_UP_SECONDS = 1.5


def same_origin(headers: list[tuple[bytes, bytes]]) -> bool:
    """The handshake comes from one of this server's own pages."""
    values = {name.decode("latin1").lower(): value.decode("latin1") for name, value in headers}
    origin = values.get("origin", "").rstrip("/")
    if not origin:
        return False  # browsers always send it; a cookie without it is not a page of ours
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    return urlsplit(origin).netloc == values.get("host", "")


class CallMonitorConsumer(AsyncJsonWebsocketConsumer):
    group = ""
    catching_up: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not (user.is_active and user.is_staff):
            await self.close()  # before accept(): the handshake is refused with 403
            return
        if not same_origin(self.scope["headers"]):
            logger.warning("Refused a dashboard socket from another origin")
            await self.close()
            return
        call_id = str(self.scope["url_route"]["kwargs"]["call_id"])
        call = await database_sync_to_async(call_for_user)(user=user, call_id=call_id)
        if call is None:  # not theirs, or no such call: the same refusal
            await self.close()
            return
        group = monitor_group(call_id)
        try:
            await asyncio.wait_for(
                self.channel_layer.group_add(group, self.channel_name), LAYER_TIMEOUT_SECONDS
            )
        except Exception as exc:
            logger.warning("Call %s: the dashboard could not join its events (%s)", call_id, exc)
            await self.close()
            return
        self.group = group
        await self.accept()
        # Read after joining: an event between the read and the join is not lost (a
        # turn may arrive twice; the page keys turns by item id).
        snapshot = await database_sync_to_async(self._snapshot)(call)
        await self.send_json(snapshot)
        if snapshot["status"] in LIVE_STATUSES:
            self.catching_up = asyncio.ensure_future(self._catch_up(call))

    async def _catch_up(self, call: CallLog) -> None:
        """The snapshot again once the call's last batch of turns is stored: a turn
        said in the second before the page joined was neither in the first snapshot
        (not stored yet) nor among the events (sent before the join)."""
        await asyncio.sleep(CATCH_UP_SECONDS)
        snapshot = await database_sync_to_async(self._snapshot)(call)
        await self.send_json({**snapshot, "catch_up": True})

    @staticmethod
    def _snapshot(call: CallLog) -> dict[str, Any]:
        call.refresh_from_db()
        return call_live_snapshot(call=call)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """The page only listens."""

    async def call_event(self, event: dict[str, Any]) -> None:
        message = event.get("event")
        if isinstance(message, dict):
            await self.send_json({"kind": "event", "event": message})

    async def disconnect(self, code: int) -> None:
        if self.catching_up is not None:
            self.catching_up.cancel()
        if self.group:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(
                    self.channel_layer.group_discard(self.group, self.channel_name),
                    LAYER_TIMEOUT_SECONDS,
                )
