"""Database queries per call-minute: the same calls held for a short and a long time.

N calls stream real-time audio for ``--short`` and then for ``--long`` seconds through the
product served with bench/counting_asgi.py, which counts every SQL query. Queries per call
must not grow with the call's length (its number of audio frames): the marginal queries
per extra call-minute should be zero for calls that only stream audio. Transcript turns
are written in batches (at most one write a second), so speech adds a bounded number.

Run: .venv/bin/python bench/db_queries.py [--calls 10] [--short 5] [--long 20]
Prints one JSON object on stdout and a table on stderr.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from harness import (
    PYTHON,
    ROOT,
    fake_upstream,
    machine,
    prepare_product,
    product_env,
    product_server,
)

FRAMES_PER_SECOND = 20


def queries(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/__bench/queries", timeout=10) as reply:
        return json.load(reply)["queries"]


def hold_calls(port: int, calls: int, seconds: float) -> dict:
    before = queries(port)
    url = f"ws://127.0.0.1:{port}/ws/calls/front-desk/"
    output = subprocess.run(
        [PYTHON, "bench/loadgen.py", url, str(calls), str(seconds), "0.5"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    results = json.loads(output.stdout)
    spent = queries(port) - before
    return {
        "seconds": seconds,
        "calls": calls,
        "errors": len(results["errors"]),
        "audio_frames_each_way": results["sent"],
        "queries": spent,
        "queries_per_call": round(spent / calls, 2),
        "queries_per_call_minute": round(spent / (calls * seconds / 60), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--short", type=float, default=5)
    parser.add_argument("--long", type=float, default=20)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        with fake_upstream(work, "db", "echo") as upstream:
            env = product_env(work, upstream.url)
            prepare_product(env)
            with product_server(env, app="bench.counting_asgi:application") as (_, port):
                short = hold_calls(port, options.calls, options.short)
                long = hold_calls(port, options.calls, options.long)
    extra_call_minutes = options.calls * (options.long - options.short) / 60
    marginal = (long["queries"] - short["queries"]) / extra_call_minutes
    report = {
        "benchmark": "db_queries",
        "machine": machine(),
        "runs": [short, long],
        "marginal_queries_per_extra_call_minute": round(marginal, 2),
        "budget": "independent of the number of audio frames (marginal = 0 for audio only)",
    }
    print(json.dumps(report))
    for run in (short, long):
        print(
            f"{run['calls']} calls × {run['seconds']:g} s ({run['audio_frames_each_way']} frames "
            f"each way): {run['queries']} queries, {run['queries_per_call']} per call, "
            f"{run['queries_per_call_minute']} per call-minute",
            file=sys.stderr,
        )
    print(f"marginal queries per extra call-minute: {marginal:.2f}", file=sys.stderr)


if __name__ == "__main__":
    main()
