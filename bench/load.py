"""Load benchmark: N concurrent web calls streaming real-time 50 ms PCM16 frames both ways.

Runs the product (uvicorn, one process) and a bare ``websockets`` relay
(bench/baseline_relay.py) side by side against the same fast fake Realtime server
(bench/fake_upstream.py, which answers every audio frame with an audio frame). Each
frame carries a sequence number and a send time, so the script measures relay latency
client→upstream and upstream→client, lost and reordered frames, server CPU seconds per
call-minute and RSS per call (psutil), and errors. Load comes from several generator
processes so that the generator is not the bottleneck.

Run:  .venv/bin/python bench/load.py [--calls 10,50,100,200] [--seconds 10] [--generators 2]
Prints one JSON object on stdout and a table on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import json
import os
import secrets
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
MAGIC = b"VABN"
STAMP = struct.Struct("<4sQQ")
FRAME_BYTES = 2400  # 50 ms of PCM16 at 24 kHz


# -- generator side (runs in child processes) ----------------------------------------


async def one_call(url: str, seconds: float, results: dict) -> None:
    from websockets.asyncio.client import connect

    received: list[float] = []
    order: list[int] = []
    try:
        async with connect(url, max_size=None, compression=None, open_timeout=30) as ws:
            while json.loads(await ws.recv()).get("type") != "ready":
                pass

            async def reader() -> None:
                async for frame in ws:
                    message = json.loads(frame)
                    if message.get("type") != "audio":
                        continue
                    audio = base64.b64decode(message["audio"])
                    if len(audio) < STAMP.size:
                        continue
                    magic, sequence, sent_ns = STAMP.unpack_from(audio)
                    if magic == MAGIC:
                        received.append((time.time_ns() - sent_ns) / 1e6)
                        order.append(sequence)

            reading = asyncio.ensure_future(reader())
            frames = int(seconds * 20)
            start = time.monotonic()
            padding = bytes(FRAME_BYTES - STAMP.size)
            for sequence in range(frames):
                delay = start + sequence * 0.05 - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                audio = STAMP.pack(MAGIC, sequence, time.time_ns()) + padding
                await ws.send('{"type":"audio","audio":"' + base64.b64encode(audio).decode() + '"}')
            results["sent"] += frames
            deadline = time.monotonic() + 3
            while len(received) < frames and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            reading.cancel()
            await ws.send('{"type":"end"}')
    except Exception as exc:
        results["errors"].append(type(exc).__name__)
    results["u2c_ms"].extend(received)
    results["received"] += len(received)
    results["reordered"] += sum(1 for a, b in itertools.pairwise(order) if b < a)


async def generate(url: str, calls: int, seconds: float, ramp: float) -> dict:
    results: dict = {"sent": 0, "received": 0, "reordered": 0, "errors": [], "u2c_ms": []}

    async def staggered(index: int) -> None:
        await asyncio.sleep(ramp * index / max(calls, 1))
        await one_call(url, seconds, results)

    await asyncio.gather(*(staggered(i) for i in range(calls)))
    return results


# -- orchestration ---------------------------------------------------------------------


def start(command: list[str], env: dict[str, str], port_file: Path) -> tuple[subprocess.Popen, int]:
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


def product_env(work: Path, upstream_url: str) -> dict[str, str]:
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
            "CALL_RATE_LIMIT_PER_MINUTE": "1000000",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def prepare_product(env: dict[str, str]) -> None:
    manage = [PYTHON, "manage.py"]
    subprocess.run(
        [*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    subprocess.run([*manage, "bootstrap"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run(
        [
            *manage,
            "shell",
            "-c",
            (
                "from agents.models import Agent; Agent.objects.update(max_concurrent_calls=10000, "
                "max_call_seconds=14400, idle_seconds=3600, greeting='')"
            ),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def cpu_seconds(pid: int) -> float:
    import psutil

    process = psutil.Process(pid)
    total = sum(process.cpu_times()[:2])
    for child in process.children(recursive=True):
        try:
            total += sum(child.cpu_times()[:2])
        except psutil.NoSuchProcess:
            pass
    return total


def rss_mib(pid: int) -> float:
    import psutil

    process = psutil.Process(pid)
    total = process.memory_info().rss
    for child in process.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 2**20


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * fraction))], 2)


SERVERS = ("uvicorn", "uvicorn-wsproto", "uvicorn-websockets", "daphne")


def server_command(kind: str, port: int, workers: int) -> list[str]:
    """The product's ASGI server: uvicorn (its default WebSocket protocol, or the one
    named after the dash) or daphne."""
    if kind == "daphne":
        if workers != 1:
            raise SystemExit("daphne runs one process; put several behind a balancer")
        return [
            str(Path(PYTHON).with_name("daphne")),
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "-v",
            "0",
            "voiceagent.asgi:application",
        ]
    command = [
        PYTHON,
        "-m",
        "uvicorn",
        "voiceagent.asgi:application",
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


def run_target(
    target: str,
    calls: int,
    seconds: float,
    generators: int,
    work: Path,
    *,
    server_kind: str = "uvicorn",
    workers: int = 1,
    profile: Path | None = None,
) -> dict:
    stats = work / f"upstream-{target}-{calls}.json"
    upstream, upstream_port = start(
        [PYTHON, "bench/fake_upstream.py", str(stats), str(work / "up.port")],
        dict(os.environ),
        work / "up.port",
    )
    upstream_url = f"ws://127.0.0.1:{upstream_port}/v1/realtime"
    try:
        if target == "product":
            env = product_env(work, upstream_url)
            port_file = work / "product.port"
            port = _free_port()
            port_file.write_text(str(port))
            server = subprocess.Popen(
                server_command(server_kind, port, workers),
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            _wait_port(port, server)
            url = f"ws://127.0.0.1:{port}/ws/calls/front-desk/"
        else:
            server, port = start(
                [PYTHON, "bench/baseline_relay.py", upstream_url, str(work / "base.port")],
                dict(os.environ),
                work / "base.port",
            )
            url = f"ws://127.0.0.1:{port}/"
        time.sleep(0.5)
        rss_before = rss_mib(server.pid)
        cpu_before = cpu_seconds(server.pid)
        ramp = min(2.0, calls * 0.02)
        per_generator = [
            calls // generators + (1 if i < calls % generators else 0) for i in range(generators)
        ]
        outputs = []
        children = []
        for count in per_generator:
            if not count:
                continue
            children.append(
                subprocess.Popen(
                    [
                        PYTHON,
                        "bench/load.py",
                        "--generator",
                        url,
                        str(count),
                        str(seconds),
                        str(ramp),
                    ],
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )
        # The steady window: every call connected and streaming (generator start-up and
        # the ramp are over), none ending yet. Call set-up and teardown cost (database
        # rows, the upstream handshake) is reported separately, in the whole-run figure.
        spawned = time.monotonic()
        steady_from = ramp + 1.5
        steady_to = max(seconds - 0.5, steady_from + 1.0)
        time.sleep(max(0.0, spawned + steady_from - time.monotonic()))
        cpu_steady_before = cpu_seconds(server.pid)
        profiler = None
        if profile is not None:
            profile.mkdir(parents=True, exist_ok=True)
            profiler = subprocess.Popen(
                [
                    str(Path(PYTHON).with_name("py-spy")),
                    "record",
                    "--format",
                    "raw",
                    "--nonblocking",
                    "--rate",
                    "250",
                    "--duration",
                    str(max(1, int(steady_to - steady_from))),
                    "--output",
                    str(profile / f"{target}-{calls}.txt"),
                    "--pid",
                    str(server.pid),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        time.sleep(max(0.0, spawned + steady_to - time.monotonic()))
        steady_seconds = time.monotonic() - spawned - steady_from
        cpu_steady = cpu_seconds(server.pid) - cpu_steady_before
        if profiler is not None:
            profiler.wait(timeout=seconds + 30)
        rss_during = rss_mib(server.pid)
        for child in children:
            out, _ = child.communicate(timeout=seconds + 120)
            outputs.append(json.loads(out))
        cpu_used = cpu_seconds(server.pid) - cpu_before
        server.terminate()
        server.wait(timeout=30)
    finally:
        upstream.terminate()
        upstream.wait(timeout=30)
    c2u = json.loads(stats.read_text())["c2u_ms"] if stats.exists() else []
    sent = sum(o["sent"] for o in outputs)
    received = sum(o["received"] for o in outputs)
    u2c = [v for o in outputs for v in o["u2c_ms"]]
    errors = [e for o in outputs for e in o["errors"]]
    # Each frame crosses the relay twice, so the round trip minus the upstream leg is the
    # downstream leg; both are measured with the same wall clock.
    return {
        "target": target,
        "server": server_kind if target == "product" else "websockets",
        "workers": workers if target == "product" else 1,
        "calls": calls,
        "seconds": seconds,
        "frames_sent": sent,
        "frames_received": received,
        "lost": sent - received,
        "reordered": sum(o["reordered"] for o in outputs),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "c2u_ms": {
            "p50": percentile(c2u, 0.5),
            "p95": percentile(c2u, 0.95),
            "p99": percentile(c2u, 0.99),
            "max": percentile(c2u, 1.0),
        },
        "u2c_ms": {
            "p50": percentile(u2c, 0.5),
            "p95": percentile(u2c, 0.95),
            "p99": percentile(u2c, 0.99),
            "max": percentile(u2c, 1.0),
        },
        "cpu_s_per_call_minute": round(cpu_steady / (calls * steady_seconds / 60), 3)
        if calls
        else None,
        "cpu_s_per_call_minute_whole_run": round(cpu_used / (calls * seconds / 60), 3)
        if calls
        else None,
        "rss_mib_per_call": round(max(rss_during - rss_before, 0) / calls, 3) if calls else None,
        "rss_mib_baseline": round(rss_before, 1),
    }


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_port(port: int, process: subprocess.Popen) -> None:
    import socket

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


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--generator":
        url, calls, seconds, ramp = (
            sys.argv[2],
            int(sys.argv[3]),
            float(sys.argv[4]),
            float(sys.argv[5]),
        )
        print(json.dumps(asyncio.run(generate(url, calls, seconds, ramp))))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--calls", default="10,50,100,200", help="comma-separated concurrency sweep"
    )
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--generators", type=int, default=2)
    parser.add_argument("--targets", default="product,baseline")
    parser.add_argument("--server", choices=SERVERS, default="uvicorn")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--profile",
        type=Path,
        help="folder for py-spy profiles of the servers (collapsed stacks; needs py-spy)",
    )
    args = parser.parse_args()
    sweep = [int(n) for n in args.calls.split(",")]
    targets = args.targets.split(",")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        if "product" in targets:
            prepare_product(product_env(work, "ws://127.0.0.1:9/v1/realtime"))
        for calls in sweep:
            for target in targets:
                rows.append(
                    run_target(
                        target,
                        calls,
                        args.seconds,
                        args.generators,
                        work,
                        server_kind=args.server,
                        workers=args.workers,
                        profile=args.profile,
                    )
                )
    comparison = []
    for calls in sweep:
        pair = {r["target"]: r for r in rows if r["calls"] == calls}
        if {"product", "baseline"} <= set(pair):
            p, b = pair["product"], pair["baseline"]
            comparison.append(
                {
                    "calls": calls,
                    "cpu_ratio": round(p["cpu_s_per_call_minute"] / b["cpu_s_per_call_minute"], 2)
                    if b["cpu_s_per_call_minute"]
                    else None,
                    "c2u_p99_delta_ms": round(p["c2u_ms"]["p99"] - b["c2u_ms"]["p99"], 2)
                    if p["c2u_ms"]["p99"] is not None and b["c2u_ms"]["p99"] is not None
                    else None,
                    "u2c_p99_delta_ms": round(p["u2c_ms"]["p99"] - b["u2c_ms"]["p99"], 2)
                    if p["u2c_ms"]["p99"] is not None and b["u2c_ms"]["p99"] is not None
                    else None,
                }
            )
    print(
        json.dumps(
            {
                "benchmark": "load",
                "cpu_count": os.cpu_count(),
                "runs": rows,
                "product_vs_baseline": comparison,
            }
        )
    )
    header = f"{'target':<9}{'calls':>6}{'lost':>6}{'reord':>6}{'err':>5}{'c2u p50/p99':>14}{'u2c p50/p99':>14}{'cpu s/call-min':>15}{'MiB/call':>10}"
    print(header, file=sys.stderr)
    for r in rows:
        print(
            f"{r['target']:<9}{r['calls']:>6}{r['lost']:>6}{r['reordered']:>6}{r['errors']:>5}"
            f"{str(r['c2u_ms']['p50']) + '/' + str(r['c2u_ms']['p99']):>14}"
            f"{str(r['u2c_ms']['p50']) + '/' + str(r['u2c_ms']['p99']):>14}"
            f"{r['cpu_s_per_call_minute']!s:>15}{r['rss_mib_per_call']!s:>10}",
            file=sys.stderr,
        )
    for c in comparison:
        print(
            f"product/baseline at {c['calls']} calls: CPU ×{c['cpu_ratio']}, "
            f"p99 +{c['c2u_p99_delta_ms']} ms up, +{c['u2c_p99_delta_ms']} ms down",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
