"""Test set-up shared by every app.

Two passes run the suite (see the Makefile): the embedded defaults (SQLite,
in-memory channel layer) and PostgreSQL + Redis. Tests marked ``postgres`` run
only in the PostgreSQL pass; tests marked ``redis`` need a Redis server. Where a
service is missing they are skipped with the reason shown, unless
``VOICEAGENT_REQUIRE_SERVICES`` is set (CI), which turns a missing service into a
failure.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from hypothesis import settings as hypothesis_settings
from pytest_django import DjangoDbBlocker, Settings

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from agents.models import Agent
    from calls.models import CallLog

# The same examples on every run, so that CI results do not depend on luck.
hypothesis_settings.register_profile("deterministic", derandomize=True, deadline=None)
hypothesis_settings.load_profile("deterministic")

REQUIRE_SERVICES = os.environ.get("VOICEAGENT_REQUIRE_SERVICES", "").lower() in {"1", "true"}
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL


@cache
def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _service_missing(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (VOICEAGENT_REQUIRE_SERVICES is set)", pytrace=False)
    pytest.skip(reason)


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.postgresql":
        # The settings hold what django-environ parsed from DATABASE_URL (values typed
        # object): the port may be a number or a string.
        host, port = str(db.get("HOST") or "127.0.0.1"), int(str(db.get("PORT") or 5432))
        if not _reachable(host, port):
            message = f"PostgreSQL is not reachable at {host}:{port}"
            if REQUIRE_SERVICES:
                pytest.exit(f"{message} and VOICEAGENT_REQUIRE_SERVICES is set.", returncode=1)
            pytest.exit(f"SKIPPED the PostgreSQL pass: {message}.", returncode=0)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("embedded_pass_only"):
        from django.conf import settings

        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
            pytest.skip(
                "runs once, in the embedded pass: it uses no database or service (or "
                "starts its own embedded server), so this pass would only repeat it"
            )
    if item.get_closest_marker("postgres"):
        from django.conf import settings

        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            pytest.skip("needs PostgreSQL: runs in the PostgreSQL pass (DATABASE_URL)")
    if item.get_closest_marker("redis"):
        parts = urlsplit(redis_url())
        host, port = parts.hostname or "127.0.0.1", parts.port or 6379
        if not _reachable(host, port):
            _service_missing(f"needs Redis, not reachable at {host}:{port}")


@pytest.fixture(autouse=True)
def _test_defaults(settings: Settings, tmp_path: Path) -> Iterator[None]:
    """Tasks run eagerly and static files need no collectstatic, unless a test says so."""
    from channels.layers import channel_layers
    from django.core.cache import cache

    from calls.greetings import greeting_cache_clear
    from calls.recordings import recordings_wait_idle
    from voiceagent import background
    from voiceagent.celery import app as celery_app

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # Most tests make a user with a password (`owner`, under `agent`): Django's default
    # PBKDF2, a million rounds, costs about half a second each, a third of the suite's
    # time. Logins and password checks behave the same with a fast hasher; the settings
    # (and so production, and the server processes tests start) keep the default.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No test may reach a real OpenAI endpoint: a closed loopback port fails at once.
    settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"
    # No server heartbeat task in in-process tests (each test has its own event loop);
    # tests that run a real server process have one.
    settings.SERVER_HEARTBEAT_SECONDS = 0
    greeting_cache_clear()
    cache.clear()  # rate-limit counters
    # A fresh channel layer per test: each async test has its own event loop, and a
    # channels-redis layer binds its receive lock to the loop that first receives, so a
    # consumer a failed test left waiting would break every later test's receive.
    channel_layers.backends.clear()
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    # Work a test's commits handed to the after-commit thread (call summaries) and the
    # recordings being stored are done before the next test, and before the test
    # database is flushed.
    recordings_wait_idle()
    background.wait_idle()
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture
def owner(django_user_model: type[User]) -> User:
    return django_user_model.objects.create_superuser(
        username="owner", email="owner@example.com", password="not-used-in-tests-1"
    )


@pytest.fixture
def agent(owner: User) -> Agent:
    from agents.services import agent_demo_ensure

    demo, _ = agent_demo_ensure(owner=owner, timezone="Europe/London")
    return demo


@pytest.fixture
def call(agent: Agent) -> CallLog:
    """A finished web call with a short conversation and one tool invocation."""
    from django.utils import timezone

    from calls.models import CallLog, CallStatus, EndReason, ToolInvocation, TranscriptTurn

    started = timezone.now() - dt.timedelta(minutes=5)
    call_log = CallLog.objects.create(
        agent=agent,
        channel="web",
        engine="offline",
        status=CallStatus.COMPLETED,
        started_at=started,
        ended_at=started + dt.timedelta(seconds=75),
        duration_seconds=75,
        end_reason=EndReason.CLIENT_ENDED,
        user_info={"name": "Ada Lovelace", "email": "ada@example.com", "phone": None},
        usage={"input_audio_tokens": 1200, "output_audio_tokens": 900},
    )
    TranscriptTurn.objects.create(
        call=call_log, seq=1, role="assistant", text="Hi, how can I help?"
    )
    TranscriptTurn.objects.create(
        call=call_log, seq=2, role="user", text="I'm Ada <b>Lovelace</b>."
    )
    ToolInvocation.objects.create(
        call=call_log,
        seq=3,
        function_call_id="call_1",
        name="update_user_info",
        arguments={"name": "Ada Lovelace"},
        result={"ok": True},
        ok=True,
        latency_ms=12,
    )
    TranscriptTurn.objects.create(
        call=call_log, seq=4, role="assistant", text="Thanks Ada, and your email?", interrupted=True
    )
    return call_log


@pytest.fixture(scope="session", autouse=True)
def _close_async_thread_connections(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[None]:
    """Async tests reach the ORM through asgiref's single sync thread, whose connection
    Django never closes in tests; close it before the test database is dropped."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    with django_db_blocker.unblock():
        SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=10)


@pytest.fixture
def api_client() -> Callable[[User], Client]:
    """A test client that authenticates with a new API key of ``user``."""
    from django.test import Client

    from accounts.services import api_key_create

    def make(user: User) -> Client:
        _, plaintext = api_key_create(user=user, name="tests")
        return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")

    return make


@pytest.fixture
def stranger(django_user_model: type[User]) -> User:
    """Another account, not a superuser: sees only its own objects."""
    return django_user_model.objects.create_user(
        username="stranger", email="stranger@example.com", password="not-used-in-tests-2"
    )
