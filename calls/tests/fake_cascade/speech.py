"""Text-to-speech on loopback: OpenAI's ``audio.speech`` and ElevenLabs' streaming HTTP.

The audio is a tone as long as the text (``ms_per_char`` per character, the pitch from
the text's length): the same text always gives the same bytes, so tests can check what
reached the caller. ElevenLabs' WebSocket input streaming is in ``elevenlabs_ws.py``.
"""

from __future__ import annotations

import inspect
import typing
from typing import Any

import numpy as np
from elevenlabs.text_to_speech.raw_client import AsyncRawTextToSpeechClient
from openai.types.audio.speech_create_params import SpeechCreateParams
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, create_model

from calls.realtime.audio import pcm16_to_ulaw
from calls.tests.fake_cascade.loopback import Exchange, Fault, LoopbackHTTP, typed_dict_problems

SPEECH_PARAMS: TypeAdapter[Any] = TypeAdapter(SpeechCreateParams)
INSTRUCTED_MODELS = ("gpt-4o-mini-tts",)  # `instructions` works only with these
CHUNK_MS = 100


def synth(text: str, rate: int, *, ms_per_char: int = 60) -> bytes:
    """PCM16 LE mono: a tone as long as ``text`` would take to say."""
    t = np.arange(len(text) * ms_per_char * rate // 1000) / rate
    pitch = 180.0 + (len(text) % 16) * 10
    return (0.2 * np.sin(2 * np.pi * pitch * t) * 32767).astype("<i2").tobytes()


def encode(text: str, output_format: str, *, ms_per_char: int = 60) -> tuple[bytes, int] | None:
    """``text`` as an ElevenLabs ``output_format`` (bytes, bytes per ms); None for formats
    the fake does not make (mp3, opus, a-law)."""
    kind, _, rate = output_format.partition("_")
    if kind == "pcm" and rate.isdigit():
        return synth(text, int(rate), ms_per_char=ms_per_char), int(rate) * 2 // 1000 or 1
    if output_format == "ulaw_8000":
        return pcm16_to_ulaw(synth(text, 8000, ms_per_char=ms_per_char)), 8
    return None


def stream_audio(
    fake: LoopbackHTTP, exchange: Exchange, audio: bytes, chunk: int, fault: Fault, pace: float
) -> None:
    exchange.start_stream("application/octet-stream")
    for index, start in enumerate(range(0, len(audio), chunk)):
        if fault.stall_after is not None and index >= fault.stall_after:
            fake.stall(exchange)
            return
        if fault.drop_after is not None and index >= fault.drop_after:
            exchange.drop()
            return
        if not exchange.write(audio[start : start + chunk]):
            return  # the client cancelled (barge-in)
        if pace and not fake.pause(pace):
            return
    exchange.end_stream()


class FakeOpenAISpeech(LoopbackHTTP):
    """``POST /v1/audio/speech``; ``url`` is an OPENAI_BASE_URL (or ``FakeChat.mount``
    it to share one). Knobs: ``first_byte_latency`` (s), ``chunk_interval`` (s between
    100 ms chunks; 0: as fast as possible), ``ms_per_char``, ``faults`` (a queue)."""

    url_suffix = "/v1"

    def __init__(self) -> None:
        super().__init__()
        self.first_byte_latency = 0.0
        self.chunk_interval = 0.0
        self.ms_per_char = 60
        self.faults: list[Fault | None] = []
        self.route("POST", "/v1/audio/speech", self.speech)

    def speech(self, exchange: Exchange) -> None:
        body = exchange.json()
        self.record(exchange, body)
        problems = typed_dict_problems(SPEECH_PARAMS, body)
        if not exchange.headers.get("authorization", "").startswith("Bearer "):
            problems.append("no bearer token")
        if isinstance(body, dict) and not problems:
            problems += self.semantic_problems(body)
        if problems:
            self.violations.extend(problems)
            error = {"message": "; ".join(problems), "type": "invalid_request_error"}
            exchange.send_json(400, {"error": {**error, "param": None, "code": None}})
            return
        fault = (self.faults.pop(0) if self.faults else None) or Fault()
        if fault.status is not None:
            error = {"message": "The server had an error.", "type": "server_error"}
            exchange.send_json(fault.status, {"error": {**error, "param": None, "code": None}})
            return
        if not self.pause(self.first_byte_latency):
            return
        audio = synth(body["input"], 24_000, ms_per_char=self.ms_per_char)
        stream_audio(self, exchange, audio, 48 * CHUNK_MS, fault, self.chunk_interval)

    def semantic_problems(self, body: dict[str, Any]) -> list[str]:
        problems = []
        if body.get("response_format") != "pcm":
            problems.append(f"response_format {body.get('response_format')!r}: the fake speaks pcm")
        if len(body["input"]) > 4096:
            problems.append("input longer than 4096 characters")
        if "instructions" in body and not str(body["model"]).startswith(INSTRUCTED_MODELS):
            problems.append(f"instructions do not work with {body['model']}")
        if body.get("stream_format") == "sse" and body["model"] in ("tts-1", "tts-1-hd"):
            problems.append(f"stream_format sse is not supported for {body['model']}")
        return problems


def _stream_request_types() -> tuple[type[BaseModel], set[str]]:
    """The HTTP stream's JSON body and query parameters, from the elevenlabs package's
    own ``stream`` signature (the package has no request model for this endpoint)."""
    signature = inspect.signature(AsyncRawTextToSpeechClient.stream)
    hints = typing.get_type_hints(AsyncRawTextToSpeechClient.stream)
    query = {"enable_logging", "optimize_streaming_latency", "output_format"}
    fields: dict[str, Any] = {}
    for name, parameter in signature.parameters.items():
        if parameter.kind is not parameter.KEYWORD_ONLY or name in query | {"request_options"}:
            continue
        default = ... if parameter.default is inspect.Parameter.empty else None
        fields[name] = (hints[name], default)
    config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)
    return create_model("ElevenLabsStreamBody", __config__=config, **fields), query


