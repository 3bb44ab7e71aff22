"""The offline engine's voice: espeak-ng when installed (CI installs it), else a tone."""

from __future__ import annotations

import os
import shutil
from typing import Any

import numpy as np
import pytest

from calls.realtime.audio import pcm16_to_float, tone_for_text
from calls.realtime.engines.offline.speech import synthesize

pytestmark = pytest.mark.embedded_pass_only  # no database or service: run once

NEEDS_ESPEAK = "espeak-ng is installed by .ci/run (apt-get install espeak-ng)"


@pytest.mark.skipif(
    shutil.which("espeak-ng") is None and not os.environ.get("VOICEAGENT_REQUIRE_SERVICES"),
    reason=NEEDS_ESPEAK,
)
async def test_espeak_speech_is_24khz_pcm_of_a_plausible_length() -> None:
    assert shutil.which("espeak-ng"), NEEDS_ESPEAK
    pcm = await synthesize("Hello, this is the front desk. How can I help?")
    seconds = len(pcm) / 48_000
    assert 1.5 < seconds < 6
    samples = pcm16_to_float(pcm)
    # Speech, not a tone: loudness varies between syllables and pauses.
    windows = samples[: len(samples) // 480 * 480].reshape(-1, 480)
    levels = np.sqrt((windows**2).mean(axis=1))
    assert levels.max() > 0.05 and (levels < levels.max() * 0.1).sum() > 5


async def test_without_espeak_a_tone_as_long_as_the_sentence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    pcm = await synthesize("Short reply.")
    assert pcm == tone_for_text("Short reply.")
    assert 0.4 <= len(pcm) / 48_000 <= 1.0


async def test_cancelled_speech_leaves_no_process_running(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    started: list[asyncio.subprocess.Process] = []
    real_exec = asyncio.create_subprocess_exec

    # Takes what create_subprocess_exec takes (pipes, environment) and passes it on.
    async def slow_speaker(*args: object, **kwargs: Any) -> asyncio.subprocess.Process:
        process = await real_exec("sleep", "30", **kwargs)  # stands in for a long espeak run
        started.append(process)
        return process

    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/espeak-ng")
    monkeypatch.setattr(asyncio, "create_subprocess_exec", slow_speaker)
    task = asyncio.ensure_future(synthesize("A sentence the caller interrupts."))
    while not started:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert started[0].returncode is not None  # killed and reaped, not left to the collector
