"""Calls of dead server processes are closed; calls of live ones are never touched."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from django.utils import timezone
from pytest_django import Settings

from agents.models import Agent
from calls.models import CallLog, CallStatus, ServerInstance
from calls.processes import pid_namespace, process_started
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


def _live_call(agent: Agent, instance: ServerInstance) -> CallLog:
    return CallLog.objects.create(
        agent=agent,
        channel="web",
        engine="offline",
        status=CallStatus.ACTIVE,
        server_instance=instance.pk,
    )


def _register(**extra: Any) -> ServerInstance:
    return server_instance_register(
        hostname=HOST,
        pid=os.getpid(),
        pid_namespace=pid_namespace(),
        process_started=process_started(os.getpid()),
        **extra,
    )


def test_a_starting_process_closes_only_the_calls_of_dead_processes(agent: Agent) -> None:
    here = pid_namespace()
    assert here, "this test runs on Linux, where /proc tells"
    parent = os.getppid()
    instances = {
        "gone": ServerInstance(hostname=HOST, pid_namespace=here, pid=NO_SUCH_PID),
        "previous_run_with_my_pid": ServerInstance(
            hostname=HOST, pid_namespace=here, pid=os.getpid()
        ),
        "pid_reused": ServerInstance(
            hostname=HOST, pid_namespace=here, pid=parent, process_started=1
        ),
        "alive_here": ServerInstance(
            hostname=HOST, pid_namespace=here, pid=parent, process_started=process_started(parent)
        ),
        # Same hostname, another container (host networking): its pids are not ours.
        "other_namespace": ServerInstance(
            hostname=HOST, pid_namespace="another-boot:4026531836", pid=NO_SUCH_PID
        ),
        "other_host": ServerInstance(hostname="web-host-2", pid=NO_SUCH_PID),
    }
    calls = {}
    for label, instance in instances.items():
        instance.save()
        calls[label] = _live_call(agent, instance)
    _register()
    states = {label: CallLog.objects.get(pk=c.pk).status for label, c in calls.items()}
    assert states == {
        "gone": "failed",
        "previous_run_with_my_pid": "failed",
        "pid_reused": "failed",
        "alive_here": "active",  # a sibling worker
        "other_namespace": "active",  # left to the stale-heartbeat rule
        "other_host": "active",
    }
    assert CallLog.objects.get(pk=calls["gone"].pk).end_reason == "server_lost"
    assert ServerInstance.objects.get(pk=instances["gone"].pk).stopped_at is not None


def test_a_same_named_predecessor_is_dead_but_not_a_running_namesake(agent: Agent) -> None:
    predecessor = ServerInstance.objects.create(hostname="old-host", pid=1, name="web-1")
    sibling = ServerInstance.objects.create(hostname="old-host", pid=2, name="web-2")
    parent = os.getppid()
    namesake = ServerInstance.objects.create(
        hostname=HOST,
        pid_namespace=pid_namespace(),
        pid=parent,
        process_started=process_started(parent),
        name="web-1",
    )
    mine, theirs, running = (_live_call(agent, i) for i in (predecessor, sibling, namesake))
    _register(name="web-1")
    assert CallLog.objects.get(pk=mine.pk).status == "failed"
    assert CallLog.objects.get(pk=theirs.pk).status == "active"
    assert CallLog.objects.get(pk=running.pk).status == "active"  # misconfigured, alive


def test_a_silent_instance_is_dead_after_six_heartbeats(agent: Agent, settings: Settings) -> None:
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
    server_instance_heartbeat(instance_id=str(me.pk), hostname=HOST, pid=os.getpid())
    assert CallLog.objects.get(pk=lost.pk).end_reason == "server_lost"
    assert CallLog.objects.get(pk=kept.pk).status == "active"
    me.refresh_from_db()
    assert me.heartbeat_at >= now


def test_a_call_wrongly_closed_as_orphan_takes_its_real_outcome(agent: Agent) -> None:
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
    server_instance_heartbeat(instance_id=instance_id, hostname=HOST, pid=os.getpid())
    assert ServerInstance.objects.filter(pk=instance_id).exists()


def test_a_heartbeat_after_its_own_outage_judges_no_one(agent: Agent, settings: Settings) -> None:
    settings.SERVER_HEARTBEAT_SECONDS = 10
    silent = ServerInstance.objects.create(
        hostname="gone", pid=1, heartbeat_at=timezone.now() - dt.timedelta(seconds=120)
    )
    call = _live_call(agent, silent)
    me = ServerInstance.objects.create(hostname=HOST, pid=os.getpid())
    server_instance_heartbeat(
        instance_id=str(me.pk), close_stale=False, hostname=HOST, pid=os.getpid()
    )
    assert CallLog.objects.get(pk=call.pk).status == "active"


def test_a_call_live_past_its_maximum_duration_is_closed_whoever_runs_it(agent: Agent) -> None:
    me = ServerInstance.objects.create(hostname=HOST, pid=os.getpid())
    stuck = _live_call(agent, me)  # its end could not be written, say
    CallLog.objects.filter(pk=stuck.pk).update(
        started_at=timezone.now() - dt.timedelta(seconds=agent.max_call_seconds + 301)
    )
    recent = _live_call(agent, me)
    assert call_logs_close_orphans() == 1
    assert CallLog.objects.get(pk=stuck.pk).end_reason == "server_lost"
    assert CallLog.objects.get(pk=recent.pk).status == "active"
