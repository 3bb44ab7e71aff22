"""Speech audio converted to the call's format while it streams: rates, encodings, chunks
that split samples, and the resampler's tail."""

from __future__ import annotations

import numpy as np
import pytest

from calls.realtime.audio import pcm16_to_ulaw, ulaw_to_pcm16
from calls.realtime.config import PHONE_AUDIO, WEB_AUDIO
from calls.realtime.engines.cascade.speech_audio import OPENAI_PCM, SpeechAudio, SpeechFormat

pytestmark = pytest.mark.embedded_pass_only


def _tone(hz: float, rate: int, seconds: float = 1.0) -> bytes:
    t = np.arange(int(rate * seconds)) / rate
    return (np.sin(2 * np.pi * hz * t) * 8000).astype("<i2").tobytes()


def _peak_hz(pcm: bytes, rate: int) -> float:
    samples = np.frombuffer(pcm, dtype="<i2").astype(float)
    spectrum = np.abs(np.fft.rfft(samples))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[int(np.argmax(spectrum))])


def _stream(audio: SpeechAudio, data: bytes, sizes: list[int]) -> bytes:
    out, start, i = [], 0, 0
    while start < len(data):
        size = sizes[i % len(sizes)]
        out.append(audio.convert(data[start : start + size]))
        start += size
        i += 1
    out.append(audio.flush())
    return b"".join(out)


def test_openai_pcm_becomes_phone_mulaw_at_8_khz_with_its_pitch() -> None:
    # Chunk sizes that split samples (odd byte counts) and vary, as HTTP chunks do.
    converted = _stream(SpeechAudio(OPENAI_PCM, PHONE_AUDIO), _tone(440, 24_000), [4801, 999, 1])
    assert abs(len(converted) - 8_000) <= 8  # one second of 8 kHz μ-law, one byte a sample
    pcm = ulaw_to_pcm16(converted)
    assert abs(_peak_hz(pcm, 8_000) - 440) < 2


def test_web_calls_take_openai_pcm_as_it_is() -> None:
    audio = SpeechAudio(OPENAI_PCM, WEB_AUDIO)
    tone = _tone(300, 24_000, 0.1)
    assert audio.convert(tone[:1001]) + audio.convert(tone[1001:]) + audio.flush() == tone


def test_elevenlabs_mulaw_passes_through_to_a_phone_and_is_upsampled_for_the_web() -> None:
    ulaw = pcm16_to_ulaw(_tone(500, 8_000))
    phone = SpeechAudio(SpeechFormat("ulaw", 8_000), PHONE_AUDIO)
    assert phone.convert(ulaw) == ulaw and phone.flush() == b""
    web = _stream(SpeechAudio(SpeechFormat("ulaw", 8_000), WEB_AUDIO), ulaw, [160])
    assert abs(len(web) - 48_000) <= 48
    assert abs(_peak_hz(web, 24_000) - 500) < 2


def test_pcm_at_16_khz_reaches_both_formats() -> None:
    tone = _tone(1000, 16_000)
    web = _stream(SpeechAudio(SpeechFormat("pcm16", 16_000), WEB_AUDIO), tone, [3200])
    phone = _stream(SpeechAudio(SpeechFormat("pcm16", 16_000), PHONE_AUDIO), tone, [3200])
    assert abs(_peak_hz(web, 24_000) - 1000) < 2
    assert abs(_peak_hz(ulaw_to_pcm16(phone), 8_000) - 1000) < 2


def test_an_unknown_encoding_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown speech encoding"):
        SpeechAudio(SpeechFormat("mp3", 44_100), WEB_AUDIO)
