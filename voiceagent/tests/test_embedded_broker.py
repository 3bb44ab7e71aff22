"""Tasks in the embedded default (no broker) run without kombu's "No hostname was
supplied" warning, which every task used to log, while kombu's own warnings still show."""

from __future__ import annotations

import logging
import warnings

import pytest
from celery import Celery
from kombu import Connection

from voiceagent.config import EMBEDDED_BROKER_URL, celery_broker
from voiceagent.env import Env


def test_an_eager_task_logs_no_warning(caplog: pytest.LogCaptureFixture) -> None:
    # A new app, configured as voiceagent/celery.py is: its producer pool is empty, as
    # in a server process that sends its first task.
    # (The settings of the embedded default, also in the PostgreSQL + Redis pass.)
    broker_url, eager = celery_broker(Env({}), redis_url="")
    assert (broker_url, eager) == (EMBEDDED_BROKER_URL, True)
    app = Celery("embedded-test")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(broker_url=broker_url, task_always_eager=eager)

    @app.task
    def add(a: int, b: int) -> int:
        return a + b

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no Python warning either
        with caplog.at_level(logging.WARNING):
            assert add.delay(2, 3).get() == 5
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    app.close()


def test_kombus_warnings_are_not_silenced(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="kombu"):
        Connection("memory://").clone()._info()
    assert "No hostname was supplied" in caplog.text
