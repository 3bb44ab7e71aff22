"""The fault-injection suite: a real server process, faults injected from outside.

Runs in the PostgreSQL + Redis pass (it needs Redis for the channel-layer outage and is
too slow to run twice); the servers it starts use SQLite, and channels-redis through
a TCP proxy that the test cuts. The figures of docs/reliability.md come from the same
scenarios (bench/faults.py).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import redis_url
from voiceagent.tests.faults import (
    scenario_hostile_and_abandoned,
    scenario_layer_outage,
    scenario_sigkill_restart,
    scenario_sigterm,
    scenario_stalled_upstream,
)

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="the fault-injection suite runs in the PostgreSQL + Redis pass (make test-services)",
)


@pytest.mark.parametrize("server_name", ["uvicorn", "daphne"])
async def test_sigterm_loses_no_call_and_no_turn(tmp_path: Path, server_name: str) -> None:
    result = await scenario_sigterm(tmp_path, server_name=server_name, calls=3)
    assert result["calls_lost"] == 0, result
    # daphne lets the call say `ended`; uvicorn has closed the socket (1012) by the time
    # the application hears of the shutdown.
    expected = "server_shutdown" if server_name == "daphne" else None
    assert result["ended_reasons"] == [expected] * 3, result
    assert result["turns_lost"] == 0, result
    assert result["clean_exit"], result


async def test_sigkill_then_restart_closes_the_orphan_at_once(tmp_path: Path) -> None:
    result = await scenario_sigkill_restart(tmp_path)
    assert result["call_row"] == ("failed", "server_lost"), result
    # The orphan no longer blocks the agent's single call slot.
    assert result["new_call_admitted"], result
    # Only what was said in the last flush interval before the kill may be missing:
    # the last exchange at most (the caller's line and the reply).
    assert result["turns_lost"] <= 2, result
    assert result["turns"] - result["turns_lost"] >= 7, result


@pytest.mark.redis
@pytest.mark.parametrize("blackhole", [False, True], ids=["refused", "silent"])
async def test_a_channel_layer_outage_loses_no_call_and_refuses_new_ones(
    tmp_path: Path, blackhole: bool
) -> None:
    parts = urlsplit(redis_url())
    result = await scenario_layer_outage(
        tmp_path,
        redis_host=parts.hostname or "127.0.0.1",
        redis_port=parts.port or 6379,
        blackhole=blackhole,
    )
    assert result["calls_lost"] == 0, result
    assert result["ended_reasons"] == ["client_ended", "client_ended"], result
    assert result["turns_lost"] == 0, result
    assert result["new_call_during_outage"] == 503, result
    assert 0 <= result["new_call_seconds_after_restore"] < 15, result


async def test_a_stalled_upstream_is_detected_within_its_timeout(tmp_path: Path) -> None:
    result = await scenario_stalled_upstream(tmp_path, stall_timeout=2.0)
    assert result["error_code"] == "upstream_error", result
    assert result["ended_reason"] == "upstream_stalled", result
    assert result["call_row"] == ("failed", "upstream_stalled"), result
    assert 2.0 <= result["detected_seconds_after_last_event"] < 5.0, result


async def test_hostile_frames_huge_frames_and_abandoned_callers(tmp_path: Path) -> None:
    result = await scenario_hostile_and_abandoned(tmp_path, abandoned=200, rounds=3)
    assert result["hostile_ended"] == "protocol_abuse", result
    assert result["hostile_row"] == ("completed", "protocol_abuse"), result
    assert result["other_calls_answered_with_audio"] == 3, result
    assert result["huge_frame_close_code"] == 1009, result
    assert result["huge_frame_row"][0] not in ("connecting", "active"), result
    assert result["abandoned_ended_by_idle_timeout"] == 200, result
    assert result["fds_after_each_round"] == [result["fds_before"]] * 3, result
    # RSS grows in the first rounds (the allocator keeps its high-water mark; the Python
    # heap itself stays flat, see docs/reliability.md), not with the number of calls: a
    # session kept per call (its audio, its tasks) would add well over 16 MiB per round.
    _, second, third = result["rss_mib_after_each_round"]
    assert third <= second + 16, result
    assert result["secrets_leaked"] == [], result
