"""The cascade's text-to-speech stage.

``SpeechStage`` is the interface: one chunk of text in, its audio out as it streams, in
the call's format (``speech_audio.SpeechAudio`` converts). Two implementations:

- ``OpenAISpeech``: ``audio.speech`` through the ``openai`` package, ``response_format
  "pcm"`` (PCM16 24 kHz, the lowest latency the guide offers), voice per agent;
- ``ElevenLabsSpeech``: the ``elevenlabs`` package's async HTTP streaming, asking for the
  call's own format where ElevenLabs has it (``ulaw_8000`` on the phone, ``pcm_24000`` on
  the web), so nothing is resampled.

A request that gives no audio within ``first_audio_timeout`` (or stalls) is a
``SpeechStageError``; cancelling the iteration (barge-in) closes the response.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, Protocol

from openai import AsyncOpenAI

from calls.realtime.config import AudioFormat
from calls.realtime.engines.cascade.speech_audio import OPENAI_PCM, SpeechAudio, SpeechFormat

READ_BYTES = 4800  # 100 ms of PCM16 at 24 kHz


class SpeechStageError(Exception):
    """The speech service could not be reached, refused, or stopped sending audio."""


class SpeechStage(Protocol):
    def speak(self, text: str) -> AsyncIterator[bytes]:
        """The audio of ``text``, in the call's format, as it streams."""
        ...


async def _timed(
    chunks: AsyncIterator[bytes], first: float, between: float
) -> AsyncIterator[bytes]:
    """``chunks`` with a deadline for the first and for each next chunk. The deadline is
    a timeout scope in this task (not ``wait_for``'s inner task), so that a cancellation
    (barge-in) reaches the provider's stream directly and closes it at once."""
    timeout = first
    while True:
        try:
            async with asyncio.timeout(timeout):
                chunk = await anext(chunks)
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise SpeechStageError("the speech service stopped sending audio") from None
        timeout = between
        yield chunk


async def _converted(chunks: AsyncIterator[bytes], audio: SpeechAudio) -> AsyncIterator[bytes]:
    """A provider's audio in the call's format, then the resampler's tail."""
    async for chunk in chunks:
        converted = audio.convert(chunk)
        if converted:
            yield converted
    tail = audio.flush()
    if tail:
        yield tail


class OpenAISpeech:
    def __init__(
        self,
        *,
        client: AsyncOpenAI,
        model: str,
        voice: str,
        target: AudioFormat,
        instructions: str = "",
        first_audio_timeout: float = 5.0,
        chunk_timeout: float = 5.0,
    ) -> None:
        self._client = client
        self._model = model
        self._voice = voice
        self._target = target
        self._instructions = instructions
        self._first = first_audio_timeout
        self._between = chunk_timeout

    async def speak(self, text: str) -> AsyncIterator[bytes]:
        audio = SpeechAudio(OPENAI_PCM, self._target)
        request: dict[str, Any] = {
            "model": self._model,
            "voice": self._voice,
            "input": text[:4096],
            "response_format": "pcm",
        }
        if self._instructions and self._model.startswith("gpt-"):
            request["instructions"] = self._instructions
        try:
            async with self._client.audio.speech.with_streaming_response.create(
                **request
            ) as response:
                chunks = _timed(response.iter_bytes(READ_BYTES), self._first, self._between)
                async for converted in _converted(chunks, audio):
                    yield converted
        except SpeechStageError:
            raise
        except Exception as exc:
            raise SpeechStageError(f"the speech service failed ({type(exc).__name__})") from exc


def elevenlabs_format(target: AudioFormat) -> tuple[str, SpeechFormat]:
    """The ElevenLabs ``output_format`` for a call's audio, and what it streams."""
    if target.bytes_per_sample == 1:
        return "ulaw_8000", SpeechFormat("ulaw", 8_000)
    return f"pcm_{target.sample_rate}", SpeechFormat("pcm16", target.sample_rate)


class ElevenLabsSpeech:
    def __init__(
        self,
        *,
        client: Any,  # elevenlabs.AsyncElevenLabs
        voice_id: str,
        model_id: str,
        target: AudioFormat,
        first_audio_timeout: float = 5.0,
        chunk_timeout: float = 5.0,
    ) -> None:
        self._client = client
        self._voice_id = voice_id
        self._model_id = model_id
        self._target = target
        self._first = first_audio_timeout
        self._between = chunk_timeout

    async def speak(self, text: str) -> AsyncIterator[bytes]:
        output_format, source = elevenlabs_format(self._target)
        audio = SpeechAudio(source, self._target)
        try:
            chunks = self._client.text_to_speech.stream(
                self._voice_id, text=text, model_id=self._model_id, output_format=output_format
            )
            async for converted in _converted(_timed(chunks, self._first, self._between), audio):
                yield converted
        except SpeechStageError:
            raise
        except Exception as exc:
            raise SpeechStageError(f"ElevenLabs failed ({type(exc).__name__})") from exc
