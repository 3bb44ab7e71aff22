"""The cascade's speech-to-text stage: streaming transcription with turn detection.

``SpeechToText`` is the interface: ``start(config)``, caller audio in with
``send_audio``, the provider's turn and transcript events out of ``events()``, ``close()``.
``OpenAITranscription`` implements it with OpenAI's realtime transcription session: the
Realtime WebSocket URL with ``?intent=transcription`` and no ``model`` (a model in the URL
makes a conversation session, which refuses a transcription ``session.update``), the
caller's audio as it is (μ-law on the phone, PCM16 24 kHz on the web), and the agent's
server or semantic VAD. The events it yields are GA server events, unchanged, so the
engine can pass ``speech_started``/``speech_stopped`` and the transcription events on to
the session as the Realtime engine's are.

Failures are ``SpeechToTextError``: no connection in time, a refused handshake (its
status and the provider's reason, key redacted), a refused ``session.update``, and the
socket closing mid-call. A quiet socket is not one: callers are silent for long
stretches, and a dead connection is found by the WebSocket's own ping.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol, cast
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from openai.types.realtime import (
    RealtimeTranscriptionSessionAudioInputParam,
    RealtimeTranscriptionSessionAudioInputTurnDetectionParam,
    RealtimeTranscriptionSessionCreateRequestParam,
)
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from calls.realtime.config import AgentSnapshot, AudioFormat, turn_detection
from calls.realtime.text import JSON_ERRORS, may_hold_unstorable, storable_json
from calls.realtime.upstream import redacted, refusal_description

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "gpt-4o-transcribe"
TRANSCRIPTION = "conversation.item.input_audio_transcription."
# What the cascade acts on; the rest (session.updated, rate limits…) is dropped here.
PASSED = frozenset(
    {
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        TRANSCRIPTION + "delta",
        TRANSCRIPTION + "completed",
        TRANSCRIPTION + "failed",
        "error",
    }
)
# Response-only settings: a transcription session makes no responses.
_RESPONSE_KEYS = ("create_response", "interrupt_response")


class SpeechToTextError(Exception):
    """The transcription service could not be reached, refused, or went away."""


@dataclass(frozen=True)
class TranscriptionConfig:
    audio_format: AudioFormat
    model: str = DEFAULT_MODEL
    language: str = ""  # ISO-639-1; empty: detected
    noise_reduction: str = "near_field"  # near_field / far_field / off
    # As ``config.turn_detection()`` builds it; None: the client commits each turn.
    turn_detection: dict[str, Any] | None = field(default_factory=lambda: {"type": "server_vad"})
    prompt: str = ""


@dataclass
class TranscriptionUsage:
    """Summed from each ``completed`` event's ``usage`` (tokens for the gpt-4o models,
    seconds for ``whisper-1``), plus the audio streamed (what per-minute prices bill)."""

    input_tokens: int = 0
    output_tokens: int = 0
    audio_tokens: int = 0
    seconds: float = 0.0
    audio_sent_ms: float = 0.0

    def add(self, usage: dict[str, Any]) -> None:
        if usage.get("type") == "duration":
            self.seconds += float(usage.get("seconds") or 0)
            return
        self.input_tokens += int(usage.get("input_tokens") or 0)
        self.output_tokens += int(usage.get("output_tokens") or 0)
        details = usage.get("input_token_details") or {}
        self.audio_tokens += int(details.get("audio_tokens") or 0)


def transcription_config(
    agent: AgentSnapshot, *, audio_format: AudioFormat, model: str = DEFAULT_MODEL
) -> TranscriptionConfig:
    """The agent's language, noise reduction and VAD for its transcription session."""
    return TranscriptionConfig(
        audio_format=audio_format,
        model=model or DEFAULT_MODEL,
        language=agent.language.split("-")[0],
        noise_reduction=agent.noise_reduction,
        turn_detection=turn_detection(agent),
    )


def transcription_session(config: TranscriptionConfig) -> dict[str, Any]:
    """The ``session.update`` event of a transcription session."""
    audio_input: RealtimeTranscriptionSessionAudioInputParam = {
        "format": cast(Any, config.audio_format.session_format),
        "transcription": {"model": config.model},
        "turn_detection": None,
    }
    if config.language:
        audio_input["transcription"]["language"] = config.language
    if config.prompt:
        audio_input["transcription"]["prompt"] = config.prompt
    if config.noise_reduction and config.noise_reduction != "off":
        # The session type has no ``null`` here (the Realtime one has): off is left out.
        audio_input["noise_reduction"] = {"type": cast(Any, config.noise_reduction)}
    if config.turn_detection is not None:
        detection = {
            key: value for key, value in config.turn_detection.items() if key not in _RESPONSE_KEYS
        }
        audio_input["turn_detection"] = cast(
            RealtimeTranscriptionSessionAudioInputTurnDetectionParam, detection
        )
    session: RealtimeTranscriptionSessionCreateRequestParam = {
        "type": "transcription",
        "audio": {"input": audio_input},
    }
    return {"type": "session.update", "session": session}


