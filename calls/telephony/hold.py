"""Hold audio: what a caller hears while a transfer rings the person (providers that
play a URL's audio, e.g. Plivo's ``dialMusic``). Made once with numpy: a soft two-note
chime every two seconds, 8 kHz PCM16 WAV (every provider plays it), about 100 KB."""

from __future__ import annotations

import functools
import io
import wave

import numpy as np
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

SAMPLE_RATE = 8_000
PATTERN_SECONDS = 2.0
REPEATS = 3  # the provider loops it


@functools.cache
def hold_wav() -> bytes:
    t = np.arange(int(SAMPLE_RATE * PATTERN_SECONDS)) / SAMPLE_RATE
    chime = np.zeros_like(t)
    for start, frequency in ((0.0, 523.25), (0.35, 659.25)):  # C5, E5
        local = t - start
        envelope = np.where(local >= 0, np.exp(-local * 4.0), 0.0)
        chime += np.sin(2 * np.pi * frequency * np.clip(local, 0, None)) * envelope
    samples = np.tile(chime / np.max(np.abs(chime)) * 0.25, REPEATS)
    pcm = (samples * 32767).astype("<i2").tobytes()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(pcm)
    return buffer.getvalue()


@require_GET
def hold_audio(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(hold_wav(), content_type="audio/wav")
    response["Cache-Control"] = "public, max-age=86400"
    return response
