"""The whole pipeline on real Celery workers and Redis: a call ends, a worker summarises
it, emails (file backend) and posts the webhook; a worker killed (SIGKILL) in the middle
of the summary is replaced and the follow-ups still go out exactly once."""

from __future__ import annotations

import email
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from agents.models import Agent
from calls.models import CallLog, SummaryStatus
from calls.services import call_summary_enqueue
from calls.tests.fake_chat import FakeChatCompletions
from conftest import redis_url
from notifications.models import OutboxMessage, OutboxStatus
from notifications.tests.fake_webhook import FakeWebhookReceiver
from voiceagent import background
from voiceagent.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


class Workers:
    """Celery worker processes on one private queue, started and killed at will."""

    def __init__(self, env: dict[str, str], queue: str) -> None:
        self.env, self.queue = env, queue
        self.processes: list[subprocess.Popen[str]] = []

    def start(self) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "voiceagent",
                "worker",
                "--pool=solo",
                "-Q",
                self.queue,
                "-n",
                f"{self.queue}-{len(self.processes)}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.processes.append(process)
        return process

    def output(self) -> str:
        text = []
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
            try:
                out, _ = process.communicate(timeout=20)
            except (subprocess.TimeoutExpired, ValueError):
                out = ""
            text.append(out or "")
        return "\n---\n".join(text)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()


@pytest.fixture
def pipeline(
    agent: Agent, tmp_path: Path
) -> Iterator[tuple[Workers, FakeChatCompletions, FakeWebhookReceiver, Path]]:
    chat = FakeChatCompletions()
    receiver = FakeWebhookReceiver(secret=agent.webhook_secret.reveal())
    agent.webhook_url = receiver.url
    agent.summary_recipients = "team@example.com"
    agent.save()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER'] or ''}@{host}:{port}/{db['NAME']}",
        "REDIS_URL": redis_url(),
        "DJANGO_READ_DOT_ENV_FILE": "false",
        "OPENAI_API_KEY": "sk-test-not-a-real-key",
        "OPENAI_BASE_URL": chat.url,
        "SUMMARY_MODEL": "gpt-4o-mini",
        "SUMMARY_RETRY_SECONDS": "0.5",
        "EMAIL_URL": f"filemail://{mail_dir}",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        # A killed worker's task is handed out again after this long.
        "CELERY_VISIBILITY_TIMEOUT": "3",
    }
    workers = Workers(env, queue)
    saved = (
        celery_app.conf.task_always_eager,
        celery_app.conf.broker_url,
        celery_app.conf.task_default_queue,
    )
    celery_app.conf.task_always_eager = False
    celery_app.conf["broker_url"] = redis_url()  # an item: the attribute is read-only
    celery_app.conf.task_default_queue = queue
    try:
        yield workers, chat, receiver, mail_dir
    finally:
        chat.hold.set()
        workers.stop()
        (
            celery_app.conf.task_always_eager,
            celery_app.conf["broker_url"],
            celery_app.conf.task_default_queue,
        ) = saved
        chat.stop()
        receiver.close()


def _emails(mail_dir: Path) -> list[email.message.Message]:
    messages = []
    for path in sorted(mail_dir.iterdir()):
        # The file backend appends each message followed by a line of dashes.
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk))
    return messages


def _wait_for(condition: object, workers: Workers, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen in {timeout} s\n{workers.output()}")
        time.sleep(0.2)


def test_a_worker_killed_mid_summary_loses_nothing_and_duplicates_nothing(
    call: CallLog, pipeline: tuple[Workers, FakeChatCompletions, FakeWebhookReceiver, Path]
) -> None:
    workers, chat, receiver, mail_dir = pipeline
    chat.hold.clear()  # the model "thinks" until we let it answer
    first = workers.start()
    call_summary_enqueue(call_id=str(call.pk))
    assert background.wait_idle()

    _wait_for(chat.received.is_set, workers, "the worker asking the model")
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    # The killed worker's request is answered into a closed socket; the next worker's
    # meets a model that errors once (the retry with backoff), then answers.
    chat.hold.set()
    time.sleep(0.5)
    chat.answers.append((500, {"error": {"message": "overloaded", "type": "server_error"}}))
    call.refresh_from_db()
    assert call.summary_status != SummaryStatus.DONE

    workers.start()
    _wait_for(
        lambda: (
            OutboxMessage.objects.filter(call=call).count() == 3
            and not OutboxMessage.objects.filter(call=call)
            .exclude(status=OutboxStatus.SENT)
            .exists()
        ),
        workers,
        "the summary, two emails and the webhook",
    )
    time.sleep(4)  # longer than the visibility timeout: anything redelivered would show

    call.refresh_from_db()
    assert call.summary_status == SummaryStatus.DONE
    assert call.summary_model.startswith("gpt-4o-mini")  # the model answered, after a retry
    assert call.summary_attempts == 2
    assert len(receiver.acknowledged()) == 1
    assert receiver.acknowledged()[0].event == "call.ended"
    messages = _emails(mail_dir)
    assert sorted(m["To"] for m in messages) == ["ada@example.com", "team@example.com"]
    assert len({m["Message-ID"] for m in messages}) == 2
    caller = next(m for m in messages if m["To"] == "ada@example.com")
    assert "Ada Lovelace asked for a consultation" in caller.as_string()
