"""After-call follow-ups at a burst: N calls ending within a second, two Celery workers.

N calls end within about one second (``call_log_finish``, as the bridge does). Two Celery
worker processes on Redis summarise them through a fake OpenAI Chat Completions server,
send the caller's and the team's emails through a fake SMTP server, and post the signed
``call.ended`` webhook to a fake receiver; each fake answers after ``--latency`` seconds.
Measured: time from the first call ending until every summary, email and webhook is
done; duplicates (messages with one Message-ID or delivery id seen twice, model requests
beyond one per call: must be 0); SQL queries per call (workers and call end).

Needs PostgreSQL and Redis (two worker processes share the database).
Run: .venv/bin/python bench/postcall.py [--calls 500] [--workers 2] [--concurrency 16]
     [--latency 0.2] [--database-url postgres://postgres@127.0.0.1:5432/bench_postcall]
     [--redis-url redis://127.0.0.1:6379/14]
Prints one JSON object on stdout and a table on stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

from fake_smtp import FakeSMTP  # noqa: E402
from harness import PYTHON, ROOT, machine, summary  # noqa: E402


def _cpu(pids: list[int]) -> float:
    import psutil

    total = 0.0
    for pid in pids:
        process = psutil.Process(pid)
        for each in [process, *process.children(recursive=True)]:
            times = each.cpu_times()
            total += times.user + times.system
    return total


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
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=16, help="threads per worker")
    parser.add_argument("--latency", type=float, default=0.2, help="each fake's answer time")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/bench_postcall"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--enders", type=int, default=16, help="threads ending the calls")
    args = parser.parse_args()

    from calls.tests.fake_chat import FakeChatCompletions
    from notifications.tests.fake_webhook import FakeWebhookReceiver

    chat = FakeChatCompletions()
    chat.delay_seconds = args.latency
    smtp = FakeSMTP(delay=args.latency)
    work = Path(tempfile.mkdtemp(prefix="bench-postcall-"))
    _create_database(args.database_url)
    import redis as redis_lib

    redis = redis_lib.Redis.from_url(args.redis_url)
    redis.flushdb()
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    from cryptography.fernet import Fernet

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_READ_DOT_ENV_FILE": "false",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-" + uuid.uuid4().hex * 2,
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "VOICEAGENT_DATA_DIR": str(work / "data"),
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "OPENAI_API_KEY": "sk-bench-not-real",
        "OPENAI_BASE_URL": chat.url,
        "SUMMARY_MODEL": "gpt-4o-mini",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "bench")]),
    }
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "voiceagent.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", "--noinput", verbosity=0)
    call_command("bootstrap", stdout=open(os.devnull, "w"))
    from agents.models import Agent
    from calls.models import CallLog, CallStatus, SummaryStatus, TranscriptTurn
    from calls.realtime.hooks import CallOutcome
    from calls.services import call_log_finish
    from notifications.models import OutboxMessage, OutboxStatus
    from voiceagent import background

    agent = Agent.objects.get()
    receiver = FakeWebhookReceiver(secret=agent.webhook_secret.reveal(), hold_seconds=args.latency)
    agent.webhook_url = receiver.url
    agent.summary_recipients = "team@example.com"
    agent.email_caller_summary = True
    agent.save()
    started = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)
    calls = CallLog.objects.bulk_create(
        CallLog(
            agent=agent,
            channel="web",
            engine="offline",
            status=CallStatus.ACTIVE,
            started_at=started,
            user_info={"name": f"Caller {n}", "email": f"caller{n}@example.com"},
        )
        for n in range(args.calls)
    )
    TranscriptTurn.objects.bulk_create(
        TranscriptTurn(call=call, seq=seq, role=role, text=text)
        for call in calls
        for seq, (role, text) in enumerate(
            [
                ("assistant", "Hello, how can I help?"),
                ("user", "I'd like to book a consultation next week."),
                ("assistant", "Of course. May I have your email?"),
                ("user", "It's on file, thanks. Bye!"),
            ],
            start=1,
        )
    )

    workers = [
        subprocess.Popen(
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "counting_celery",
                "worker",
                "--pool=threads",
                f"--concurrency={args.concurrency}",
                "-Q",
                queue,
                "-n",
                f"{queue}-{n}@%h",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=WARNING",
            ],
            cwd=ROOT / "bench",
            env={**os.environ},
            stdout=subprocess.DEVNULL,
            stderr=open(work / f"worker-{n}.log", "w"),
        )
        for n in range(args.workers)
    ]
    time.sleep(4)  # workers connected before the burst

    queries_at_end = 0
    counting = threading.Lock()

    def count(execute, sql, params, many, context):
        nonlocal queries_at_end
        with counting:
            queries_at_end += 1
        return execute(sql, params, many, context)

    def end(call: CallLog) -> None:
        # As the bridge ends a call: one transaction, the summary queued after commit.
        try:
            with connection.execute_wrapper(count), transaction.atomic():
                call_log_finish(
                    call_id=str(call.pk),
                    outcome=CallOutcome(
                        status="completed",
                        end_reason="client_ended",
                        duration_seconds=95,
                        usage={},
                        cost_usd=0.0,
                        user_info=call.user_info,
                    ),
                )
        finally:
            connection.close()

    cpu_before = _cpu([worker.pid for worker in workers])
    t0 = time.monotonic()
    # Many server processes end their calls at once: ending them from a pool of threads
    # lets the database round trips overlap, as separate processes' would.
    with ThreadPoolExecutor(max_workers=args.enders) as pool:
        list(pool.map(end, calls))
    burst = time.monotonic() - t0
    background.wait_idle(timeout=120)

    expected_messages = args.calls * 3
    marks: dict[str, float] = {}
    deadline = t0 + args.timeout
    while time.monotonic() < deadline:
        now = time.monotonic() - t0
        summaries = CallLog.objects.filter(summary_status=SummaryStatus.DONE).count()
        sent = OutboxMessage.objects.filter(status=OutboxStatus.SENT).count()
        if summaries >= args.calls and "summaries" not in marks:
            marks["summaries"] = now
        if sent >= expected_messages:
            marks["all_sent"] = now
            break
        time.sleep(0.25)
    worker_cpu = _cpu([worker.pid for worker in workers]) - cpu_before
    time.sleep(3)  # anything sent twice would arrive now
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(timeout=30)

    sent_at = [
        (m.sent_at - m.created_at).total_seconds()  # type: ignore[operator]
        for m in OutboxMessage.objects.filter(status=OutboxStatus.SENT).only(
            "sent_at", "created_at"
        )
    ]
    worker_queries = int(redis.get("bench:queries") or 0)
    tasks = {
        key.decode().split(":", 2)[2]: int(redis.get(key) or 0)
        for key in redis.scan_iter("bench:tasks:*")
    }
    deliveries = receiver.acknowledged()
    result = {
        "benchmark": "postcall",
        "machine": machine(),
        "calls": args.calls,
        "workers": args.workers,
        "concurrency_per_worker": args.concurrency,
        "provider_latency_s": args.latency,
        "burst_seconds": round(burst, 3),
        "summaries_done_s": round(marks.get("summaries", float("nan")), 2),
        "all_done_s": round(marks.get("all_sent", float("nan")), 2),
        "completed": "all_sent" in marks,
        "outbox_queued_to_sent_s": summary(sent_at),
        "model_requests": len(chat.requests),
        "emails_accepted": smtp.accepted(),
        "webhooks_acknowledged": len(deliveries),
        "duplicates": {
            "emails": smtp.duplicates(),
            "webhooks": len(deliveries) - len({d.delivery_id for d in deliveries}),
            "model_requests": max(0, len(chat.requests) - args.calls),
        },
        "tasks": tasks,
        "worker_cpu_seconds": round(worker_cpu, 1),
        "worker_cpu_ms_per_call": round(1000 * worker_cpu / args.calls, 1),
        "queries_per_call": {
            "call_end": round(queries_at_end / args.calls, 2),
            "workers": round(worker_queries / args.calls, 2),
            "total": round((queries_at_end + worker_queries) / args.calls, 2),
        },
    }
    chat.stop()
    smtp.close()
    receiver.close()
    print(json.dumps(result))
    print(
        f"{args.calls} calls ended in {burst:.2f} s; summaries done at "
        f"{result['summaries_done_s']} s, every email and webhook at {result['all_done_s']} s\n"
        f"emails {result['emails_accepted']}, webhooks {result['webhooks_acknowledged']}, "
        f"model requests {result['model_requests']}, duplicates {result['duplicates']}\n"
        f"queries per call {result['queries_per_call']}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
