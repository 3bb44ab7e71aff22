"""The product's pages carry a Content-Security-Policy; HSTS can be set in full."""

from __future__ import annotations

import pytest
from django.http import HttpResponseBase
from django.test import Client

from agents.models import Agent

pytestmark = pytest.mark.django_db


def _policy(response: HttpResponseBase) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in (p.strip() for p in header.split(";"))
        if part
    }


@pytest.mark.parametrize("path", ["/", "/admin/login/", "/healthz"])
def test_pages_forbid_inline_and_foreign_scripts(agent: Agent, path: str) -> None:
    response = Client().get(path, HTTP_HOST="localhost:8000")
    policy = _policy(response)
    assert policy["script-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    # The widget's socket: this host, over ws and wss.
    assert "ws://localhost:8000" in policy["connect-src"]
    assert "wss://localhost:8000" in policy["connect-src"]


def test_check_deploy_has_no_hsts_warnings_once_they_are_set(tmp_path: object) -> None:
    import os
    import subprocess
    import sys

    from cryptography.fernet import Fernet

    from voiceagent.tests.test_settings_startup import ROOT

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_READ_DOT_ENV_FILE": "false",
        "VOICEAGENT_DATA_DIR": str(tmp_path),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "k" * 60,
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "DJANGO_ALLOWED_HOSTS": "voice.example.com",
        "DJANGO_SECURE_SSL_REDIRECT": "true",
        "DJANGO_SECURE_HSTS_SECONDS": "31536000",
    }
    command = [sys.executable, "manage.py", "check", "--deploy"]
    before = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert "security.W005" in before.stdout + before.stderr
    env |= {"DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS": "true", "DJANGO_SECURE_HSTS_PRELOAD": "true"}
    after = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    output = after.stdout + after.stderr
    assert "security.W005" not in output and "security.W021" not in output, output
