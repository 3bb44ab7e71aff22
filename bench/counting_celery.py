"""The product's Celery app with every SQL query counted (for bench/postcall.py).

Each task's queries are added to a Redis counter (``bench:queries``) when it finishes,
so the benchmark can divide the workers' database work by the number of calls.
"""

from __future__ import annotations

import threading
from typing import Any

import redis
from celery.signals import task_postrun, task_prerun
from django.db import connection

from voiceagent.celery import app

__all__ = ["app"]

_local = threading.local()
_redis: redis.Redis | None = None


def _count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    _local.queries = getattr(_local, "queries", 0) + 1
    return execute(sql, params, many, context)


@task_prerun.connect
def _start(**kwargs: Any) -> None:
    _local.queries = 0
    _local.wrapper = connection.execute_wrapper(_count)
    _local.wrapper.__enter__()


@task_postrun.connect
def _finish(**kwargs: Any) -> None:
    global _redis
    wrapper = getattr(_local, "wrapper", None)
    if wrapper is not None:
        wrapper.__exit__(None, None, None)
    from django.conf import settings

    if _redis is None:
        _redis = redis.Redis.from_url(settings.REDIS_URL)
    _redis.incrby("bench:queries", getattr(_local, "queries", 0))
    _redis.incrby(f"bench:tasks:{kwargs['task'].name}", 1)
