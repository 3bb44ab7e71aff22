"""A fix for daphne's shutdown, applied when the process is served by daphne.

daphne 4.2.3 cancels every application on SIGTERM in ``Server.kill_all_applications``,
but reads ``details["application_instance"]`` of every connection, and a connection
may not have one: an idle keep-alive HTTP connection, or the HTTP request a WebSocket
upgraded from (kept for up to a second). The ``KeyError`` aborts the method, so no
application is cancelled, the reactor stops with every call still running (unrecorded)
and the interpreter may crash while finalising the abandoned coroutines. This replaces
the method with one that skips connections without an application. Two more changes:
it waits for every application to finish (daphne's ``gather`` stops waiting at the
first one cancelled, so the reactor could stop while other calls are still being
recorded), and for ``SHUTDOWN_WAIT_SECONDS`` at most, so that one stuck application
cannot hold the shutdown until the supervisor kills the process.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any

logger = logging.getLogger(__name__)

# Each call's own stop is bounded by 10 s (SESSION_STOP_TIMEOUT); this bounds them all.
SHUTDOWN_WAIT_SECONDS = 15.0


def daphne_shutdown_patch() -> bool:
    """Applies the fix if daphne serves this process (never imports daphne itself:
    importing ``daphne.server`` installs Twisted's reactor). Returns whether it did."""
    server_module = sys.modules.get("daphne.server")
    if server_module is None:
        return False
    server_class: Any = server_module.Server
    if getattr(server_class, "voiceagent_shutdown_fixed", False):
        return True
    from twisted.internet import defer

    def kill_all_applications(self: Any) -> Any:
        wait_for = []
        for details in self.connections.values():
            instance = details.get("application_instance")
            if instance is not None and not instance.done():
                instance.cancel()
                wait_for.append(instance)
        logger.info("Cancelled %d running application instances for shutdown", len(wait_for))
        if not wait_for:
            return None
        # Twisted waits for this before stopping the reactor.
        waiting = asyncio.ensure_future(asyncio.wait(wait_for, timeout=SHUTDOWN_WAIT_SECONDS))
        deferred = defer.Deferred.fromFuture(waiting)
        deferred.addErrback(lambda _: None)
        return deferred

    server_class.kill_all_applications = kill_all_applications
    server_class.voiceagent_shutdown_fixed = True
    return True
