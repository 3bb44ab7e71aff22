"""Another call while one call's tool is slow: `ready`, first audio and a transcript write.

Call A asks the knowledge base (the agent's sources are embedded with the OpenAI model, so
the question is embedded by the embeddings API: here a fake that answers after
``--delay`` seconds, 2 by default). While A waits, call B connects and call C, already
running, hears its caller speak: the bench measures B's connect → ``ready`` and ``ready``
→ first greeting audio, and C's caller turn → its row in the database (transcript
writes are batched once a second: about 1 s is the idle figure). The same is measured with no lookup running (idle). Before issue 11 the
question was embedded by a blocking request inside Channels' shared database thread:
B and C waited for A's lookup.

In-process (the product's ASGI application driven through Channels' communicator, the
test suite's fake Realtime server, SQLite in a temporary folder): what is measured is
the sharing of one process's database thread, which no socket layer changes.

Run: .venv/bin/python bench/slow_tool.py [--rounds 10] [--delay 2]
Prints one JSON object on stdout and a table on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _summary(values: list[float]) -> dict[str, float | int | None]:
    ordered = sorted(values)

    def at(fraction: float) -> float | None:
        if not ordered:
            return None
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * fraction))], 1)

    return {"n": len(values), "p50": at(0.5), "p95": at(0.95), "max": at(1.0)}


def _outputs(upstream: Any) -> list[dict[str, Any]]:
    """The tool results the call sent up (a cached greeting is an item too)."""
    return [
        event["item"]
        for event in upstream.of_type("conversation.item.create")
        if event["item"]["type"] == "function_call_output"
    ]


async def _rows_stored(call_id: str, count: int) -> None:
    """Polls from a thread of its own (not the shared one) until the call has ``count``
    caller turns stored."""
    from calls.models import TranscriptTurn

    def stored() -> int:
        return TranscriptTurn.objects.filter(call_id=uuid.UUID(call_id), role="user").count()

    while await asyncio.to_thread(stored) < count:
        await asyncio.sleep(0.01)


async def _new_call(fake: Any, index: int) -> dict[str, float]:
    """A call that connects now: connect → ready, ready → first (greeting) audio."""
    from calls.tests.conftest import CallClient

    started = time.perf_counter()
    client = CallClient()
    if not await client.connect():
        raise RuntimeError("a call was refused")
    await client.until("ready", timeout=30)
    ready_at = time.perf_counter()
    await client.until("audio", timeout=30)
    audio_at = time.perf_counter()
    await fake.connection(index, timeout=30)
    await client.until("response_done", timeout=30)
    await client.close()
    return {"ready_ms": (ready_at - started) * 1000, "first_audio_ms": (audio_at - ready_at) * 1000}


async def _turn_stored(upstream: Any, call_id: str, count: int) -> dict[str, float]:
    """A running call's caller turn (the ``count``-th): said → its row in the database."""
    said_at = time.perf_counter()
    await upstream.caller_turn("Hello, is anyone there?")
    await _rows_stored(call_id, count)
    return {"transcript_ms": (time.perf_counter() - said_at) * 1000}


async def _started_call(fake: Any, index: int) -> tuple[Any, Any, str]:
    from calls.tests.conftest import CallClient

    client = CallClient()
    if not await client.connect():
        raise RuntimeError("a call was refused")
    call_id = (await client.until("ready"))["call_id"]
    await client.until("response_done")
    return client, await fake.connection(index), call_id


