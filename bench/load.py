"""Load benchmark: N concurrent web calls streaming real-time 50 ms PCM16 frames both ways
(or phone calls, 20 ms μ-law, in Twilio's or Plivo's framing: ``--framing``).

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
      [--framing web|twilio|plivo]
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
import threading
import time
from pathlib import Path

from harness import (
    BIN,
    PLIVO_AUTH_TOKEN,
    PYTHON,
    ROOT,
    SERVERS,
    TWILIO_AUTH_TOKEN,
    cpu_seconds,
    fake_upstream,
    free_port,
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
PHONE_TOKENS = {"twilio": TWILIO_AUTH_TOKEN, "plivo": PLIVO_AUTH_TOKEN}
# Where each framing's calls come in: the product's voice webhook, the relay's path.
WEBHOOKS = {"twilio": "/twilio/voice/front-desk/", "plivo": "/plivo/answer/front-desk/"}


def _profiler(pid: int, seconds: float, output: Path) -> subprocess.Popen:
    output.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [
            str(BIN / "py-spy"),
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


class Sampler(threading.Thread):
    """Samples a server's CPU seconds and RSS every 100 ms, so that the steady window
    can be cut out afterwards, once the generators say when every call was streaming."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.samples: list[tuple[int, float, float]] = []  # (time ns, cpu s, rss MiB)
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.samples.append((time.time_ns(), cpu_seconds(self.pid), rss_mib(self.pid)))
            self.stopped.wait(0.1)

    def between(self, low_ns: int, high_ns: int) -> tuple[float, float, float]:
        """CPU seconds used, wall seconds and peak RSS between two instants."""
        inside = [s for s in self.samples if low_ns <= s[0] <= high_ns]
        if len(inside) < 2:
            return 0.0, 0.0, 0.0
        return (
            inside[-1][1] - inside[0][1],
            (inside[-1][0] - inside[0][0]) / 1e9,
            max(s[2] for s in inside),
        )


