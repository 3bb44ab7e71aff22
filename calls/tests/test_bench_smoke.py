"""The load benchmark still runs and loses no frames (10 calls, 5 s, both targets)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def test_load_benchmark_smoke() -> None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("runs once, in the embedded pass (the benchmark brings its own database)")
    result = subprocess.run(
        [sys.executable, "bench/load.py", "--calls", "10", "--seconds", "5", "--generators", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    report = json.loads(result.stdout)
    assert {run["target"] for run in report["runs"]} == {"product", "baseline"}
    for run in report["runs"]:
        assert run["errors"] == 0, run
        assert run["frames_sent"] == 10 * 5 * 20, run
        assert run["lost"] == 0 and run["reordered"] == 0, run
        assert run["c2u_ms"]["p50"] is not None and run["u2c_ms"]["p50"] is not None
