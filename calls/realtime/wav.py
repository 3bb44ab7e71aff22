"""The recording's file: a stereo PCM16 WAV written in place, addressed by time.

Caller audio goes to the left channel, agent audio to the right, each at the sample its
timeline gives it (``recording.py``). The file is written by one job at a time, in a
worker thread: a job reads the stereo frames it covers, replaces one channel and writes
them back, so the two channels can arrive in any order and out of step. Parts never
written read as zeros, which is silence. The file is unnamed (deleted when closed, also
by a crash) and the header is written last, once the length is known.
"""

from __future__ import annotations

import binascii
import os
import struct
import tempfile
from typing import BinaryIO

import numpy as np

from calls.realtime.audio import ulaw_to_pcm16

HEADER_BYTES = 44
FRAME_BYTES = 4  # two channels of PCM16
CALLER, AGENT = 0, 1  # channels: caller left, agent right
# RIFF sizes are 32-bit (a four-hour call at 24 kHz is 1.4 GB, well below).
MAX_FRAMES = (2**32 - 1 - 36) // FRAME_BYTES


def wav_header(*, sample_rate: int, frames: int) -> bytes:
    """The 44-byte header of a PCM16 stereo WAV with ``frames`` frames."""
    data = frames * FRAME_BYTES
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + data,
        b"WAVE",
        b"fmt ",
        16,  # fmt chunk size
        1,  # PCM
        2,  # channels
        sample_rate,
        sample_rate * FRAME_BYTES,  # bytes per second
        FRAME_BYTES,  # block align
        16,  # bits per sample
        b"data",
        data,
    )


class WavSpool:
    """The WAV file of one recording. Not thread-safe: one job at a time."""

    def __init__(self, *, sample_rate: int, ulaw: bool, directory: str | None = None) -> None:
        self.sample_rate = sample_rate
        self._ulaw = ulaw
        self._directory = directory
        self._file: BinaryIO | None = None

    def _open(self) -> BinaryIO:
        if self._file is None:
            if self._directory is not None:
                os.makedirs(self._directory, exist_ok=True)
            self._file = tempfile.TemporaryFile(dir=self._directory, prefix="recording-")
        return self._file

    def write(self, channel: int, start: int, chunks: list[str]) -> None:
        """Base64 chunks in the call's format (PCM16, or μ-law for a phone call), one
        contiguous run from frame ``start``."""
        raw = b"".join(binascii.a2b_base64(chunk) for chunk in chunks)
        pcm = ulaw_to_pcm16(raw) if self._ulaw else raw[: len(raw) // 2 * 2]
        self._put(channel, start, np.frombuffer(pcm, dtype="<i2"))

    def silence(self, channel: int, start: int, end: int) -> None:
        """Zeros ``[start, end)`` of a channel (agent audio the caller did not hear)."""
        block = self.sample_rate  # a second at a time
        for position in range(start, end, block):
            count = min(block, end - position)
            self._put(channel, position, np.zeros(count, dtype="<i2"))

    def _put(self, channel: int, start: int, samples: np.ndarray) -> None:
        if not samples.size or start >= MAX_FRAMES:
            return
        samples = samples[: MAX_FRAMES - start]
        handle = self._open()
        offset = HEADER_BYTES + start * FRAME_BYTES
        size = samples.size * FRAME_BYTES
        handle.seek(offset)
        region = bytearray(handle.read(size))  # short (or empty) past the end: zeros
        region.extend(bytes(size - len(region)))
        frames = np.frombuffer(region, dtype="<i2").reshape(-1, 2)
        frames[:, channel] = samples
        handle.seek(offset)
        handle.write(region)

    def finish(self, frames: int) -> BinaryIO:
        """Cuts or pads the file to ``frames`` frames, writes the header and hands the
        file over (positioned at its start; the receiver closes it)."""
        frames = max(0, min(frames, MAX_FRAMES))
        handle = self._open()
        handle.truncate(HEADER_BYTES + frames * FRAME_BYTES)
        handle.seek(0)
        handle.write(wav_header(sample_rate=self.sample_rate, frames=frames))
        handle.flush()
        handle.seek(0)
        self._file = None
        return handle

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