def drive(
    server_pid: int,
    url: str,
    calls: int,
    seconds: float,
    generators: int,
    profile: Path | None,
    framing: str = "web",
) -> dict:
    """Runs the generators against one server and measures it."""
    ramp = min(2.0, calls * 0.02)
    shares = [calls // generators + (1 if i < calls % generators else 0) for i in range(generators)]
    sampler = Sampler(server_pid)
    sampler.start()
    time.sleep(0.3)
    started_ns = time.time_ns()
    children = [
        subprocess.Popen(
            [PYTHON, "bench/loadgen.py", url, str(count), str(seconds), str(ramp)]
            + ([f"--{framing}", PHONE_TOKENS[framing]] if framing in PHONE_TOKENS else []),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for count in shares
        if count
    ]
    profiler = None
    if profile is not None:  # an estimate of the steady window; the profile is a sample
        time.sleep(ramp + STEADY_AFTER_RAMP)
        profiler = _profiler(server_pid, max(1.0, seconds - ramp - 2 * STEADY_AFTER_RAMP), profile)
    outputs = [json.loads(child.communicate(timeout=seconds + 300)[0]) for child in children]
    finished_ns = time.time_ns()
    sampler.stopped.set()
    sampler.join()
    if profiler is not None:
        profiler.wait(timeout=60)
    # The steady window: from every call streaming (plus a moment) until the first call
    # stops sending. None when set-up took longer than the calls themselves.
    ready = [t for o in outputs for t in o["ready_ns"]]
    done = [t for o in outputs for t in o["done_ns"]]
    window: tuple[int, int] | None = None
    if len(ready) == calls and done:
        low, high = max(ready) + 500_000_000, min(done)
        if high - low >= 1_000_000_000:
            window = (low, high)
    cpu_steady, steady_seconds, rss_peak = sampler.between(*window) if window else (0, 0, 0)
    cpu_whole, _, rss_whole_peak = sampler.between(started_ns, finished_ns)
    return {
        "outputs": outputs,
        "window_ns": window,
        "setup_seconds": round((max(ready) - started_ns) / 1e9, 2) if ready else None,
        "cpu_steady": cpu_steady,
        "steady_seconds": steady_seconds,
        "cpu_whole": cpu_whole,
        "rss_before": sampler.samples[0][2],
        "rss_during": rss_peak if window else rss_whole_peak,
    }


def _windowed(samples: list[list[float]], window_ns: tuple[int, int] | None) -> list[float]:
    if window_ns is None:
        return []
    low, high = window_ns
    return [latency for sent_ns, latency in samples if low <= sent_ns <= high]


def run_target(target: str, calls: int, work: Path, options: argparse.Namespace) -> dict:
    with fake_upstream(work, f"{target}-{calls}") as upstream:
        profile = options.profile / f"{target}-{calls}.txt" if options.profile else None
        if target == "product":
            port = free_port()
            extra = {"PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
            if options.redis:
                extra["REDIS_URL"] = options.redis
            env = product_env(work, upstream.url, **extra)
            with product_server(env, kind=options.server, workers=options.workers, port=port) as (
                server,
                _,
            ):
                time.sleep(0.5 + options.workers)
                url = (
                    f"http://127.0.0.1:{port}{WEBHOOKS[options.framing]}"
                    if options.framing in WEBHOOKS
                    else f"ws://127.0.0.1:{port}/ws/calls/front-desk/"
                )
                measured = drive(
                    server.pid,
                    url,
                    calls,
                    options.seconds,
                    options.generators,
                    profile,
                    options.framing,
                )
        else:
            server, port = start_with_port_file(
                [PYTHON, "bench/baseline_relay.py", upstream.url, str(work / "base.port")],
                dict(os.environ),
                work / "base.port",
            )
            try:
                time.sleep(0.5)
                path = options.framing if options.framing in WEBHOOKS else ""
                measured = drive(
                    server.pid,
                    f"ws://127.0.0.1:{port}/{path}",
                    calls,
                    options.seconds,
                    options.generators,
                    profile,
                    options.framing,
                )
            finally:
                stop(server)
        upstream_stats = upstream.stop_and_read()
        c2u = upstream_stats.get("c2u", [])
    outputs = measured["outputs"]
    sent = sum(o["sent"] for o in outputs)
    received = sum(o["received"] for o in outputs)
    u2c = [sample for o in outputs for sample in o["u2c"]]
    errors = [e for o in outputs for e in o["errors"]]
    call_minutes_steady = calls * measured["steady_seconds"] / 60
    cpu_steady = (
        round(measured["cpu_steady"] / call_minutes_steady, 3) if call_minutes_steady else None
    )
    return {
        "target": target,
        "server": options.server if target == "product" else "websockets",
        "workers": options.workers if target == "product" else 1,
        "framing": options.framing,
        "calls": calls,
        "seconds": options.seconds,
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
        "steady_seconds": round(measured["steady_seconds"], 1),
        "setup_seconds": measured["setup_seconds"],
        "cpu_s_per_call_minute": cpu_steady,
        "cpu_s_per_call_minute_whole_run": round(
            measured["cpu_whole"] / (calls * options.seconds / 60), 3
        ),
        "rss_mib_per_call": round(
            max(measured["rss_during"] - measured["rss_before"], 0) / calls, 3
        ),
        "rss_mib_baseline": round(measured["rss_before"], 1),
        # The rest of the machine during the run: 2 cores are shared with these.
        "generators_cpu_s": round(sum(o["cpu_seconds"] for o in outputs), 1),
        "fake_upstream_cpu_s": round(upstream_stats.get("cpu_seconds", 0.0), 1),
        "server_cpu_s": round(measured["cpu_whole"], 1),
    }


def compare(rows: list[dict]) -> list[dict]:
    """Product ÷ baseline for each load, run by run (a sweep may repeat a load)."""
    comparison = []
    for calls in dict.fromkeys(r["calls"] for r in rows):
        products = [r for r in rows if r["calls"] == calls and r["target"] == "product"]
        baselines = [r for r in rows if r["calls"] == calls and r["target"] == "baseline"]
        for product, baseline in zip(products, baselines, strict=False):

            def delta(key: str, product: dict = product, baseline: dict = baseline) -> float | None:
                ours, theirs = product[key]["p99"], baseline[key]["p99"]
                return None if ours is None or theirs is None else round(ours - theirs, 2)

            ours, theirs = product["cpu_s_per_call_minute"], baseline["cpu_s_per_call_minute"]
            comparison.append(
                {
                    "calls": calls,
                    "cpu_ratio": round(ours / theirs, 2) if ours and theirs else None,
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


def _signed(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+}"


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
            f"p99 {_signed(c['c2u_p99_delta_ms'])} ms up, {_signed(c['u2c_p99_delta_ms'])} ms down",
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
    parser.add_argument(
        "--framing",
        choices=("web", "twilio", "plivo"),
        default="web",
        help="web: widget protocol, 50 ms PCM16; twilio: Media Streams, 20 ms μ-law; "
        "plivo: Audio Streaming, 20 ms μ-law",
    )
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
                rows.append(run_target(target, calls, work, options))
    comparison = compare(rows)
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
