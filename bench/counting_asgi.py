"""The product's ASGI application with a count of every database query, for bench/db_queries.py.

``GET /__bench/queries`` answers ``{"queries": N}``. Only the benchmark serves this module.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from django.db.backends.signals import connection_created

from voiceagent.asgi import application as product

_lock = threading.Lock()
_counts = {"queries": 0}


def _count(execute, sql, params, many, context):
    with _lock:
        _counts["queries"] += 1
    return execute(sql, params, many, context)


def _install(sender, connection, **kwargs) -> None:
    if _count not in connection.execute_wrappers:
        connection.execute_wrappers.append(_count)


connection_created.connect(_install)


async def application(scope, receive, send) -> None:
    if scope["type"] == "http" and scope["path"] == "/__bench/queries":
        with _lock:
            body = json.dumps(_counts).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})
        return
    await product(scope, receive, send)
