"""Typed environment readers and the settings builders that use them."""

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from voiceagent import config
from voiceagent.env import Env

pytestmark = pytest.mark.embedded_pass_only  # no database or service: run once


def test_bool_accepts_the_usual_spellings() -> None:
    env = Env({"A": "yes", "B": "0", "C": "On", "D": ""})
    assert env.bool("A", False) is True
    assert env.bool("B", True) is False
    assert env.bool("C", False) is True
    assert env.bool("D", True) is True  # empty means unset


def test_bool_rejects_anything_else_naming_the_variable() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"DJANGO_DEBUG must be a boolean.*'maybe'"):
        Env({"DJANGO_DEBUG": "maybe"}).bool("DJANGO_DEBUG", False)


def test_int_checks_type_and_range() -> None:
    env = Env({"N": "12", "BAD": "twelve", "LOW": "-1"})
    assert env.int("N", 0) == 12
    assert env.int("MISSING", 7) == 7
    with pytest.raises(ImproperlyConfigured, match="BAD must be a whole number; got 'twelve'"):
        env.int("BAD", 0)
    with pytest.raises(ImproperlyConfigured, match="LOW must be at least 0"):
        env.int("LOW", 0, min_value=0)


def test_list_and_choice() -> None:
    env = Env({"HOSTS": "a.example, b.example,,", "LEVEL": "LOUD"})
    assert env.list("HOSTS") == ["a.example", "b.example"]
    with pytest.raises(ImproperlyConfigured, match="LEVEL must be one of INFO, DEBUG"):
        env.choice("LEVEL", "INFO", ["INFO", "DEBUG"])


def test_required_value_missing() -> None:
    with pytest.raises(ImproperlyConfigured, match="TOKEN is required"):
        Env({}).str("TOKEN")


def test_url_must_be_absolute_and_hides_passwords() -> None:
    env = Env({"R": "localhost:6379", "P": "ftp://user:hunter2@host/x"})
    with pytest.raises(ImproperlyConfigured, match="R must be an absolute URL"):
        env.url("R", schemes=("redis",))
    with pytest.raises(ImproperlyConfigured) as raised:
        env.url("P")
    assert "hunter2" not in str(raised.value)


def test_secret_reads_file_variant(tmp_path: Path) -> None:
    secret_file = tmp_path / "key"
    secret_file.write_text("from-a-file\n")
    assert Env({"API_KEY_FILE": str(secret_file)}).secret("API_KEY") == "from-a-file"
    with pytest.raises(ImproperlyConfigured, match="API_KEY_FILE points to"):
        Env({"API_KEY_FILE": str(tmp_path / "absent")}).secret("API_KEY")


def test_database_url_selects_postgresql() -> None:
    db = Env({"DATABASE_URL": "postgres://app:pw@db.internal:5433/voice"}).database(
        "DATABASE_URL", "sqlite:///x.db"
    )
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["PORT"], db["NAME"], db["USER"]) == ("db.internal", 5433, "voice", "app")


def test_database_default_is_sqlite() -> None:
    db = Env({}).database("DATABASE_URL", "sqlite:////srv/data/db.sqlite3")
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == "/srv/data/db.sqlite3"


def test_database_url_with_unknown_scheme_fails() -> None:
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL must be a database URL"):
        Env({"DATABASE_URL": "mongodb://x/y"}).database("DATABASE_URL", "sqlite:///x")


def test_redis_url_switches_the_channel_layer() -> None:
    assert config.channel_layers("")["default"]["BACKEND"].endswith("InMemoryChannelLayer")
    redis_layers = config.channel_layers("redis://cache:6379/1")
    assert redis_layers["default"]["BACKEND"] == "voiceagent.layers.RedisChannelLayer"
    host = redis_layers["default"]["CONFIG"]["hosts"][0]
    assert host["address"] == "redis://cache:6379/1"
    assert host["socket_timeout"] > 5  # longer than channels-redis's 5 s blocking receive


def test_celery_runs_eagerly_without_a_broker() -> None:
    assert config.celery_broker(Env({}), redis_url="") == ("memory://localhost/", True)


def test_redis_url_becomes_the_celery_broker() -> None:
    assert config.celery_broker(Env({}), redis_url="redis://cache:6379/1") == (
        "redis://cache:6379/1",
        False,
    )


def test_explicit_celery_broker_wins_over_redis_url() -> None:
    env = Env({"CELERY_BROKER_URL": "amqp://guest@mq//"})
    assert config.celery_broker(env, redis_url="redis://cache:6379/1") == (
        "amqp://guest@mq//",
        False,
    )


def test_secret_key_is_required_in_production(tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY is required"):
        config.secret_key(Env({}), debug=False, data_dir=tmp_path)
    with pytest.raises(ImproperlyConfigured, match="at least 32 characters"):
        config.secret_key(Env({"DJANGO_SECRET_KEY": "short"}), debug=False, data_dir=tmp_path)
    long_key = "k" * 50
    assert config.secret_key(Env({"DJANGO_SECRET_KEY": long_key}), debug=False, data_dir=tmp_path)


def test_debug_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = config.secret_key(Env({}), debug=True, data_dir=tmp_path)
    second = config.secret_key(Env({}), debug=True, data_dir=tmp_path)
    assert first == second and len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_field_encryption_keys_are_validated(tmp_path: Path) -> None:
    good = Fernet.generate_key().decode()
    assert config.field_encryption_keys(
        Env({"FIELD_ENCRYPTION_KEY": f"{good}, {good}"}), debug=False, data_dir=tmp_path
    ) == [good, good]
    with pytest.raises(ImproperlyConfigured, match="key #2 is not a valid Fernet key"):
        config.field_encryption_keys(
            Env({"FIELD_ENCRYPTION_KEY": f"{good},nope"}), debug=False, data_dir=tmp_path
        )
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEY is required"):
        config.field_encryption_keys(Env({}), debug=False, data_dir=tmp_path)


def test_a_file_email_url_keeps_its_absolute_folder() -> None:
    config = Env({"EMAIL_URL": "filemail:///var/spool/voice-mail"}).email("EMAIL_URL", "")
    assert config["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert config["EMAIL_FILE_PATH"] == "/var/spool/voice-mail"
