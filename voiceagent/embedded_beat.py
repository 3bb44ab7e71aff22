"""Celery beat's schedule, kept by the server process itself when there is no broker.

The embedded default runs tasks in-process (``CELERY_TASK_ALWAYS_EAGER``) and has no
beat service, yet follow-ups still need their periodic work: outbox retries, summaries
to resume, calendar events to retry. The server's heartbeat calls ``run_due`` on every
beat; with a broker (production) it does nothing and ``celery beat`` keeps the schedule.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time

from celery import current_app
from django.conf import settings

logger = logging.getLogger(__name__)

_last_run: dict[str, float] = {}
_lock = threading.Lock()


def run_due(*, now: float | None = None) -> list[str]:
    """Runs each schedule entry whose interval has passed since it last ran here;
    returns the names run. Entries run one after another in the calling thread."""
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        return []
    now = time.monotonic() if now is None else now
    due = []
    with _lock:
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            interval = float(str(entry["schedule"]))
            last = _last_run.get(name)
            if last is None or now - last >= interval:
                _last_run[name] = now
                due.append((name, str(entry["task"])))
    for name, task_name in due:
        try:
            if task_name not in current_app.tasks:
                # Workers import every app's tasks at start; this process imports a tasks
                # module only once something sends one of its tasks.
                importlib.import_module(task_name.rpartition(".")[0])
            current_app.tasks[task_name].apply()
        except Exception:
            logger.exception("Periodic task %s failed", name)
    return [name for name, _ in due]
