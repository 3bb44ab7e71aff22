"""The product as the README runs it: migrate, bootstrap, a real uvicorn process."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator
from http.cookiejar import CookieJar
from urllib.parse import urlencode

import pytest

from voiceagent.tests.server_process import start_server

pytestmark = pytest.mark.embedded_pass_only


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    running = start_server(tmp_path_factory.mktemp("data"))
    yield running.base_url, running.admin_password
    running.stop()


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
