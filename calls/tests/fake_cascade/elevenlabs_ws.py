"""ElevenLabs' WebSocket input streaming (``/v1/text-to-speech/{voice_id}/stream-input``)
on loopback.

Messages are validated against the ``elevenlabs`` package's types: the first must be an
``InitializeConnection`` (``{"text": " ", ...}``), then ``SendText`` (each chunk ending in
a space, no settings), and ``CloseConnection`` (``{"text": ""}``) last. Text is buffered
as the service does: generated when the buffer reaches the next
``chunk_length_schedule`` step (default 120, 160, 250, 290 characters), on ``flush`` or
``try_trigger_generation``, at each sentence end with ``auto_mode=true``, and on close.
Each generation streams ``{"audio": <b64>, "alignment": ...}`` messages, validated as
``AudioOutput``; after the close, ``{"isFinal": true}`` (``FinalOutput``).
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from elevenlabs.types import (
    AudioOutput,
    CloseConnection,
    FinalOutput,
    InitializeConnection,
    SendText,
)
from pydantic import BaseModel, ValidationError
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from calls.tests.fake_cascade.speech import encode

DEFAULT_SCHEDULE = [120.0, 160.0, 250.0, 290.0]
QUERY = {"model_id", "output_format", "auto_mode", "language_code", "enable_logging"}
QUERY |= {"enable_ssml_parsing", "sync_alignment", "apply_text_normalization"}
QUERY |= {"inactivity_timeout", "seed", "authorization", "optimize_streaming_latency"}
SENTENCE_END = re.compile(r"[.!?]\s*$")


def declared(model: type[BaseModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


def validate(model: type[BaseModel], message: dict[str, Any]) -> list[str]:
    try:
        model.model_validate(message)
    except ValidationError as exc:
        return [f"invalid {model.__name__}: {exc}"]
    return [f"undeclared {model.__name__} field {key}" for key in set(message) - declared(model)]


class StreamInput:
    """One socket: its messages (``received``), audio sent (``audio``) and text spoken."""

    def __init__(self, fake: FakeElevenLabsWS, websocket: ServerConnection) -> None:
        self.fake = fake
        self.websocket = websocket
        path = websocket.request.path if websocket.request else ""
        self.voice_id = urlsplit(path).path.split("/")[-2]
        self.query = {key: values[-1] for key, values in parse_qs(urlsplit(path).query).items()}
        self.received: list[dict[str, Any]] = []
        self.spoken: list[str] = []  # each generation's text
        self.audio = b""
        self.buffer = ""
        self.schedule = DEFAULT_SCHEDULE
        self.first_audio = True

    @property
    def auto_mode(self) -> bool:
        return self.query.get("auto_mode") == "true"

    async def run(self) -> None:
        timeout = float(self.query.get("inactivity_timeout", 20))
        async for message in self._messages(timeout):
            self.received.append(message)
            if len(self.received) == 1:
                self.first(message)
                continue
            if message.get("text") == "":
                self.fake.violations += validate(CloseConnection, message)
                await self.generate()
                await self.send(FinalOutput, {"isFinal": True})
                await self.websocket.close()
                return
            self.fake.violations += validate(SendText, message)
            text = str(message.get("text", ""))
            if text and not text.endswith(" "):
                self.fake.violations.append(f"text chunk {text!r} does not end with a space")
            if {"voice_settings", "generation_config", "generator_config"} & set(message):
                self.fake.violations.append("settings after the first message")
            self.buffer += text
            if message.get("flush") or message.get("try_trigger_generation") or self.due():
                await self.generate()

    async def _messages(self, timeout: float) -> Any:
        while True:
            try:
                frame = await asyncio.wait_for(self.websocket.recv(), timeout)
            except TimeoutError:
                reason = f"Have not received new text for {timeout:g} seconds. Closing."
                await self.websocket.close(1008, reason)
                return
            yield json.loads(frame)

    def first(self, message: dict[str, Any]) -> None:
        self.fake.violations += validate(InitializeConnection, message)
        if message.get("text") != " ":
            self.fake.violations.append('the first message\'s text is not " "')
        schedule = (message.get("generation_config") or {}).get("chunk_length_schedule")
        if schedule:
            self.schedule = [float(step) for step in schedule]
        headers = {k.lower() for k, _ in self.websocket.request.headers.raw_items()}  # type: ignore[union-attr]
        keyed = "xi-api-key" in headers or "xi-api-key" in message or "authorization" in message
        if not keyed and "authorization" not in self.query:
            self.fake.violations.append("no xi-api-key (header or first message)")

    def due(self) -> bool:
        if self.auto_mode:
            return bool(SENTENCE_END.search(self.buffer))
        step = self.schedule[min(len(self.spoken), len(self.schedule) - 1)]
        return len(self.buffer) >= step

    async def generate(self) -> None:
        text, self.buffer = self.buffer.strip(), ""
        if not text:
            return
        output_format = self.query.get("output_format", "mp3_44100_128")
        encoded = encode(text, output_format, ms_per_char=self.fake.ms_per_char)
        if encoded is None:
            self.fake.violations.append(f"output_format {output_format}: the fake makes pcm/ulaw")
            return
        self.spoken.append(text)
        if self.first_audio:
            self.first_audio = False
            await asyncio.sleep(self.fake.first_byte_latency)
        audio, per_ms = encoded
        ms = self.fake.ms_per_char
        for start in range(0, len(text), 4):  # four characters of audio a message
            chars = list(text[start : start + 4])
            end = len(audio) if start + 4 >= len(text) else (start + 4) * ms * per_ms
            piece = audio[start * ms * per_ms : end]
            alignment = {
                "chars": chars,
                "charStartTimesMs": [(start + i) * ms for i in range(len(chars))],
                "charDurationsMs": [ms] * len(chars),
            }
            self.audio += piece
            message: dict[str, Any] = {"audio": base64.b64encode(piece).decode(), "isFinal": None}
            message |= {"normalizedAlignment": alignment, "alignment": alignment}
            await self.send(AudioOutput, message)

    async def send(self, model: type[BaseModel], message: dict[str, Any]) -> None:
        model.model_validate(message)  # what ElevenLabs sends, by its package's types
        await self.websocket.send(json.dumps(message))


class FakeElevenLabsWS:
    """``await start()``; ``url`` is the ``wss`` base (``ws://127.0.0.1:<port>``): connect
    to ``{url}/v1/text-to-speech/{voice_id}/stream-input?model_id=…&output_format=…``.
    Knobs: ``first_byte_latency`` (s before a socket's first audio), ``ms_per_char``."""

    def __init__(self) -> None:
        self.sockets: list[StreamInput] = []
        self.violations: list[str] = []
        self.first_byte_latency = 0.0
        self.ms_per_char = 60
        self._server: Server | None = None
        self.url = ""

    async def start(self) -> str:
        self._server = await serve(self._handle, "127.0.0.1", 0, process_request=self._process)
        self.url = f"ws://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self.url

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _process(self, connection: ServerConnection, request: Any) -> Any:
        parts = urlsplit(request.path)
        if not re.fullmatch(r"/v1/text-to-speech/[^/]+/stream-input", parts.path):
            self.violations.append(f"unexpected path {parts.path}")
            return connection.respond(404, "Not Found")
        unknown = set(parse_qs(parts.query)) - QUERY
        if unknown:
            self.violations.append(f"unknown query parameters {sorted(unknown)}")
        return None

    async def _handle(self, websocket: ServerConnection) -> None:
        socket = StreamInput(self, websocket)
        self.sockets.append(socket)
        try:
            await socket.run()
        except ConnectionClosed:
            pass
