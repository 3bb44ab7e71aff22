"""The dashboard's overview on 100 000 calls and 2 000 000 transcript turns (PostgreSQL).

Fills a scratch PostgreSQL database with ``generate_series`` (seconds, not the minutes
the ORM would take): calls spread over the last 30 days across five agents of one owner
(and as many of another owner's, which the first must not pay for), every status,
outcome and end reason, ``--turns`` turns per call alternating agent and caller, agent
turns with a latency, some contacts and appointments. Then times
``dashboard.selectors.overview_get`` for each period, all agents and one, and counts its
queries. The percentiles are PostgreSQL's ``percentile_cont``: no turn leaves the
database.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/dashbench \\
     .venv/bin/python bench/dashboard_overview.py [--calls 100000] [--turns 20] [--repeat 5]
The database is created if missing and refilled when its size differs from the options.
Prints one JSON object on stdout and a table on stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voiceagent.settings")
os.environ.setdefault("DJANGO_READ_DOT_ENV_FILE", "false")


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


FILL_CALLS = """
INSERT INTO calls_calllog (
    created_at, updated_at, id, agent_id, channel, direction, status, engine, realtime_model,
    started_at, ended_at, duration_seconds, end_reason, error_message, caller_number,
    caller_ip_hash, contact_id, user_info, summary, outcome, summary_data, summary_status,
    summary_model, summary_cost_usd, summary_attempts, summary_error, usage, cost_usd,
    recording, provider_call_id, provider_stream_id
)
SELECT now(), now(), gen_random_uuid(), agents[1 + g %% array_length(agents, 1)], 'web',
    'inbound', statuses[1 + g %% 8], 'offline', '', started, started + make_interval(secs => d),
    d, reasons[1 + g %% 8], '', '', '', CASE WHEN g %% 4 = 0 THEN contacts[1 + g %% 50] END,
    '{}', '', outcomes[1 + g %% 7], '{}', '', '', (g %% 900) / 1000000.0, 0, '', '{}',
    (g %% 90000) / 1000000.0, '', '', ''
FROM generate_series(1, %(calls)s) AS g,
    LATERAL (SELECT now() - make_interval(secs => random() * 30 * 86400) AS started,
                    (5 + g %% 600) AS d) AS t,
    (SELECT %(agents)s::bigint[] AS agents, %(contacts)s::bigint[] AS contacts,
            ARRAY['completed','completed','completed','completed','completed','completed',
                  'failed','transferred'] AS statuses,
            ARRAY['client_ended','agent_ended','idle_timeout','max_duration','client_ended',
                  'staff_ended','upstream_unavailable','transferred'] AS reasons,
            ARRAY['contact_captured','appointment_booked','question_answered','transferred',
                  'no_action','abandoned',''] AS outcomes) AS choices
"""

FILL_TURNS = """
INSERT INTO calls_transcriptturn (
    call_id, seq, role, text, item_id, started_ms, interrupted, latency_ms, created_at
)
SELECT c.id, s, CASE WHEN s %% 2 = 1 THEN 'assistant' ELSE 'user' END, 'Some words said.',
    '', s * 3000, s %% 7 = 0,
    CASE WHEN s %% 2 = 1 AND s > 1 THEN (250 + random() * 2500)::int END, c.started_at
FROM calls_calllog c CROSS JOIN generate_series(1, %(turns)s) AS s
WHERE c.status <> 'failed'
"""

FILL_APPOINTMENTS = """
INSERT INTO appointments_appointment (
    created_at, updated_at, id, agent_id, contact_id, call_id, service_name, start_at, end_at,
    timezone, status, provider, external_event_id, calendar_link, meeting_link, sync_attempts,
    revision, idempotency_key, notes, last_error
)
SELECT now(), now(), gen_random_uuid(), c.agent_id, c.contact_id, c.id, 'Consultation',
    c.started_at + interval '7 days', c.started_at + interval '7 days 30 minutes',
    'Europe/London', CASE WHEN row_number() OVER () %% 10 = 0 THEN 'failed' ELSE 'confirmed' END,
    'local', '', '', '', 0, 0, c.id::text, '', ''
