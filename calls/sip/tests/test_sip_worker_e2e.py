"""SIP sidebands on real ``manage.py runworker`` processes over Redis: the webhook (this
process) hands the call to a worker, which runs its sideband; the worker is killed
(SIGKILL) mid-call, and the next worker re-attaches to the call as it starts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from calls.models import CallLog, CallStatus
from calls.sip.tests.conftest import SECRET, incoming_event, post_webhook
from calls.tests.conftest import calls_settled
from conftest import redis_url

ROOT = Path(__file__).resolve().parents[3]
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


class SidebandWorkers:
    def __init__(self, env: dict[str, str], channel: str) -> None:
        self.env, self.channel = env, channel
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []

    def start(self, log: Path) -> subprocess.Popen[bytes]:
        self.logs.append(log)
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runworker", self.channel],
            cwd=ROOT,
            env=self.env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def output(self) -> str:
        return "\n---\n".join(log.read_text(errors="replace") for log in self.logs)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture
async def workers(sip: Any, fake: Any, settings: Any, tmp_path: Path) -> AsyncIterator[Any]:
    channel = f"sip-sideband-{uuid.uuid4().hex[:8]}"
    settings.SIP_SIDEBAND_MODE = "worker"
    settings.SIP_SIDEBAND_CHANNEL = channel
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER'] or ''}@{host}:{port}/{db['NAME']}",
        "REDIS_URL": redis_url(),
        "DJANGO_READ_DOT_ENV_FILE": "false",
        "VOICEAGENT_DATA_DIR": str(tmp_path / "data"),
        "OPENAI_API_KEY": "sk-test-not-a-real-key",
        "OPENAI_REALTIME_URL": fake.url,
        "OPENAI_BASE_URL": fake.api_url,
        "OPENAI_WEBHOOK_SECRET": SECRET,
        "VOICEAGENT_ENGINE": "openai",
        "SUMMARY_MODEL": "extractive",
        "SIP_SIDEBAND_MODE": "worker",
        "SIP_SIDEBAND_CHANNEL": channel,
    }
    group = SidebandWorkers(env, channel)
    try:
        yield group
    finally:
        group.stop()


async def test_a_worker_runs_the_sideband_and_its_successor_re_attaches(
    sip: Any, fake: Any, sip_number: Any, workers: Any, tmp_path: Path
) -> None:
    first = workers.start(tmp_path / "worker-1.log")
    sip.ring("rtc_worker")
    response = await post_webhook(incoming_event("rtc_worker"), webhook_id="wh_worker")
    assert response.status_code == 200
    try:
        side = await sip.sideband("rtc_worker", timeout=30)
        (greeting,) = await side.wait_for("response.create", timeout=10)
        assert greeting["response"]["metadata"] == {"purpose": "greeting"}
        await side.call_functions([("update_user_info", {"name": "Ada Lovelace"})])
        await side.wait_for("conversation.item.create", timeout=10)

        first.send_signal(signal.SIGKILL)  # dies without a word: the call goes on
        first.wait(timeout=10)
        workers.start(tmp_path / "worker-2.log")
        again = await sip.sideband("rtc_worker", index=1, timeout=30)
        await again.caller_turn("Are you still there?")
        await again.call_functions([("update_user_info", {"email": "ada@example.com"})])
        await again.wait_for("conversation.item.create", timeout=10)
        assert [
            e for e in again.of_type("response.create") if (e.get("response") or {}).get("metadata")
        ] == []  # no second greeting
        await sip.caller_hangs_up("rtc_worker")
        await calls_settled(timeout=20)
    except (TimeoutError, AssertionError) as exc:
        raise AssertionError(f"{exc!r}; the workers said:\n{workers.output()}") from exc
    call = await CallLog.objects.aget(provider_call_id="rtc_worker")
    assert (call.status, call.end_reason) == (CallStatus.COMPLETED, "caller_hung_up")
    assert call.user_info["name"] == "Ada Lovelace"
    assert call.user_info["email"] == "ada@example.com"
    texts = [turn.text async for turn in call.turns.all()]
    assert "Are you still there?" in texts
