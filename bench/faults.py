"""Fault injection against a real server process: what each fault costs (docs/reliability.md).

Faults: SIGTERM under uvicorn and under daphne, SIGKILL then restart, the channel layer
(channels-redis) refused or silent (packets dropped) through a TCP proxy, a realtime
service that stalls mid-reply, hostile frames and abandoned callers. For each: calls and transcript turns lost, and the times an operator cares
about (shutdown, orphan closing after a restart, stall detection, recovery). The same
scenarios back calls/tests/test_faults.py, which asserts that nothing is lost.

Run: .venv/bin/python bench/faults.py [--runs 3] [--redis redis://127.0.0.1:6379/0]
Prints one JSON object on stdout and a table on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harness import ROOT, machine

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voiceagent.settings")

from voiceagent.tests.faults import (
    scenario_hostile_and_abandoned,
    scenario_layer_outage,
    scenario_sigkill_restart,
    scenario_sigterm,
    scenario_stalled_upstream,
)


async def run_all(runs: int, redis_url: str) -> list[dict[str, Any]]:
    redis = urlsplit(redis_url)
    results = []
    for run in range(runs):
        for name, scenario in (
            ("sigterm-uvicorn", lambda d: scenario_sigterm(d, server_name="uvicorn")),
            ("sigterm-daphne", lambda d: scenario_sigterm(d, server_name="daphne")),
            ("sigkill-restart", scenario_sigkill_restart),
            (
                "layer-outage",
                lambda d: scenario_layer_outage(
                    d, redis_host=redis.hostname or "127.0.0.1", redis_port=redis.port or 6379
                ),
            ),
            (
                "layer-silent",
                lambda d: scenario_layer_outage(
                    d,
                    redis_host=redis.hostname or "127.0.0.1",
                    redis_port=redis.port or 6379,
                    blackhole=True,
                ),
            ),
            ("stalled-upstream", lambda d: scenario_stalled_upstream(d, stall_timeout=3.0)),
            ("hostile-and-abandoned", lambda d: scenario_hostile_and_abandoned(d, rounds=5)),
        ):
            with tempfile.TemporaryDirectory() as folder:
                result = await scenario(Path(folder))
            result.pop("lost", None)
            results.append({"scenario": name, "run": run + 1, **result})
            print(f"{name} run {run + 1}: {result}", file=sys.stderr)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    results = asyncio.run(run_all(args.runs, args.redis))
    print(json.dumps({"machine": machine(), "results": results}, indent=2))


if __name__ == "__main__":
    main()
