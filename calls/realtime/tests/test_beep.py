"""The connection beep: 440 Hz for 400 ms in the call's format, faded in and out, then a
short silence; made once."""

from __future__ import annotations

import numpy as np
import pytest

from calls.realtime.audio import (
    BEEP_GAP_MS,
    BEEP_HZ,
    BEEP_MS,
    connection_beep,
    pcm16_to_float,
    ulaw_to_pcm16,
)

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once

RATE = 8000


def _samples() -> np.ndarray:
    return pcm16_to_float(ulaw_to_pcm16(connection_beep(RATE, 1)))


def test_the_beep_is_400_ms_of_440_hz_then_silence() -> None:
    samples = _samples()
    tone_samples = RATE * BEEP_MS // 1000
    assert samples.size == RATE * (BEEP_MS + BEEP_GAP_MS) // 1000  # one μ-law byte a sample
    tone, gap = samples[:tone_samples], samples[tone_samples:]
    spectrum = np.abs(np.fft.rfft(tone))
    peak_hz = np.argmax(spectrum) * RATE / tone.size
    assert abs(peak_hz - BEEP_HZ) <= RATE / tone.size  # within one frequency bin
    assert np.all(np.abs(gap) < 1e-3)


def test_the_level_is_moderate_and_the_ends_are_faded() -> None:
    samples = _samples()
    steady = samples[RATE * 50 // 1000 : RATE * 350 // 1000]
    rms_dbfs = 20 * np.log10(np.sqrt(np.mean(steady**2)))
    assert -20 < rms_dbfs < -10  # heard clearly, well below full scale
    # No click: the tone starts and ends near zero and grows over its first milliseconds.
    assert abs(samples[0]) < 0.01 and abs(samples[RATE * BEEP_MS // 1000 - 1]) < 0.01
    assert np.max(np.abs(samples[:8])) < np.max(np.abs(steady)) / 4


def test_it_is_made_once_per_format() -> None:
    assert connection_beep(RATE, 1) is connection_beep(RATE, 1)
    pcm = connection_beep(24_000, 2)
    assert len(pcm) == 24_000 * (BEEP_MS + BEEP_GAP_MS) // 1000 * 2  # PCM16 elsewhere
