"""Runs the product as the README does, in a subprocess, for end-to-end tests."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ServerProcess:
    process: subprocess.Popen[str]
    base_url: str
    admin_password: str
    data_dir: Path
    lines: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    @property
    def output(self) -> str:
        """What the server printed so far (read continuously: a full pipe would block
        the server's logging)."""
        return "".join(self.lines)

    def stop(self) -> str:
        self.process.terminate()
        self.process.wait(timeout=20)
        if self.reader is not None:
            self.reader.join(timeout=5)
        return self.output


def _drain(process: subprocess.Popen[str], lines: list[str]) -> None:
    if process.stdout is not None:
        for line in process.stdout:
            lines.append(line)


def server_command(server: str, port: int) -> list[str]:
    """The command line of each ASGI server the product runs under."""
    if server == "daphne":
        return [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    # uvicorn, as `make run` starts it.
    host_and_port = ["--host", "127.0.0.1", "--port", str(port)]
    return [sys.executable, "-m", "uvicorn", *host_and_port, "--lifespan", "off"]


def start_server(
    data_dir: Path,
    *,
    server: str = "uvicorn",
    port: int | None = None,
    migrate: bool = True,
    **extra_env: str,
) -> ServerProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "OPENAI_"))
    }
    env |= {"VOICEAGENT_DATA_DIR": str(data_dir), "DJANGO_READ_DOT_ENV_FILE": "false", **extra_env}
    manage = [sys.executable, "manage.py"]
    password = None
    if migrate:
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        bootstrap = subprocess.run(
            [*manage, "bootstrap"], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        )
        password = re.search(r"Admin login: admin / (\S+)", bootstrap.stdout)
    port = port or free_port()
    process = subprocess.Popen(
        [*server_command(server, port), "voiceagent.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=_drain, args=(process, lines), daemon=True)
    reader.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                reader.join(timeout=5)
                raise RuntimeError("the server did not start: " + "".join(lines)) from None
            time.sleep(0.2)
    return ServerProcess(
        process, base, password.group(1) if password else "", data_dir, lines, reader
    )
