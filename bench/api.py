"""The REST API over a large call history in PostgreSQL.

Loads --calls call logs (100 000 by default) with --turns-per-call transcript turns each
(20: 2 million turns) and a contact on one call in five, over 90 days and three agents,
with COPY. Then, through the API in-process (Django's handler, an API key, no network):
p50/p95 of the call list's first page (plain, filtered, full-text searched), of a call's
detail and of its transcript; the CSV export's throughput and peak memory (all calls,
streamed); SQL queries per request at page sizes 10 and 500 (must not grow).

Needs PostgreSQL. Run:
  .venv/bin/python bench/api.py [--calls 100000] [--turns-per-call 20] [--repeat 30]
      [--database-url postgres://postgres@127.0.0.1:5432/bench_api] [--keep]
--keep reuses a database loaded by an earlier run with the same sizes.
Prints one JSON object on stdout and a table on stderr.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import io
import json
import os
import random
import sys
import time
import tracemalloc
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from harness import machine, summary  # noqa: E402

WORDS = (
    "appointment consultation tomorrow morning afternoon price parking weekend email "
    "phone book cancel reschedule demo invoice address question thanks hello monday "
    "tuesday wednesday thursday friday insurance refund delivery opening hours"
).split()
RARE_WORD = "zanzibar"  # in one call in a thousand: a selective search


def _create_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def _load(calls: int, turns_per_call: int, seed: int = 7) -> dict[str, float]:
    """Bulk-loads the history with COPY; returns the seconds each part took."""
    from django.contrib.auth.models import User
    from django.db import connection

    from agents.models import Agent

    rng = random.Random(seed)
    owner = User.objects.create_superuser("bench", "bench@example.com", "bench-not-secret")
    agents = [
        Agent.objects.create(owner=owner, name=f"Agent {n}", instructions="Bench.")
        for n in range(3)
    ]
    now = dt.datetime.now(dt.UTC)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    call_ids: list[str] = []
    contact_rows = []
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(
            "COPY calls_calllog (id, created_at, updated_at, agent_id, channel, direction, "
            "status, engine, realtime_model, started_at, ended_at, duration_seconds, "
            "end_reason, error_message, caller_number, caller_ip_hash, user_info, metadata, "
            "summary, outcome, summary_data, summary_status, summary_model, "
            "summary_cost_usd, summary_attempts, summary_error, usage, cost_usd, recording, "
            "provider_call_id, provider_stream_id) FROM STDIN"
        ) as copy:
            for n in range(calls):
                call_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                call_ids.append(call_id)
                started_at = now - dt.timedelta(seconds=rng.uniform(0, 90 * 86400))
                duration = rng.randint(10, 600)
                ended_at = started_at + dt.timedelta(seconds=duration)
                channel = rng.choice(("web", "web", "twilio"))
                outcome = rng.choice(
                    ("contact_captured", "appointment_booked", "question_answered", "no_action")
                )
                copy.write_row(
                    (
                        call_id,
                        started_at,
                        ended_at,
                        agents[n % 3].pk,
                        channel,
                        "inbound",
                        "completed",
                        "openai",
                        "gpt-realtime",
                        started_at,
                        ended_at,
                        duration,
                        "client_ended",
                        "",
                        f"+1415555{n % 10000:04d}" if channel == "twilio" else "",
                        "",
                        "{}",
                        "{}",
                        "A caller asked about " + rng.choice(WORDS) + ".",
                        outcome,
                        "{}",
                        "done",
                        "extractive",
                        "0",
                        1,
                        "",
                        json.dumps({"input_audio_tokens": duration * 10}),
                        f"{duration * 0.001:.6f}",
                        "",
                        "",
                        "",
                    )
                )
                if n % 5 == 0:
                    contact_rows.append((call_id, n))
    timings["calls_s"] = time.perf_counter() - started

    started = time.perf_counter()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            "COPY calls_transcriptturn (call_id, seq, role, text, item_id, started_ms, "
            "interrupted, latency_ms, created_at) FROM STDIN"
        ) as copy,
    ):
        for index, call_id in enumerate(call_ids):
            rare = index % 1000 == 0
            for seq in range(1, turns_per_call + 1):
                role = "user" if seq % 2 else "assistant"
                text = " ".join(rng.choices(WORDS, k=12))
                if rare and seq == 3:
                    text += " " + RARE_WORD
                copy.write_row(
                    (
                        call_id,
                        seq,
                        role,
                        text,
                        "",
                        seq * 4000,
                        False,
                        rng.randint(300, 1500) if role == "assistant" else None,
                        now,
                    )
                )
    timings["turns_s"] = time.perf_counter() - started

    started = time.perf_counter()
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            "COPY contacts_contact (owner_id, agent_id, name, email, phone, source_call_id, "
            "status, notes, created_at, updated_at) FROM STDIN"
        ) as copy:
            for call_id, n in contact_rows:
                copy.write_row(
                    (
                        owner.pk,
                        agents[n % 3].pk,
                        f"Caller {n}",
                        f"caller{n}@example.com",
                        "",
                        call_id,
                        "new",
                        "",
                        now,
                        now,
                    )
                )
        cursor.execute(
            "UPDATE calls_calllog c SET contact_id = k.id FROM contacts_contact k "
            "WHERE k.source_call_id = c.id"
        )
    timings["contacts_s"] = time.perf_counter() - started

    started = time.perf_counter()
    from calls.services import SEARCH_DOCUMENT_SQL

    with connection.cursor() as cursor:
        # What the end of each call writes.
        cursor.execute(SEARCH_DOCUMENT_SQL, [call_ids])
        cursor.execute("ANALYZE")
    timings["search_documents_s"] = time.perf_counter() - started
    return timings


def _timed(client: Any, url: str, repeat: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    durations = []
    queries = 0
    for attempt in range(repeat + 2):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code} {body[:300]!r}")
        if attempt >= 2:  # two warm-up requests
            durations.append(elapsed * 1000)
        queries = len(captured)
    return {"ms": summary(durations), "queries": queries, "bytes": len(body)}


def _export(client: Any) -> dict[str, Any]:
    import resource

    tracemalloc.start()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.get("/api/calls/export.csv")
    rows = 0
    size = 0
    first_byte_ms = None
    for chunk in response.streaming_content:
        if first_byte_ms is None:
            first_byte_ms = (time.perf_counter() - started) * 1000
        rows += chunk.count(b"\n")
        size += len(chunk)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "rows": rows - 1,
        "mib": round(size / 2**20, 1),
        "seconds": round(elapsed, 2),
        "rows_per_s": round((rows - 1) / elapsed),
        "first_byte_ms": round(first_byte_ms or 0, 1),
        "python_peak_mib": round(peak / 2**20, 2),
        "max_rss_growth_mib": round((rss_after - rss_before) / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--turns-per-call", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_api")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voiceagent.settings")
    os.environ["DJANGO_READ_DOT_ENV_FILE"] = "false"
    # DEBUG off: as in production, and without DEBUG's list of every query run.
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + uuid.uuid4().hex * 2)
    os.environ.setdefault("FIELD_ENCRYPTION_KEY", base64.urlsafe_b64encode(os.urandom(32)).decode())
    os.environ["API_RATE_LIMIT"] = "1000000/minute"
    os.environ["LOG_LEVEL"] = "WARNING"
    if not args.keep:
        _create_database(args.database_url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from accounts.services import api_key_create
    from calls.models import CallLog

    call_command("migrate", verbosity=0)
    loaded = {}
    if not (args.keep and CallLog.objects.count() == args.calls):
        loaded = _load(args.calls, args.turns_per_call)
    from django.contrib.auth.models import User
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would have
    owner = User.objects.get(username="bench")
    _, key = api_key_create(user=owner, name="bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", SERVER_NAME="localhost")
    agent = owner.agents.order_by("pk")[0]
    some_call = CallLog.objects.order_by("-started_at").values_list("pk", flat=True)[500]
    week_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%MZ")
    cases = {
        "list": "/api/calls/",
        "list_filtered": f"/api/calls/?agent={agent.public_id}&channel=twilio"
        f"&outcome=appointment_booked&started_after={week_ago}&has_contact=false",
        "list_searched_common": "/api/calls/?q=parking+refund",
        "list_searched_rare": f"/api/calls/?q={RARE_WORD}",
        "detail": f"/api/calls/{some_call}/",
        "transcript_text": f"/api/calls/{some_call}/transcript/?format=txt",
        "contacts": "/api/contacts/",
    }
    results = {name: _timed(client, url, args.repeat) for name, url in cases.items()}
    per_page = {
        size: _timed(client, f"/api/calls/?page_size={size}", 3)["queries"] for size in (10, 500)
    }
    export = _export(client)
    report = {
        "machine": machine(),
        "calls": args.calls,
        "turns": args.calls * args.turns_per_call,
        "load_seconds": {k: round(v, 1) for k, v in loaded.items()},
        "requests": results,
        "queries_by_page_size": per_page,
        "export": export,
    }
    print(json.dumps(report, indent=2, default=str))
    out = io.StringIO()
    out.write(f"{'request':24} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}\n")
    for name, result in results.items():
        ms = result["ms"]
        out.write(f"{name:24} {ms['p50']:8.1f} {ms['p95']:8.1f} {result['queries']:8d}\n")
    out.write(f"queries per list request by page size: {per_page}\n")
    out.write(
        f"export: {export['rows']} rows, {export['mib']} MiB in {export['seconds']} s "
        f"({export['rows_per_s']} rows/s), Python peak {export['python_peak_mib']} MiB, "
        f"max RSS growth {export['max_rss_growth_mib']} MiB\n"
    )
    sys.stderr.write(out.getvalue())


if __name__ == "__main__":
    main()
