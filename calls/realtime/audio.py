"""Audio helpers (numpy): levels, resampling, a speech stand-in tone, the connection beep
and the G.711 μ-law codec."""

from __future__ import annotations

import functools

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


# -- G.711 μ-law (phone audio), for the offline engine: the OpenAI path passes μ-law
# through untouched. Sun g711.c's algorithm, the one CPython's audioop used.


def _ulaw_decode_table() -> np.ndarray:
    u = ~np.arange(256, dtype=np.int32) & 0xFF
    t = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4)
    return np.where(u & 0x80, 0x84 - t, t - 0x84).astype(np.int16)


def _ulaw_encode_table() -> np.ndarray:
    x = np.arange(-32768, 32768, dtype=np.int32)
    v = x >> 2
    mask = np.where(v < 0, 0x7F, 0xFF)
    magnitude = np.minimum(np.abs(v), 8159) + 0x21
    segment = np.searchsorted(
        np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF]), magnitude
    )
    code = np.where(segment >= 8, 0x7F, (segment << 4) | ((magnitude >> (segment + 1)) & 0x0F))
    return (code ^ mask).astype(np.uint8)


_ULAW_TO_PCM = _ulaw_decode_table()
_PCM_TO_ULAW = _ulaw_encode_table()  # indexed by sample + 32768


def ulaw_to_pcm16(ulaw: bytes) -> bytes:
    return _ULAW_TO_PCM[np.frombuffer(ulaw, dtype=np.uint8)].astype("<i2").tobytes()


def pcm16_to_ulaw(pcm: bytes) -> bytes:
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.int32)
    return _PCM_TO_ULAW[samples + 32768].tobytes()


# -- The beep a phone caller hears as the line connects (Agent.connection_beep).

BEEP_HZ = 440.0
BEEP_MS = 400
BEEP_LEVEL = 0.25  # peak, about -12 dBFS: clearly heard, well below the speech after it
BEEP_FADE_MS = 10  # in and out: a tone that starts or stops at full level clicks
BEEP_GAP_MS = 150  # silence after it, before the greeting


@functools.lru_cache(maxsize=4)
def connection_beep(sample_rate: int, bytes_per_sample: int) -> bytes:
    """The beep and the short silence after it, in the call's audio (μ-law when
    ``bytes_per_sample`` is 1, else PCM16); made once per format."""
    t = np.arange(sample_rate * BEEP_MS // 1000) / sample_rate
    fade = sample_rate * BEEP_FADE_MS / 1000
    ramp = np.minimum(1.0, np.minimum(np.arange(t.size), t.size - 1 - np.arange(t.size)) / fade)
    tone = BEEP_LEVEL * np.sin(2 * np.pi * BEEP_HZ * t) * ramp
    samples = np.concatenate([tone, np.zeros(sample_rate * BEEP_GAP_MS // 1000)])
    pcm = float_to_pcm16(samples.astype(np.float32))
    return pcm16_to_ulaw(pcm) if bytes_per_sample == 1 else pcm