ELEVENLABS_BODY, ELEVENLABS_QUERY = _stream_request_types()


class FakeElevenLabs(LoopbackHTTP):
    """``POST /v1/text-to-speech/{voice_id}/stream``; ``url`` is the base URL for
    ``AsyncElevenLabs(base_url=...)``. Knobs as ``FakeOpenAISpeech``; ``chunk_ms`` is the
    audio per HTTP chunk."""

    def __init__(self) -> None:
        super().__init__()
        self.first_byte_latency = 0.0
        self.chunk_interval = 0.0
        self.chunk_ms = CHUNK_MS
        self.ms_per_char = 60
        self.faults: list[Fault | None] = []
        self.route("POST", r"/v1/text-to-speech/(?P<voice_id>[^/]+)/stream", self.stream)

    def stream(self, exchange: Exchange) -> None:
        body = exchange.json()
        self.record(exchange, body)
        if not exchange.headers.get("xi-api-key"):
            self.violations.append("no xi-api-key header")
            detail = {"status": "invalid_api_key", "message": "Invalid API key"}
            exchange.send_json(401, {"detail": detail})
            return
        problems = [f"unknown query parameter {k}" for k in set(exchange.query) - ELEVENLABS_QUERY]
        try:
            ELEVENLABS_BODY.model_validate(body)
        except ValidationError as exc:
            problems.append(f"invalid request: {exc}")
        output_format = exchange.query.get("output_format", "mp3_44100_128")  # the API's default
        text = body.get("text", "") if isinstance(body, dict) else ""
        encoded = encode(text, output_format, ms_per_char=self.ms_per_char)
        if encoded is None:
            problems.append(f"output_format {output_format}: the fake makes pcm_* and ulaw_8000")
        if problems or encoded is None:
            self.violations.extend(problems)
            exchange.send_json(422, {"detail": [{"msg": problem} for problem in problems]})
            return
        fault = (self.faults.pop(0) if self.faults else None) or Fault()
        if fault.status is not None:
            exchange.send_json(fault.status, {"detail": {"status": "error", "message": "failed"}})
            return
        if not self.pause(self.first_byte_latency):
            return
        audio, per_ms = encoded
        stream_audio(self, exchange, audio, per_ms * self.chunk_ms, fault, self.chunk_interval)
