"""Start-up of the real settings module under different environments (in a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

pytestmark = pytest.mark.embedded_pass_only

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "debug": s.DEBUG,
    "db_engine": s.DATABASES["default"]["ENGINE"],
    "db_name": str(s.DATABASES["default"]["NAME"]),
    "layer": s.CHANNEL_LAYERS["default"]["BACKEND"],
    "broker": s.CELERY_BROKER_URL,
    "eager": s.CELERY_TASK_ALWAYS_EAGER,
    "email": s.EMAIL_BACKEND,
    "engine": s.VOICEAGENT_ENGINE,
    "use_tz": s.USE_TZ,
}))
"""


def _start(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "OPENAI_", "FIELD_"))
        and k not in {"VOICEAGENT_ENGINE", "EMAIL_URL"}
    }
    env = {
        **clean,
        "DJANGO_SETTINGS_MODULE": "voiceagent.settings",
        "DJANGO_READ_DOT_ENV_FILE": "false",
        "VOICEAGENT_DATA_DIR": str(tmp_path / "data"),
        **variables,
    }
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def _settings(tmp_path: Path, **variables: str) -> dict[str, object]:
    result = _start(tmp_path, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_nothing_set_gives_the_embedded_defaults(tmp_path: Path) -> None:
    loaded = _settings(tmp_path)
    assert loaded["debug"] is True
    assert loaded["db_engine"] == "django.db.backends.sqlite3"
    assert loaded["db_name"] == str(tmp_path / "data" / "db.sqlite3")
    assert loaded["layer"] == "channels.layers.InMemoryChannelLayer"
    assert (loaded["broker"], loaded["eager"]) == ("memory://localhost/", True)
    assert loaded["email"] == "django.core.mail.backends.console.EmailBackend"
    assert loaded["engine"] == "offline"
    assert loaded["use_tz"] is True


def test_database_and_redis_urls_switch_the_backends(tmp_path: Path) -> None:
    loaded = _settings(
        tmp_path,
        DATABASE_URL="postgres://app@db.internal:5432/voice",
        REDIS_URL="redis://cache.internal:6379/2",
    )
    assert loaded["db_engine"] == "django.db.backends.postgresql"
    assert loaded["layer"] == "voiceagent.layers.RedisChannelLayer"
    assert (loaded["broker"], loaded["eager"]) == ("redis://cache.internal:6379/2", False)


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = _start(tmp_path, DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off" in result.stderr


def test_production_starts_with_its_secrets(tmp_path: Path) -> None:
    loaded = _settings(
        tmp_path,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="s" * 50,
        FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode(),
    )
    assert loaded["debug"] is False
    # No secret files were generated for production.
    assert not (tmp_path / "data" / "secret_key").exists()


def test_invalid_value_stops_start_up_naming_the_variable(tmp_path: Path) -> None:
    result = _start(tmp_path, REDIS_URL="cache:6379")
    assert result.returncode != 0
    assert "REDIS_URL must be an absolute URL" in result.stderr


def test_openai_key_selects_the_openai_engine(tmp_path: Path) -> None:
    assert _settings(tmp_path, OPENAI_API_KEY="sk-test-not-real")["engine"] == "openai"
    result = _start(tmp_path, VOICEAGENT_ENGINE="openai")
    assert "VOICEAGENT_ENGINE=openai needs OPENAI_API_KEY" in result.stderr