async def measure(rounds: int, delay: float) -> dict[str, Any]:
    from channels.db import database_sync_to_async
    from django.conf import settings

    from agents.models import Agent
    from agents.tests.test_knowledge import _faq_markdown, _ingested
    from calls.tests.conftest import calls_settled
    from calls.tests.fake_embeddings import FakeEmbeddingsServer
    from calls.tests.fake_openai import FakeRealtimeServer

    fake = FakeRealtimeServer()
    settings.OPENAI_REALTIME_URL = await fake.start()
    embeddings = FakeEmbeddingsServer()
    settings.OPENAI_BASE_URL = embeddings.start()
    agent = await Agent.objects.aget(public_id="front-desk")
    await database_sync_to_async(_ingested)(
        agent, title="FAQ", kind="markdown", content=_faq_markdown()
    )
    asker, upstream, _ = await _started_call(fake, 0)  # call A: asks the knowledge base
    talker, talking, talker_id = await _started_call(fake, 1)  # call C: already running
    connections, turns = 2, 0
    idle: list[dict[str, float]] = []
    for _ in range(rounds):
        turns += 1
        new, stored = await asyncio.gather(
            _new_call(fake, connections), _turn_stored(talking, talker_id, turns)
        )
        idle.append(new | stored)
        connections += 1

    embeddings.delay = delay
    during: list[dict[str, float]] = []
    lookup_ms: list[float] = []
    for _ in range(rounds):
        asked = len(embeddings.requests) + 1
        outputs = len(_outputs(upstream))
        await upstream.call_functions([("search_knowledge_base", {"query": "where can I park?"})])
        asked_at = time.perf_counter()
        await asyncio.to_thread(embeddings.wait_for_requests, asked)
        # While A's question is being embedded: a new call (B) and a turn of C.
        turns += 1
        new, stored = await asyncio.gather(
            _new_call(fake, connections), _turn_stored(talking, talker_id, turns)
        )
        during.append(new | stored)
        connections += 1
        async with asyncio.timeout(30):
            while len(_outputs(upstream)) <= outputs:
                await asyncio.sleep(0.005)
        if not json.loads(_outputs(upstream)[-1]["output"])["ok"]:
            raise RuntimeError("the knowledge lookup failed")
        lookup_ms.append((time.perf_counter() - asked_at) * 1000)
    embeddings.delay = 0
    await asker.close()
    await talker.close()
    await calls_settled()
    await fake.stop()
    embeddings.stop()
    return {
        "idle": {key: _summary([r[key] for r in idle]) for key in idle[0]},
        "during_slow_lookup": {key: _summary([r[key] for r in during]) for key in during[0]},
        "lookup_ms": _summary(lookup_ms),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--delay", type=float, default=2.0, help="embedding answer delay (s)")
    parser.add_argument("--label", default="", help="stored in the report (e.g. before/after)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
            os.environ.pop(name, None)
        os.environ.update(
            DJANGO_SETTINGS_MODULE="voiceagent.settings",
            DJANGO_READ_DOT_ENV_FILE="false",
            VOICEAGENT_DATA_DIR=folder,
            OPENAI_API_KEY="sk-bench-not-a-real-key",
            VOICEAGENT_ENGINE="openai",
            CALL_RATE_LIMIT_PER_MINUTE="100000",
            LOG_LEVEL="WARNING",
        )
        import django

        django.setup()
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.core.management import call_command

        from agents.services import agent_demo_ensure

        settings.SERVER_HEARTBEAT_SECONDS = 0  # no background writes beside the figures
        call_command("migrate", verbosity=0)
        owner = get_user_model().objects.create_superuser("bench", "bench@example.com", "x")
        agent_demo_ensure(owner=owner)
        result = asyncio.run(measure(options.rounds, options.delay))
    report = {
        "benchmark": "slow_tool",
        "label": options.label,
        "embedding_delay_s": options.delay,
        "rounds": options.rounds,
        **result,
    }
    print(json.dumps(report))
    print(f"{'':22}{'idle p50':>10}{'p95':>8}{'slow p50':>10}{'p95':>8}  (ms)", file=sys.stderr)
    for key in ("ready_ms", "first_audio_ms", "transcript_ms"):
        a, b = report["idle"][key], report["during_slow_lookup"][key]
        print(f"{key:22}{a['p50']:>10}{a['p95']:>8}{b['p50']:>10}{b['p95']:>8}", file=sys.stderr)
    print(f"lookup itself p50 {report['lookup_ms']['p50']} ms", file=sys.stderr)


if __name__ == "__main__":
    main()