def transcription_url(url: str) -> str:
    """The Realtime URL with ``intent=transcription`` (and whatever else it carries)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "intent"]
    query.append(("intent", "transcription"))
    return urlunsplit(parts._replace(query=urlencode(query)))


class SpeechToText(Protocol):
    async def start(self, config: TranscriptionConfig) -> None:
        """Connects and configures the session; raises ``SpeechToTextError``."""

    async def send_audio(self, audio: str) -> None:
        """Base64 caller audio in the configured format."""

    def events(self) -> AsyncIterator[dict[str, Any]]:
        """Turn and transcript events (GA shapes) until ``close()``; raises
        ``SpeechToTextError`` when the service goes away."""
        ...

    @property
    def usage(self) -> TranscriptionUsage: ...

    async def close(self) -> None: ...


class OpenAITranscription:
    def __init__(
        self,
        *,
        url: str,
        api_key: str,
        connect_timeout: float = 10.0,
        setup_timeout: float = 10.0,
        call_id: str = "",
    ) -> None:
        self._url = transcription_url(url)
        self._api_key = api_key
        self._connect_timeout = connect_timeout
        self._setup_timeout = setup_timeout
        self._call_id = call_id
        self._connection: ClientConnection | None = None
        self._bytes_per_ms = 1
        self._closing = False
        self._usage = TranscriptionUsage()

    @property
    def usage(self) -> TranscriptionUsage:
        return self._usage

    async def start(self, config: TranscriptionConfig) -> None:
        self._bytes_per_ms = config.audio_format.bytes_per_ms
        self._connection = await self._connect()
        try:
            async with asyncio.timeout(self._setup_timeout):
                await self._configure(transcription_session(config))
        except TimeoutError:
            await self.close()
            raise SpeechToTextError(
                f"the transcription session was not set up within {self._setup_timeout:g} s"
            ) from None
        except SpeechToTextError:
            await self.close()
            raise

    async def _connect(self) -> ClientConnection:
        try:
            return await asyncio.wait_for(
                connect(
                    self._url,
                    additional_headers={"Authorization": f"Bearer {self._api_key}"},
                    open_timeout=None,
                    max_size=None,
                    ping_interval=20,
                    ping_timeout=20,
                    close_timeout=1,
                ),
                self._connect_timeout,
            )
        except TimeoutError:
            raise SpeechToTextError(
                f"no transcription connection within {self._connect_timeout:g} s"
            ) from None
        except InvalidStatus as exc:
            raise SpeechToTextError(
                "the transcription service refused: " + refusal_description(exc)
            ) from None
        except Exception as exc:
            raise SpeechToTextError(f"{type(exc).__name__}: {redacted(str(exc))}") from None

    async def _configure(self, update: dict[str, Any]) -> None:
        event = await self._recv()
        while event.get("type") != "session.created":
            _raise_if_error(event)
            event = await self._recv()
        if (event.get("session") or {}).get("type") != "transcription":
            # Still sent: the service's own refusal says why (a ``model`` in the URL).
            logger.warning("Call %s: not a transcription session", self._call_id)
        await self._send(json.dumps(update, separators=(",", ":")))
        while (event := await self._recv()).get("type") != "session.updated":
            _raise_if_error(event)

    async def send_audio(self, audio: str) -> None:
        # Base64 passes through untouched; it cannot contain characters JSON escapes.
        await self._send('{"type":"input_audio_buffer.append","audio":"' + audio + '"}')
        size = len(audio) * 3 // 4 - audio.endswith("=") - audio.endswith("==")
        self._usage.audio_sent_ms += size / self._bytes_per_ms

    async def commit(self) -> None:
        """Ends the caller's turn by hand (``turn_detection`` None)."""
        await self._send('{"type":"input_audio_buffer.commit"}')

    async def events(self) -> AsyncIterator[dict[str, Any]]:
        while True:
            try:
                event = await self._recv()
            except SpeechToTextError:
                if self._closing:
                    return
                raise
            kind = event.get("type")
            if kind not in PASSED:
                continue
            if kind == TRANSCRIPTION + "completed":
                self._usage.add(event.get("usage") or {})
            elif kind == "error":
                error = event.get("error") or {}
                logger.warning(
                    "Call %s: transcription error %s: %s",
                    self._call_id,
                    error.get("code"),
                    redacted(str(error.get("message") or ""))[:300],
                )
            yield event

    async def close(self) -> None:
        self._closing = True
        if self._connection is not None:
            await self._connection.close()

    async def _send(self, frame: str) -> None:
        if self._connection is None:
            raise SpeechToTextError("the transcription session is not started")
        try:
            await self._connection.send(frame)
        except ConnectionClosed as exc:
            raise SpeechToTextError(_closed(exc)) from None

    async def _recv(self) -> dict[str, Any]:
        if self._connection is None:
            raise SpeechToTextError("the transcription session is not started")
        while True:
            try:
                frame = await self._connection.recv()
            except ConnectionClosed as exc:
                raise SpeechToTextError(_closed(exc)) from None
            text = frame if isinstance(frame, str) else frame.decode(errors="replace")
            try:
                event = json.loads(text)
            except JSON_ERRORS:
                logger.warning(
                    "Call %s: transcription sent a frame that is not JSON", self._call_id
                )
                continue
            if isinstance(event, dict):
                # Transcripts are stored: decoded escapes must be storable.
                return storable_json(event) if may_hold_unstorable(text) else event


def _closed(exc: ConnectionClosed) -> str:
    code = exc.rcvd.code if exc.rcvd else None
    reason = redacted(exc.rcvd.reason)[:300] if exc.rcvd else ""
    return f"the transcription service closed ({code}){': ' + reason if reason else ''}"


def _raise_if_error(event: dict[str, Any]) -> None:
    if event.get("type") == "error":
        error = event.get("error") or {}
        message = redacted(str(error.get("message") or ""))[:300]
        raise SpeechToTextError(
            f"the transcription service refused: {error.get('code')}: {message}"
        )
