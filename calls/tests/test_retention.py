"""Call logs past their agent's retention are purged, by service and by a real worker."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from agents.models import Agent
from calls.models import CallLog, TranscriptTurn
from calls.services import call_logs_purge_expired
from calls.tasks import call_logs_purge_expired_task
from conftest import redis_url
from voiceagent.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def _call(agent: Agent, days_ago: int) -> CallLog:
    started = timezone.now() - dt.timedelta(days=days_ago)
    call = CallLog.objects.create(
        agent=agent, channel="web", engine="offline", started_at=started, status="completed"
    )
    TranscriptTurn.objects.create(call=call, seq=1, role="user", text="hello")
    return call


@pytest.mark.django_db
def test_old_calls_are_purged_with_their_transcripts(agent: Agent) -> None:
    agent.retention_days = 30
    agent.save()
    old, recent = _call(agent, 31), _call(agent, 29)
    assert call_logs_purge_expired() == 1
    assert list(CallLog.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not TranscriptTurn.objects.filter(call_id=old.pk).exists()


@pytest.mark.django_db
def test_zero_retention_keeps_calls_forever(agent: Agent) -> None:
    agent.retention_days = 0
    agent.save()
    _call(agent, 3650)
    assert call_logs_purge_expired() == 0
    assert CallLog.objects.count() == 1


@pytest.mark.django_db
def test_the_task_runs_the_service(agent: Agent) -> None:
    _call(agent, agent.retention_days + 1)
    call_logs_purge_expired_task.delay()
    assert CallLog.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_on_redis_runs_the_task(agent: Agent) -> None:
    """A real worker process consumes the task from Redis and writes to PostgreSQL."""
    old = _call(agent, agent.retention_days + 5)
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    database_url = f"postgres://{db['USER'] or ''}@{host}:{port}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url(),
        "DJANGO_READ_DOT_ENV_FILE": "false",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "voiceagent",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    previous = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    # Set as an item: Celery's ``broker_url`` attribute is a read-only property.
    celery_app.conf["broker_url"] = redis_url()
    try:
        call_logs_purge_expired_task.apply_async(queue=queue)
        deadline = time.monotonic() + 60
        while CallLog.objects.filter(pk=old.pk).exists():
            assert worker.poll() is None, worker.stdout.read() if worker.stdout else ""
            assert time.monotonic() < deadline, "the worker did not run the task in 60 s"
            time.sleep(0.2)
    finally:
        celery_app.conf.task_always_eager, celery_app.conf["broker_url"] = previous
        worker.terminate()
        worker.wait(timeout=20)


@pytest.mark.django_db
def test_calls_left_live_by_a_dead_server_are_closed(agent: Agent) -> None:
    from calls.services import call_logs_close_orphans

    now = timezone.now()
    orphan = CallLog.objects.create(
        agent=agent,
        channel="web",
        engine="offline",
        status="active",
        started_at=now - dt.timedelta(seconds=agent.max_call_seconds + 600),
    )
    running = CallLog.objects.create(
        agent=agent, channel="web", engine="offline", status="active", started_at=now
    )
    assert call_logs_close_orphans(now=now) == 1
    orphan.refresh_from_db()
    running.refresh_from_db()
    assert (orphan.status, orphan.end_reason) == ("failed", "server_lost")
    assert orphan.ended_at == now
    assert running.status == "active"
