"""Load benchmark: N concurrent web calls streaming real-time 50 ms PCM16 frames both ways.

Runs the product (an ASGI server process) and a bare ``websockets`` relay
(bench/baseline_relay.py) side by side against the same fast fake Realtime server
(bench/fake_upstream.py, which answers every audio frame with an audio frame). Each frame
carries a sequence number and a send time, so the script measures relay latency
client→upstream and upstream→client, lost and reordered frames, server CPU seconds per
call-minute and RSS per call (psutil), and errors. Load comes from several generator
processes (bench/loadgen.py) so that the generator is not the bottleneck.

Latency and CPU are reported for the steady window (every call connected and streaming)
and for the whole run (which adds the ramp: call set-up beside calls already streaming).

Run:  .venv/bin/python bench/load.py [--calls 10,50,100,200] [--seconds 10] [--generators 2]
      [--server uvicorn|uvicorn-wsproto|uvicorn-websockets|daphne] [--workers N]
      [--redis redis://127.0.0.1:6379/0] [--profile DIR]
Prints one JSON object on stdout and a table on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import (
    PYTHON,
    ROOT,
    SERVERS,
    cpu_seconds,
    fake_upstream,
    machine,
    prepare_product,
    product_env,
    product_server,
    rss_mib,
    start_with_port_file,
    stop,
    summary,
)

STEADY_AFTER_RAMP = 1.5  # seconds for generator start-up and the last handshakes


def _profiler(pid: int, seconds: float, output: Path) -> subprocess.Popen:
    output.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [
            str(Path(PYTHON).with_name("py-spy")),
            "record",
            "--format",
            "raw",
            "--nonblocking",
            "--subprocesses",
            "--rate",
            "250",
            "--duration",
            str(max(1, int(seconds))),
            "--output",
            str(output),
            "--pid",
            str(pid),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def drive(
    server_pid: int, url: str, calls: int, seconds: float, generators: int, profile: Path | None
) -> dict:
    """Runs the generators against one server and measures it."""
    rss_before = rss_mib(server_pid)
    cpu_before = cpu_seconds(server_pid)
    ramp = min(2.0, calls * 0.02)
    shares = [calls // generators + (1 if i < calls % generators else 0) for i in range(generators)]
    started_ns = time.time_ns()
    spawned = time.monotonic()
    children = [
        subprocess.Popen(
            [PYTHON, "bench/loadgen.py", url, str(count), str(seconds), str(ramp)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for count in shares
        if count
    ]
    # The steady window: every call connected and streaming, none ending yet. The first
    # calls end `seconds` after the generators start, so the window closes before that.
    steady_from = ramp + STEADY_AFTER_RAMP
    steady_to = max(seconds - 0.5, steady_from + 1.0)
    time.sleep(max(0.0, spawned + steady_from - time.monotonic()))
    cpu_steady_before = cpu_seconds(server_pid)
    profiler = None
    if profile is not None:
        profiler = _profiler(server_pid, steady_to - steady_from, profile)
    time.sleep(max(0.0, spawned + steady_to - time.monotonic()))
    steady_seconds = time.monotonic() - spawned - steady_from
    cpu_steady = cpu_seconds(server_pid) - cpu_steady_before
    rss_during = rss_mib(server_pid)
    outputs = [json.loads(child.communicate(timeout=seconds + 180)[0]) for child in children]
    cpu_whole = cpu_seconds(server_pid) - cpu_before
    if profiler is not None:
        profiler.wait(timeout=60)
    window_ns = (
        started_ns + int(steady_from * 1e9),
        started_ns + int(steady_from * 1e9 + steady_seconds * 1e9),
    )
    return {
        "outputs": outputs,
        "window_ns": window_ns,
        "cpu_steady": cpu_steady,
        "steady_seconds": steady_seconds,
        "cpu_whole": cpu_whole,
        "rss_before": rss_before,
        "rss_during": rss_during,
    }


def _windowed(samples: list[list[float]], window_ns: tuple[int, int]) -> list[float]:
    low, high = window_ns
    return [latency for sent_ns, latency in samples if low <= sent_ns <= high]


def run_target(target: str, calls: int, seconds: float, work: Path, options) -> dict:
    with fake_upstream(work, f"{target}-{calls}") as upstream:
        if target == "product":
            extra = {"REDIS_URL": options.redis} if options.redis else {}
            env = product_env(work, upstream.url, **extra)
            with product_server(env, kind=options.server, workers=options.workers) as (server, p):
                time.sleep(0.5 + options.workers)
                measured = drive(
                    server.pid,
                    f"ws://127.0.0.1:{p}/ws/calls/front-desk/",
                    calls,
                    seconds,
                    options.generators,
                    options.profile / f"product-{calls}.txt" if options.profile else None,
                )
        else:
            server, port = start_with_port_file(
                [PYTHON, "bench/baseline_relay.py", upstream.url, str(work / "base.port")],
                dict(os.environ),
                work / "base.port",
            )
            try:
                time.sleep(0.5)
                measured = drive(
                    server.pid,
                    f"ws://127.0.0.1:{port}/",
                    calls,
                    seconds,
                    options.generators,
                    options.profile / f"baseline-{calls}.txt" if options.profile else None,
                )
            finally:
                stop(server)
        c2u = upstream.stop_and_read().get("c2u", [])
    outputs = measured["outputs"]
    sent = sum(o["sent"] for o in outputs)
    received = sum(o["received"] for o in outputs)
    u2c = [sample for o in outputs for sample in o["u2c"]]
    errors = [e for o in outputs for e in o["errors"]]
    call_minutes_steady = calls * measured["steady_seconds"] / 60
    return {
        "target": target,
        "server": options.server if target == "product" else "websockets",
        "workers": options.workers if target == "product" else 1,
        "calls": calls,
        "seconds": seconds,
        "frames_sent": sent,
        "frames_received": received,
        "lost": sent - received,
        "reordered": sum(o["reordered"] for o in outputs),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "c2u_ms": summary(_windowed(c2u, measured["window_ns"])),
        "u2c_ms": summary(_windowed(u2c, measured["window_ns"])),
        "c2u_ms_whole_run": summary([latency for _, latency in c2u]),
        "u2c_ms_whole_run": summary([latency for _, latency in u2c]),
        "cpu_s_per_call_minute": round(measured["cpu_steady"] / call_minutes_steady, 3),
        "cpu_s_per_call_minute_whole_run": round(measured["cpu_whole"] / (calls * seconds / 60), 3),
        "rss_mib_per_call": round(
            max(measured["rss_during"] - measured["rss_before"], 0) / calls, 3
        ),
        "rss_mib_baseline": round(measured["rss_before"], 1),
    }


def compare(rows: list[dict], sweep: list[int]) -> list[dict]:
    comparison = []
    for calls in sweep:
        pair = {r["target"]: r for r in rows if r["calls"] == calls}
        if not {"product", "baseline"} <= set(pair):
            continue
        product, baseline = pair["product"], pair["baseline"]

        def delta(key: str, product: dict = product, baseline: dict = baseline) -> float | None:
            ours, theirs = product[key]["p99"], baseline[key]["p99"]
            return None if ours is None or theirs is None else round(ours - theirs, 2)

        base_cpu = baseline["cpu_s_per_call_minute"]
        comparison.append(
            {
                "calls": calls,
                "cpu_ratio": round(product["cpu_s_per_call_minute"] / base_cpu, 2)
                if base_cpu
                else None,
                "c2u_p99_delta_ms": delta("c2u_ms"),
                "u2c_p99_delta_ms": delta("u2c_ms"),
            }
        )
    return comparison


def knee(rows: list[dict], target: str) -> int | None:
    """The most calls with steady p99 < 50 ms both ways and nothing lost."""
    good = [
        r["calls"]
        for r in rows
        if r["target"] == target
        and r["lost"] == 0
        and r["errors"] == 0
        and (r["c2u_ms"]["p99"] or 1e9) < 50
        and (r["u2c_ms"]["p99"] or 1e9) < 50
    ]
    return max(good) if good else None


def print_table(rows: list[dict], comparison: list[dict]) -> None:
    def pair(stats: dict) -> str:
        return f"{stats['p50']}/{stats['p99']}"

    print(
        f"{'target':<9}{'calls':>6}{'lost':>6}{'reord':>6}{'err':>5}"
        f"{'c2u p50/p99':>15}{'u2c p50/p99':>15}{'whole p99 c2u/u2c':>19}"
        f"{'cpu s/call-min':>15}{'MiB/call':>10}",
        file=sys.stderr,
    )
    for r in rows:
        whole = f"{r['c2u_ms_whole_run']['p99']}/{r['u2c_ms_whole_run']['p99']}"
        print(
            f"{r['target']:<9}{r['calls']:>6}{r['lost']:>6}{r['reordered']:>6}{r['errors']:>5}"
            f"{pair(r['c2u_ms']):>15}{pair(r['u2c_ms']):>15}{whole:>19}"
            f"{r['cpu_s_per_call_minute']!s:>15}{r['rss_mib_per_call']!s:>10}",
            file=sys.stderr,
        )
    for c in comparison:
        print(
            f"product/baseline at {c['calls']} calls: CPU ×{c['cpu_ratio']}, "
            f"p99 {c['c2u_p99_delta_ms']:+} ms up, {c['u2c_p99_delta_ms']:+} ms down",
            file=sys.stderr,
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", default="10,50,100,200", help="comma-separated sweep")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--generators", type=int, default=2)
    parser.add_argument("--targets", default="product,baseline")
    parser.add_argument("--server", choices=SERVERS, default="uvicorn")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--redis", default="", help="REDIS_URL for the product (channels-redis)")
    parser.add_argument("--profile", type=Path, help="folder for py-spy profiles (raw stacks)")
    options = parser.parse_args()
    sweep = [int(n) for n in options.calls.split(",")]
    targets = options.targets.split(",")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        if "product" in targets:
            prepare_product(product_env(work, "ws://127.0.0.1:9/v1/realtime"))
        for calls in sweep:
            for target in targets:
                rows.append(run_target(target, calls, options.seconds, work, options))
    comparison = compare(rows, sweep)
    print(
        json.dumps(
            {
                "benchmark": "load",
                "machine": machine(),
                "options": {k: str(v) for k, v in vars(options).items()},
                "runs": rows,
                "product_vs_baseline": comparison,
                "knee": {target: knee(rows, target) for target in targets},
            }
        )
    )
    print_table(rows, comparison)


if __name__ == "__main__":
    main()
