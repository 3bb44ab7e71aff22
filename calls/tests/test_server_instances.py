"""Calls of dead server processes are closed; calls of live ones are never touched."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from django.utils import timezone

from calls.models import CallLog, CallStatus, ServerInstance
from calls.realtime.hooks import CallOutcome
from calls.services import (
    call_log_finish,
    call_logs_close_orphans,
    server_instance_heartbeat,
    server_instance_register,
)

pytestmark = pytest.mark.django_db

HOST = "web-host-1"
NO_SUCH_PID = 4_194_000  # above any pid this machine hands out (pid_max is 4194304)


def _live_call(agent: Any, instance: ServerInstance) -> CallLog:
    return CallLog.objects.create(
        agent=agent,
        channel="web",
        engine="offline",
        status=CallStatus.ACTIVE,
        server_instance=instance.pk,
    )


def test_a_starting_process_closes_only_the_calls_of_dead_processes(agent: Any) -> None:
    dead_here = ServerInstance.objects.create(hostname=HOST, pid=NO_SUCH_PID)
    previous_run_same_pid = ServerInstance.objects.create(hostname=HOST, pid=os.getpid())
    alive_here = ServerInstance.objects.create(hostname=HOST, pid=os.getppid())
    elsewhere = ServerInstance.objects.create(hostname="web-host-2", pid=NO_SUCH_PID)
    calls = {
        name: _live_call(agent, instance)
        for name, instance in {
            "dead_here": dead_here,
            "previous_run": previous_run_same_pid,
            "alive_here": alive_here,
            "elsewhere": elsewhere,
        }.items()
    }
    server_instance_register(hostname=HOST, pid=os.getpid())
    states = {name: CallLog.objects.get(pk=c.pk).status for name, c in calls.items()}
    assert states == {
        "dead_here": "failed",
        "previous_run": "failed",
        "alive_here": "active",  # a sibling worker on this host
        "elsewhere": "active",  # another host's process, still heartbeating
    }
    assert CallLog.objects.get(pk=calls["dead_here"].pk).end_reason == "server_lost"
    dead_here.refresh_from_db()
    assert dead_here.stopped_at is not None


def test_a_same_named_predecessor_is_dead_on_any_host(agent: Any) -> None:
    predecessor = ServerInstance.objects.create(hostname="old-host", pid=1, name="web-1")
    sibling = ServerInstance.objects.create(hostname="old-host", pid=2, name="web-2")
    mine, theirs = _live_call(agent, predecessor), _live_call(agent, sibling)
    server_instance_register(hostname="new-host", pid=7, name="web-1")
    assert CallLog.objects.get(pk=mine.pk).status == "failed"
    assert CallLog.objects.get(pk=theirs.pk).status == "active"


def test_a_silent_instance_is_dead_after_six_heartbeats(agent: Any, settings: Any) -> None:
    settings.SERVER_HEARTBEAT_SECONDS = 10
    now = timezone.now()
    silent = ServerInstance.objects.create(
        hostname="gone", pid=1, heartbeat_at=now - dt.timedelta(seconds=61)
    )
    recent = ServerInstance.objects.create(
        hostname="busy", pid=1, heartbeat_at=now - dt.timedelta(seconds=50)
    )
    lost, kept = _live_call(agent, silent), _live_call(agent, recent)
    me = ServerInstance.objects.create(hostname=HOST, pid=os.getpid())
    server_instance_heartbeat(instance_id=str(me.pk), hostname=HOST, pid=os.getpid(), name="")
    assert CallLog.objects.get(pk=lost.pk).end_reason == "server_lost"
    assert CallLog.objects.get(pk=kept.pk).status == "active"
    me.refresh_from_db()
    assert me.heartbeat_at >= now


def test_a_call_wrongly_closed_as_orphan_takes_its_real_outcome(agent: Any) -> None:
    instance = ServerInstance.objects.create(hostname=HOST, pid=NO_SUCH_PID)
    call = _live_call(agent, instance)
    assert call_logs_close_orphans(dead_instances=[str(instance.pk)]) == 1
    call_log_finish(
        call_id=str(call.pk),
        outcome=CallOutcome(
            status="completed",
            end_reason="client_ended",
            duration_seconds=42,
            usage={},
            cost_usd=0.0,
            user_info={},
        ),
    )
    call.refresh_from_db()
    assert (call.status, call.end_reason, call.duration_seconds) == (
        "completed",
        "client_ended",
        42,
    )


def test_the_heartbeat_recreates_a_deleted_instance_row() -> None:
    instance = ServerInstance.objects.create(hostname=HOST, pid=os.getpid())
    instance_id = str(instance.pk)
    instance.delete()
    server_instance_heartbeat(instance_id=instance_id, hostname=HOST, pid=os.getpid(), name="")
    assert ServerInstance.objects.filter(pk=instance_id).exists()