FROM calls_calllog c WHERE c.outcome = 'appointment_booked'
"""


def fill(calls: int, turns: int) -> dict[str, float]:
    from django.contrib.auth.models import User
    from django.db import connection

    from agents.models import Agent
    from calls.models import CallLog, TranscriptTurn
    from contacts.models import Contact

    timings: dict[str, float] = {}
    began = time.perf_counter()
    with connection.cursor() as cursor:
        # A scratch database: everything that refers to calls goes with them.
        cursor.execute("TRUNCATE calls_calllog CASCADE")
    for name in ("owner", "other"):
        owner, _ = User.objects.get_or_create(username=name, defaults={"is_staff": True})
        for n in range(5):
            Agent.objects.get_or_create(
                public_id=f"{name}-agent-{n}",
                defaults={
                    "owner": owner,
                    "name": f"{name} agent {n}",
                    "instructions": "Be brief.",
                    "timezone": "Europe/London",
                },
            )
        for n in range(50):
            Contact.objects.get_or_create(owner=owner, email=f"caller{n}@{name}.example")
    with connection.cursor() as cursor:
        for name in ("owner", "other"):
            agents = list(Agent.objects.filter(owner__username=name).values_list("pk", flat=True))
            contacts = list(
                Contact.objects.filter(owner__username=name).values_list("pk", flat=True)
            )
            cursor.execute(
                FILL_CALLS, {"calls": calls // 2, "agents": agents, "contacts": contacts}
            )
        timings["calls_s"] = time.perf_counter() - began
        cursor.execute(FILL_TURNS, {"turns": turns})
        timings["turns_s"] = time.perf_counter() - began - timings["calls_s"]
        cursor.execute(FILL_APPOINTMENTS, {})
        cursor.execute("ANALYZE")
    timings["total_s"] = time.perf_counter() - began
    timings["rows_calls"] = CallLog.objects.count()
    timings["rows_turns"] = TranscriptTurn.objects.count()
    return timings


def measure(repeat: int) -> list[dict[str, Any]]:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from agents.models import Agent
    from dashboard.selectors import overview_get, overview_period

    owner = User.objects.get(username="owner")
    one = Agent.objects.filter(owner=owner).order_by("pk").first()
    rows: list[dict[str, Any]] = []
    for agent in (None, one):
        for key in ("today", "7d", "30d"):
            period = overview_period(user=owner, agent=agent, key=key, now=timezone.now())
            seconds = []
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as captured:
                    began = time.perf_counter()
                    overview = overview_get(user=owner, period=period, agent=agent)
                    seconds.append(time.perf_counter() - began)
            rows.append(
                {
                    "agents": "one" if agent else "all",
                    "period": key,
                    "calls": overview.totals.calls,
                    "agent_turns": overview.latency.turns,
                    "p50_ms": overview.latency.p50_ms,
                    "p95_ms": overview.latency.p95_ms,
                    "queries": len(captured),
                    "median_s": statistics.median(seconds),
                    "max_s": max(seconds),
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a scratch PostgreSQL database (it is emptied).")
    ensure_database(url)

    import django

    django.setup()
    from django.core.management import call_command

    from calls.models import CallLog, TranscriptTurn

    call_command("migrate", verbosity=0)
    filled = {}
    if CallLog.objects.count() != args.calls // 2 * 2 or not TranscriptTurn.objects.exists():
        filled = fill(args.calls, args.turns)
    rows = measure(args.repeat)
    report = {
        "date": dt.datetime.now(dt.UTC).date().isoformat(),
        "calls": args.calls,
        "turns_per_call": args.turns,
        "fill": filled,
        "overview": rows,
    }
    print(json.dumps(report, indent=2, default=str))
    header = f"{'agents':<7}{'period':<7}{'calls':>8}{'turns':>9}{'p50':>8}{'p95':>8}"
    print(header + f"{'queries':>9}{'median':>10}{'max':>10}", file=sys.stderr)
    for row in rows:
        print(
            f"{row['agents']:<7}{row['period']:<7}{row['calls']:>8}{row['agent_turns']:>9}"
            f"{row['p50_ms'] or 0:>8.0f}{row['p95_ms'] or 0:>8.0f}{row['queries']:>9}"
            f"{row['median_s']:>9.3f}s{row['max_s']:>9.3f}s",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
