"""Speech for the offline engine: espeak-ng when installed, else a tone per sentence."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import shutil
import wave

import numpy as np

from calls.realtime.audio import (
    SAMPLE_RATE,
    float_to_pcm16,
    pcm16_to_float,
    resample,
    tone_for_text,
)

logger = logging.getLogger(__name__)


async def synthesize(text: str, *, language: str = "en") -> bytes:
    """PCM16 mono 24 kHz for ``text``."""
    espeak = shutil.which("espeak-ng")
    if espeak:
        process: asyncio.subprocess.Process | None = None
        try:
            process = await asyncio.create_subprocess_exec(
                espeak,
                "--stdout",
                "-s",
                "165",
                "-v",
                language.split("-")[0] or "en",
                text,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
            )
            wav_bytes, _ = await asyncio.wait_for(process.communicate(), 10)
            with wave.open(io.BytesIO(wav_bytes)) as wav:
                rate = wav.getframerate()
                frames = wav.readframes(wav.getnframes())
            samples = resample(pcm16_to_float(frames), rate, SAMPLE_RATE)
            return float_to_pcm16(samples.astype(np.float32))
        except (OSError, TimeoutError, wave.Error, EOFError):
            logger.warning("espeak-ng failed; the offline engine falls back to a tone")
        finally:
            # Timed out, or cancelled (barge-in, call end): no espeak left running, and no
            # transport left for the garbage collector after the loop is gone.
            if process is not None and process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
    return tone_for_text(text)
