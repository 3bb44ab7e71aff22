"""What the benchmarks share: the product server process, the fake upstream, measurements.

Every benchmark runs the product the way an operator would (an ASGI server process with
``DJANGO_DEBUG=false``) on a throw-away data folder, against ``fake_upstream.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
BIN = Path(PYTHON).parent

# Every benchmark audio frame starts with this stamp: magic, sequence, time.time_ns().
MAGIC = b"VABN"
STAMP = struct.Struct("<4sQQ")

APP = "voiceagent.asgi:application"
TWILIO_AUTH_TOKEN = "bench-twilio-token-not-real"  # noqa: S105 (signs the bench's own calls)
PLIVO_AUTH_TOKEN = "bench-plivo-token-not-real"  # noqa: S105 (signs the bench's own calls)
SERVERS = ("uvicorn", "uvicorn-wsproto", "uvicorn-websockets", "daphne")


def product_env(work: Path, upstream_url: str, **extra: str) -> dict[str, str]:
    """The product's environment: production settings, embedded services, a fake key."""
    from cryptography.fernet import Fernet

    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
    }
    env.update(
        {
            "DJANGO_READ_DOT_ENV_FILE": "false",
            "VOICEAGENT_DATA_DIR": str(work / "data"),
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "VOICEAGENT_ENGINE": "openai",
            "OPENAI_API_KEY": "sk-bench-not-real",
            "OPENAI_REALTIME_URL": upstream_url,
            # Summaries are extracted, with no model request: nothing leaves loopback,
            # and the call path is what these benchmarks measure.
            "SUMMARY_MODEL": "extractive",
            "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
            "CALL_RATE_LIMIT_PER_MINUTE": "1000000",
            "LOG_LEVEL": "WARNING",
            "TWILIO_AUTH_TOKEN": TWILIO_AUTH_TOKEN,
            "PLIVO_AUTH_TOKEN": PLIVO_AUTH_TOKEN,
            **extra,
        }
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return result.stdout


def prepare_product(env: dict[str, str], *, greeting: str = "") -> None:
    """Migrates and bootstraps the data folder; the demo agent gets load-test limits."""
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "bootstrap")
    manage(
        env,
        "shell",
        "-c",
        "from agents.models import Agent; Agent.objects.update(max_concurrent_calls=10000, "
        f"max_call_seconds=14400, idle_seconds=3600, greeting={greeting!r})",
    )


def server_command(kind: str, port: int, workers: int, app: str = APP) -> list[str]:
    """The product's ASGI server: uvicorn (its default WebSocket protocol, or the one
    named after the dash) or daphne."""
    if kind == "daphne":
        if workers != 1:
            raise SystemExit("daphne runs one process; put several behind a balancer")
        return [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "-v", "0", app]
    command = [
        PYTHON,
        "-m",
        "uvicorn",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--lifespan",
        "off",
        "--log-level",
        "warning",
        "--no-access-log",
        "--workers",
        str(workers),
    ]
    if kind != "uvicorn":
        command += ["--ws", kind.removeprefix("uvicorn-")]
    return command


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                "the server exited: " + (process.stderr.read() if process.stderr else "")
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start listening")


def start_with_port_file(
    command: list[str], env: dict[str, str], port_file: Path
) -> tuple[subprocess.Popen, int]:
    """Starts a bench helper that writes the port it listens on to ``port_file``."""
    port_file.unlink(missing_ok=True)
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 30
    while not port_file.exists() or not port_file.read_text().strip():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(
                f"{command[1]} did not start: {process.stderr.read() if process.stderr else ''}"
            )
        time.sleep(0.05)
    return process, int(port_file.read_text())


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class FakeUpstream:
    process: subprocess.Popen
    url: str
    stats_path: Path

    def stop_and_read(self) -> dict:
        stop(self.process)
        return json.loads(self.stats_path.read_text()) if self.stats_path.exists() else {}


@contextlib.contextmanager
def fake_upstream(work: Path, name: str, *options: str) -> Iterator[FakeUpstream]:
    stats = work / f"upstream-{name}.json"
    stats.unlink(missing_ok=True)
    process, port = start_with_port_file(
        [PYTHON, "bench/fake_upstream.py", str(stats), str(work / "up.port"), *options],
        dict(os.environ),
        work / "up.port",
    )
    upstream = FakeUpstream(process, f"ws://127.0.0.1:{port}/v1/realtime", stats)
    try:
        yield upstream
    finally:
        if upstream.process.poll() is None:
            stop(upstream.process)


@contextlib.contextmanager
def product_server(
    env: dict[str, str],
    *,
    kind: str = "uvicorn",
    workers: int = 1,
    app: str = APP,
    port: int | None = None,
) -> Iterator[tuple[subprocess.Popen, int]]:
    port = port or free_port()
    process = subprocess.Popen(
        server_command(kind, port, workers, app),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_port(port, process)
        yield process, port
    finally:
        stop(process)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (uvicorn workers)."""
    import psutil

    process = psutil.Process(pid)
    total = sum(process.cpu_times()[:2])
    for child in process.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += sum(child.cpu_times()[:2])
    return total


def rss_mib(pid: int) -> float:
    import psutil

    process = psutil.Process(pid)
    total = process.memory_info().rss
    for child in process.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += child.memory_info().rss
    return total / 2**20


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * fraction))], 2)


def summary(values: list[float]) -> dict[str, float | None]:
    return {
        "n": len(values),
        "p50": percentile(values, 0.5),
        "p95": percentile(values, 0.95),
        "p99": percentile(values, 0.99),
        "max": percentile(values, 1.0),
    }


def machine() -> dict[str, object]:
    import platform

    import psutil

    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
    }


def background_load(url: str, calls: int, seconds: float) -> subprocess.Popen | None:
    """Streaming calls (bench/loadgen.py) to run beside a measurement, or None for 0."""
    if calls <= 0:
        return None
    return subprocess.Popen(
        [PYTHON, "bench/loadgen.py", url, str(calls), str(seconds), str(min(2.0, calls * 0.02))],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


def settle_background(process: subprocess.Popen | None) -> None:
    if process is not None:
        process.kill()
        process.wait()


async def wait_for(ws, kind: str) -> dict:
    """The next message of ``kind`` from a call WebSocket (others are skipped)."""
    while True:
        message = json.loads(await ws.recv())
        if message.get("type") == kind:
            return message
