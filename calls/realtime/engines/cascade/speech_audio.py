"""Text-to-speech audio, as the call carries it.

A speech provider streams audio in its own format (OpenAI: PCM16 at 24 kHz; ElevenLabs:
PCM at a rate asked for, or G.711 μ-law at 8 kHz). ``SpeechAudio`` turns that stream,
chunk by chunk, into the session's format (PCM16 24 kHz on the web, μ-law 8 kHz on the
phone): resampled with soxr's streaming resampler (filter state kept across chunks, no
clicks at chunk edges), μ-law through the session's own tables. Chunks may split a
sample: the odd byte waits for the next chunk. ``flush`` gives what the resampler still
holds at the end of an utterance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import soxr

from calls.realtime.audio import pcm16_to_ulaw, ulaw_to_pcm16
from calls.realtime.config import AudioFormat


@dataclass(frozen=True)
class SpeechFormat:
    """What a provider streams: ``encoding`` ``pcm16`` (little-endian) or ``ulaw``."""

    encoding: str
    sample_rate: int

    @property
    def bytes_per_sample(self) -> int:
        return 1 if self.encoding == "ulaw" else 2


OPENAI_PCM = SpeechFormat("pcm16", 24_000)


class SpeechAudio:
    """One utterance's audio, converted as it streams (see the module's docstring)."""

    def __init__(self, source: SpeechFormat, target: AudioFormat) -> None:
        if source.encoding not in ("pcm16", "ulaw"):
            raise ValueError(f"unknown speech encoding {source.encoding!r}")
        self._source = source
        self._target_ulaw = target.bytes_per_sample == 1
        self._passthrough = (
            source.sample_rate == target.sample_rate
            and (source.encoding == "ulaw") == self._target_ulaw
        )
        self._resampler = (
            None
            if source.sample_rate == target.sample_rate
            else soxr.ResampleStream(
                source.sample_rate, target.sample_rate, 1, dtype="int16", quality="HQ"
            )
        )
        self._carry = b""

    def convert(self, chunk: bytes) -> bytes:
        """The target-format audio for one chunk from the provider (may be empty)."""
        if self._passthrough:
            return chunk
        data = self._carry + chunk
        whole = len(data) - len(data) % self._source.bytes_per_sample
        self._carry = data[whole:]
        return self._out(self._pcm(data[:whole]), last=False)

    def flush(self) -> bytes:
        """What is left at the end of the utterance (the resampler's tail)."""
        if self._passthrough or self._resampler is None:
            return b""
        self._carry = b""
        return self._out(np.zeros(0, dtype=np.int16), last=True)

    def _pcm(self, data: bytes) -> np.ndarray:
        pcm = ulaw_to_pcm16(data) if self._source.encoding == "ulaw" else data
        return np.frombuffer(pcm, dtype="<i2")

    def _out(self, samples: np.ndarray, *, last: bool) -> bytes:
        if self._resampler is not None:
            samples = self._resampler.resample_chunk(samples, last=last)
        pcm = samples.astype("<i2", copy=False).tobytes()
        return pcm16_to_ulaw(pcm) if self._target_ulaw else pcm
