"""The outbound dispatcher at scale: one round's cost with large running campaigns.

``--campaigns`` running campaigns of ``--contacts`` contacts each (one agent, one number,
``--lines`` calls at once per campaign) on PostgreSQL. Each round: the dispatcher places
what the lines allow (the provider request itself is replaced by marking the attempt
ringing: this measures our side), then every call placed ends answered (as the
providers' final status would close it). Measured per round: the dispatcher's time and
SQL queries, and the time to close the calls; and the whole run's calls per second.
Checked: nobody called twice, no campaign over its lines.

Needs PostgreSQL.
Run: .venv/bin/python bench/outbound_dispatch.py [--campaigns 4] [--contacts 2500]
     [--lines 20] [--database-url postgres://postgres@127.0.0.1:5432/bench_outbound]
Prints one JSON object on stdout and a table on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

from harness import machine, summary  # noqa: E402


class QueryCounter:
    """A connection's execute wrapper that counts the queries it runs."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def _create_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--campaigns", type=int, default=4)
    parser.add_argument("--contacts", type=int, default=2500, help="per campaign")
    parser.add_argument("--lines", type=int, default=20, help="calls at once per campaign")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/bench_outbound"
    )
    args = parser.parse_args()

    _create_database(args.database_url)
    from cryptography.fernet import Fernet

    os.environ.update(
        {
            "DJANGO_READ_DOT_ENV_FILE": "false",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "bench-" + uuid.uuid4().hex * 2,
            "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "VOICEAGENT_DATA_DIR": tempfile.mkdtemp(prefix="bench-outbound-"),
            "DATABASE_URL": args.database_url,
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "voiceagent.settings",
        }
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", "--noinput", verbosity=0)
    call_command("bootstrap", stdout=open(os.devnull, "w"))
    from agents.models import Agent
    from contacts.models import Contact
    from outbound import services
    from outbound.campaign_services import campaign_save, campaign_start
    from outbound.dispatch_services import outbound_dispatch
    from outbound.models import (
        LIVE_STATUSES,
        AttemptStatus,
        CallAttempt,
        Campaign,
        CampaignStatus,
        OutboundPolicy,
    )
    from outbound.result_services import outbound_attempt_finish
    from phone_numbers.models import PhoneNumber

    # The provider's side is not measured: a placed call is ringing at once.
    def ring(attempt_id: int) -> None:
        CallAttempt.objects.filter(pk=attempt_id, status=AttemptStatus.DIALLING).update(
            status=AttemptStatus.RINGING, provider_status="queued"
        )

    services._dial_task_send = ring

    agent = Agent.objects.get()
    agent.max_concurrent_calls = 10_000
    agent.save()
    OutboundPolicy.objects.create(
        agent=agent, calling_hours_end="23:59:59", calling_days=list(range(7))
    )
    number = PhoneNumber.objects.create(
        owner=agent.owner,
        provider="twilio",
        number="+15559870002",
        agent=agent,
        max_outbound_calls=10_000,
    )
    for c in range(args.campaigns):
        contacts = Contact.objects.bulk_create(
            Contact(owner=agent.owner, agent=agent, phone=f"+1212{200 + c}{n:04d}")
            for n in range(args.contacts)
        )
        campaign = campaign_save(
            campaign=Campaign(owner=agent.owner),
            changes={
                "name": f"Campaign {c}",
                "agent": agent,
                "phone_number": number,
                "max_concurrent_calls": args.lines,
            },
            contacts=contacts,
        )
        campaign_start(campaign=campaign)

    dispatch_ms: list[float] = []
    dispatch_queries: list[float] = []
    close_ms: list[float] = []
    most_live = 0
    total = args.campaigns * args.contacts
    started = time.perf_counter()
    while Campaign.objects.filter(status=CampaignStatus.RUNNING).exists():
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            t0 = time.perf_counter()
            placed = outbound_dispatch()
            dispatch_ms.append((time.perf_counter() - t0) * 1000)
        dispatch_queries.append(counter.count)
        for campaign_id in Campaign.objects.values_list("pk", flat=True):
            live = CallAttempt.objects.filter(
                campaign_id=campaign_id, status__in=LIVE_STATUSES
            ).count()
            most_live = max(most_live, live)
        t0 = time.perf_counter()
        for attempt_id in CallAttempt.objects.filter(status__in=LIVE_STATUSES).values_list(
            "pk", flat=True
        ):
            outbound_attempt_finish(attempt_id=attempt_id, result="answered")
        close_ms.append((time.perf_counter() - t0) * 1000)
        if placed == 0 and len(dispatch_ms) > total:  # nothing moves: report, do not spin
            print("the dispatcher placed nothing; stopping", file=sys.stderr)
            break
    elapsed = time.perf_counter() - started
    calls = CallAttempt.objects.count()
    distinct = CallAttempt.objects.values("contact").distinct().count()
    result = {
        "benchmark": "outbound_dispatch",
        "machine": machine(),
        "campaigns": args.campaigns,
        "contacts_per_campaign": args.contacts,
        "lines_per_campaign": args.lines,
        "rounds": len(dispatch_ms),
        "dispatch_round_ms": summary(dispatch_ms),
        "dispatch_round_queries": summary(dispatch_queries),
        "close_round_ms": summary(close_ms),
        "calls_placed": calls,
        "contacts": total,
        "called_twice": calls - distinct,
        "most_live_per_campaign": most_live,
        "calls_per_second": round(calls / elapsed, 1),
        "seconds": round(elapsed, 1),
    }
    print(json.dumps(result))
    print(
        f"{calls}/{total} calls in {elapsed:.1f} s ({result['calls_per_second']}/s), "
        f"{len(dispatch_ms)} rounds; dispatch p50 {result['dispatch_round_ms']['p50']} ms "
        f"p95 {result['dispatch_round_ms']['p95']} ms, "
        f"{result['dispatch_round_queries']['p50']} queries; called twice: "
        f"{result['called_twice']}; most live in a campaign: {most_live}",
        file=sys.stderr,
    )
    connection.close()


if __name__ == "__main__":
    main()
