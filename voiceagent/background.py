"""Work handed off after a commit, out of the thread that committed.

Call services run in Channels' one shared database thread, where nothing slow may run:
publishing a Celery task is a network round trip to the broker, and with tasks run
in-process (the embedded default, no broker) it is the whole task. ``after_commit``
queues such work for one background thread instead.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.db import close_old_connections, connections, transaction

logger = logging.getLogger(__name__)

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="after-commit")
_pending: set[Future[Any]] = set()
_lock = threading.Lock()


def after_commit(work: Callable[[], Any], *, label: str) -> None:
    """Runs ``work`` in the background thread once the current transaction commits
    (at once outside a transaction)."""
    transaction.on_commit(lambda: _submit(work, label))


def _submit(work: Callable[[], Any], label: str) -> None:
    future = _executor.submit(_run, work, label)
    with _lock:
        _pending.add(future)
    future.add_done_callback(_forget)


def _forget(future: Future[Any]) -> None:
    with _lock:
        _pending.discard(future)


def _run(work: Callable[[], Any], label: str) -> None:
    close_old_connections()
    try:
        work()
    except Exception:
        logger.exception("Background work %s failed", label)
    finally:
        # This thread lives on: its connections must not outlive the work (CONN_MAX_AGE=0).
        connections.close_all()


def wait_idle(timeout: float = 30.0) -> bool:
    """Waits until everything queued so far has run, and what that work queued in turn
    (a calendar step queues its webhook), for at most ``timeout`` seconds (tests, and
    shutdown)."""
    deadline = time.monotonic() + timeout
    while True:
        with _lock:
            pending = list(_pending)
        if not pending:
            return True
        for future in pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                future.result(timeout=remaining)
            except Exception:
                return False
