"""The product as the README runs it: migrate, bootstrap, a real uvicorn process."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    data_dir = tmp_path_factory.mktemp("data")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_"))
    }
    env |= {"VOICEAGENT_DATA_DIR": str(data_dir), "DJANGO_READ_DOT_ENV_FILE": "false"}
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    bootstrap = subprocess.run(
        [*manage, "bootstrap"], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    password = re.search(r"Admin login: admin / (\S+)", bootstrap.stdout)
    assert password, bootstrap.stdout
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "voiceagent.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "off",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            assert time.monotonic() < deadline, "the server did not start in 30 s"
            time.sleep(0.2)
    yield base, password.group(1)
    process.terminate()
    process.wait(timeout=10)


def test_healthz_over_real_http(server: tuple[str, str]) -> None:
    base, _ = server
    with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
        assert response.status == 200
        assert b'"status": "ok"' in response.read()


def test_admin_login_with_the_printed_password_shows_the_demo_agent(
    server: tuple[str, str],
) -> None:
    base, password = server
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    login_page = opener.open(base + "/admin/login/", timeout=5).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page)
    assert token
    form = urlencode(
        {
            "csrfmiddlewaretoken": token.group(1),
            "username": "admin",
            "password": password,
            "next": "/admin/agents/agent/",
        }
    ).encode()
    request = urllib.request.Request(
        base + "/admin/login/", data=form, headers={"Referer": base + "/admin/login/"}
    )
    page = opener.open(request, timeout=5).read().decode()
    assert "Front desk" in page and "front-desk" in page


def test_admin_static_files_are_served(server: tuple[str, str]) -> None:
    base, _ = server
    with urllib.request.urlopen(base + "/static/admin/css/base.css", timeout=5) as response:
        assert response.status == 200
        assert b"body" in response.read()
