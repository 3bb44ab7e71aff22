"""Audio helpers (numpy): levels, resampling and a speech stand-in tone."""

from __future__ import annotations

import numpy as np

SAMPLE_RATE = 24_000


def pcm16_to_float(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


def float_to_pcm16(samples: np.ndarray) -> bytes:
    clipped = np.clip(samples, -1.0, 1.0)
    return (clipped * 32767.0).astype("<i2").tobytes()


def rms_dbfs(pcm: bytes) -> float:
    """Loudness of a PCM16 chunk in dB relative to full scale (silence is -120)."""
    samples = pcm16_to_float(pcm)
    if samples.size == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(samples * samples)))
    return 20.0 * float(np.log10(rms)) if rms > 1e-6 else -120.0


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Linear-interpolation resampling; enough for synthetic speech of the offline engine."""
    if from_rate == to_rate or samples.size == 0:
        return samples
    duration = samples.size / from_rate
    target = np.arange(int(duration * to_rate)) / to_rate
    source = np.arange(samples.size) / from_rate
    return np.interp(target, source, samples).astype(np.float32)


def tone_for_text(text: str, *, ms_per_char: int = 60) -> bytes:
    """A soft tone as long as the text would take to say (when no TTS is installed)."""
    duration = min(max(len(text) * ms_per_char, 400), 8000) / 1000
    t = np.arange(int(duration * SAMPLE_RATE)) / SAMPLE_RATE
    envelope = np.minimum(1.0, np.minimum(t, duration - t) * 20)  # 50 ms fades
    wave = 0.15 * np.sin(2 * np.pi * 220.0 * t) * envelope
    return float_to_pcm16(wave.astype(np.float32))
