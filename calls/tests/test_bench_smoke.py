"""The load benchmark still runs and loses no frames: 10 calls, 5 s, web and
phone (Twilio, Plivo) framing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.embedded_pass_only  # the benchmark brings its own database

FRAMES_PER_SECOND = {"web": 20, "twilio": 50, "plivo": 50}


@pytest.mark.parametrize("framing", ["web", "twilio", "plivo"])
def test_load_benchmark_smoke(framing: str) -> None:
    command = [sys.executable, "bench/load.py", "--calls", "10", "--seconds", "5"]
    result = subprocess.run(
        [*command, "--generators", "1", "--framing", framing],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    report = json.loads(result.stdout)
    assert {run["target"] for run in report["runs"]} == {"product", "baseline"}
    for run in report["runs"]:
        assert run["framing"] == framing
        assert run["errors"] == 0, run
        assert run["frames_sent"] == 10 * 5 * FRAMES_PER_SECOND[framing], run
        assert run["lost"] == 0 and run["reordered"] == 0, run
        assert run["c2u_ms"]["n"] > 0 and run["u2c_ms"]["n"] > 0, run
        assert run["cpu_s_per_call_minute"] is not None, run
