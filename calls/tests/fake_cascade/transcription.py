"""OpenAI's realtime transcription session (``/v1/realtime?intent=transcription``) on a
loopback WebSocket, with a scripted caller.

Client events are validated against the ``openai`` package's client event union (and
the session must be a ``type: "transcription"`` one with no undeclared fields); every
server event is validated as a ``RealtimeServerEvent`` before it is sent.

The turn model runs on the *audio clock* (milliseconds of audio received, from the
session's format), so it is deterministic however fast the client sends:
``say("Book me for Monday", at_ms=1000)`` makes speech start when 1000 ms have arrived
and end ``speech_ms`` later; ``speech_stopped`` follows after ``stop_delay_ms`` more
audio (the VAD's silence, default the session's ``silence_duration_ms``) or, if the
client stops sending, after as long in wall time. The transcript deltas (word by word;
the whole turn at once for ``whisper-1``) and ``completed`` follow ``speech_stopped`` by
``transcript_latency`` seconds (wall time).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs, urlsplit

from openai.types.realtime import (
    RealtimeClientEvent,
    RealtimeTranscriptionSessionCreateRequest,
    SessionUpdateEvent,
)
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from calls.tests.fake_openai import validate_server_event

CLIENT_EVENTS = TypeAdapter(Annotated[RealtimeClientEvent, Field(discriminator="type")])
BYTES_PER_MS = {"audio/pcm": 48, "audio/pcmu": 8, "audio/pcma": 8}
ALLOWED = {"session.update", "input_audio_buffer.append", "input_audio_buffer.commit"}
ALLOWED |= {"input_audio_buffer.clear"}
CONVERSATION_REFUSAL = (
    "Passing a transcription session update event to a realtime session is not allowed."
)


@dataclass
class Turn:
    """What the caller says. ``fail``: ``"failed"`` sends a transcription ``failed``
    event; ``"error"`` sends an ``error`` and closes the socket; ``"stall"`` sends
    nothing after ``committed`` (a provider that hangs)."""

    text: str
    at_ms: int
    speech_ms: int = 0  # 0: 300 ms a word
    fail: Literal["failed", "error", "stall"] | None = None
    item_id: str = ""
    state: str = "waiting"  # → speaking → ended → stopped

    @property
    def end_ms(self) -> int:
        return self.at_ms + (self.speech_ms or 300 * max(1, len(self.text.split())))


def undeclared(model: BaseModel, path: str = "session") -> list[str]:
    """Fields a package model does not declare (its models accept them silently)."""
    found = [f"{path}.{key}" for key in model.model_extra or {}]
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            found += undeclared(value, f"{path}.{name}")
    return found


class TranscriptionConnection:
    def __init__(self, server: FakeTranscriptionServer, websocket: ServerConnection) -> None:
        self.server = server
        self.websocket = websocket
        self.received: list[dict[str, Any]] = []
        self.session: dict[str, Any] = {"type": "transcription"}
        self.turns = [replace(turn) for turn in server.turns]  # this caller's script
        self.audio_ms = 0.0
        self.previous_item: str | None = None
        self._ids = itertools.count(1)
        self._idle: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids)}"

    async def emit(self, kind: str, **fields: Any) -> None:
        event = {"type": kind, "event_id": self.new_id("event"), **fields}
        validate_server_event(event)
        await self.websocket.send(json.dumps(event))

    @property
    def audio_input(self) -> dict[str, Any]:
        return (self.session.get("audio") or {}).get("input") or {}

    @property
    def stop_delay_ms(self) -> int:
        if self.server.stop_delay_ms is not None:
            return self.server.stop_delay_ms
        return int((self.audio_input.get("turn_detection") or {}).get("silence_duration_ms", 500))

    async def append(self, audio: bytes) -> None:
        kind = (self.audio_input.get("format") or {}).get("type", "audio/pcm")
        self.audio_ms += len(audio) / BYTES_PER_MS[kind]
        await self.advance(idle=False)
        if self._idle is not None:
            self._idle.cancel()
        self._idle = asyncio.create_task(self._when_idle())

    async def _when_idle(self) -> None:
        # The client stopped sending: the VAD hears silence all the same.
        await asyncio.sleep(self.stop_delay_ms / 1000)
        await self.advance(idle=True)

    async def advance(self, *, idle: bool) -> None:
        vad = self.audio_input.get("turn_detection", {"type": "server_vad"}) is not None
        for turn in self.turns:
            if turn.state == "waiting" and self.audio_ms >= turn.at_ms:
                turn.state, turn.item_id = "speaking", self.new_id("item")
                if vad:
                    await self.emit(
                        "input_audio_buffer.speech_started",
                        audio_start_ms=turn.at_ms,
                        item_id=turn.item_id,
                    )
            if turn.state == "speaking" and self.audio_ms >= turn.end_ms:
                turn.state = "ended"
            if vad and turn.state == "ended":
                if idle or self.audio_ms >= turn.end_ms + self.stop_delay_ms:
                    turn.state = "stopped"
                    await self.emit(
                        "input_audio_buffer.speech_stopped",
                        audio_end_ms=turn.end_ms,
                        item_id=turn.item_id,
                    )
                    await self.commit(turn)

    async def commit(self, turn: Turn) -> None:
        await self.emit(
            "input_audio_buffer.committed",
            item_id=turn.item_id,
            previous_item_id=self.previous_item,
        )
        self.previous_item = turn.item_id
        task = asyncio.create_task(self.transcribe(turn))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def manual_commit(self) -> None:
        """``turn_detection: null``: the client commits each turn itself."""
        turn = next((t for t in self.turns if t.state in ("speaking", "ended")), None)
        if turn is None:
            await self.error("input_audio_buffer_commit_empty", "buffer too small")
            return
        turn.state = "stopped"
        await self.commit(turn)

    async def transcribe(self, turn: Turn) -> None:
        model = (self.audio_input.get("transcription") or {}).get("model", "whisper-1")
        words = [turn.text] if model == "whisper-1" else turn.text.split(" ")
        step = self.server.transcript_latency / (len(words) + 1)
        ids = {"item_id": turn.item_id, "content_index": 0}
        if turn.fail == "stall":
            return
        if turn.fail == "error":
            await self.error("server_error", "The server had an error.", "server_error")
            await self.websocket.close(1011, "server error")
            return
        for index, word in enumerate(words):
            await asyncio.sleep(step)
            delta = word if index == 0 or model == "whisper-1" else " " + word
            await self.emit("conversation.item.input_audio_transcription.delta", **ids, delta=delta)
        await asyncio.sleep(step)
        if turn.fail == "failed":
            error = {"type": "transcription_error", "code": "audio_unintelligible"}
            await self.emit(
                "conversation.item.input_audio_transcription.failed",
                **ids,
                error={**error, "message": "Audio unintelligible."},
            )
            return
        seconds = (turn.end_ms - turn.at_ms) / 1000
        usage: dict[str, Any] = {"type": "duration", "seconds": seconds}
        if model != "whisper-1":
            audio, text = int(seconds * 10), len(words)
            usage = {"type": "tokens", "input_tokens": audio, "output_tokens": text}
            usage |= {"total_tokens": audio + text, "input_token_details": {"audio_tokens": audio}}
        await self.emit(
            "conversation.item.input_audio_transcription.completed",
            **ids,
            transcript=turn.text,
            usage=usage,
        )
        self.server.completed.append(turn.text)

    async def error(self, code: str, message: str, kind: str = "invalid_request_error") -> None:
        await self.emit("error", error={"type": kind, "code": code, "message": message})

    def close_tasks(self) -> None:
        for task in [*self._tasks, *([self._idle] if self._idle else [])]:
            task.cancel()


class FakeTranscriptionServer:
    """``await start()``; ``url`` is the transcription socket's URL (with the intent).
    Knobs: ``say()`` (each connection plays the script on its own audio clock),
    ``transcript_latency`` (s from ``speech_stopped`` to
    ``completed``), ``stop_delay_ms`` (None: the session's VAD silence)."""

    def __init__(self) -> None:
        self.connections: list[TranscriptionConnection] = []
        self.violations: list[str] = []
        self.handshakes: list[dict[str, str]] = []
        self.turns: list[Turn] = []
        self.completed: list[str] = []  # transcripts sent
        self.transcript_latency = 0.0
        self.stop_delay_ms: int | None = None
        self._server: Server | None = None
        self.url = ""

    def say(self, text: str, *, at_ms: int, **options: Any) -> None:
        """Scripts a caller's turn on every connection, open or to come."""
        turn = Turn(text, at_ms, **options)
        self.turns.append(turn)
        for connection in self.connections:
            connection.turns.append(replace(turn))

    async def start(self) -> str:
        self._server = await serve(self._handle, "127.0.0.1", 0, process_request=self._process)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/v1/realtime?intent=transcription"
        return self.url

    async def stop(self) -> None:
        for connection in self.connections:
            connection.close_tasks()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def connection(self, index: int = 0, timeout: float = 5) -> TranscriptionConnection:
        async with asyncio.timeout(timeout):
            while len(self.connections) <= index:
                await asyncio.sleep(0.01)
        return self.connections[index]

    async def _process(self, connection: ServerConnection, request: Any) -> Any:
        headers = {k.lower(): v for k, v in request.headers.raw_items()}
        self.handshakes.append({"path": request.path, **headers})
        if "openai-beta" in headers:
            self.violations.append("OpenAI-Beta header sent")
        if not headers.get("authorization", "").startswith("Bearer "):
            self.violations.append("no Authorization: Bearer header")
            body = {"error": {"type": "invalid_request_error", "code": "missing_api_key"}}
            return connection.respond(401, json.dumps(body))
        query = parse_qs(urlsplit(request.path).query)
        if query.get("intent") != ["transcription"]:
            self.violations.append("no intent=transcription in the URL")
        return None

    async def _handle(self, websocket: ServerConnection) -> None:
        connection = TranscriptionConnection(self, websocket)
        self.connections.append(connection)
        query = parse_qs(urlsplit(websocket.request.path if websocket.request else "").query)
        # A model in the URL makes a conversation session, which refuses the update.
        conversation = "model" in query
        if conversation:
            self.violations.append("model in the URL: a conversation session, not transcription")
        session = {"type": "realtime"} if conversation else {"type": "transcription"}
        try:
            await connection.emit("session.created", session=session)
            async for frame in websocket:
                await self._dispatch(connection, frame, conversation)
        except ConnectionClosed:
            pass
        finally:
            connection.close_tasks()

    async def _dispatch(
        self, connection: TranscriptionConnection, frame: str | bytes, conversation: bool
    ) -> None:
        if isinstance(frame, bytes):
            self.violations.append("binary frame sent")
            return
        event = json.loads(frame)
        connection.received.append(event)
        try:
            parsed = CLIENT_EVENTS.validate_python(event)
        except ValidationError as exc:
            self.violations.append(f"invalid client event {event.get('type')}: {exc}")
            await connection.error("invalid_request_error", "invalid event")
            return
        kind = event["type"]
        if kind not in ALLOWED:
            self.violations.append(f"{kind} in a transcription session")
            await connection.error("invalid_request_error", f"{kind} is not supported")
        elif kind == "session.update":
            assert isinstance(parsed, SessionUpdateEvent)  # validated on its "type" above
            if not isinstance(parsed.session, RealtimeTranscriptionSessionCreateRequest):
                self.violations.append("session.update without type transcription")
                return
            if conversation:
                await connection.error("invalid_request_error", CONVERSATION_REFUSAL)
                return
            extra = undeclared(parsed.session)
            if extra:
                self.violations.append(f"undeclared session fields {extra}")
            connection.session = event["session"]
            await connection.emit("session.updated", session=event["session"])
        elif kind == "input_audio_buffer.append":
            try:
                audio = base64.b64decode(event["audio"], validate=True)
            except ValueError:
                self.violations.append("audio is not base64")
                return
            if not audio:
                self.violations.append("empty audio append")
            await connection.append(audio)
        elif kind == "input_audio_buffer.commit":
            if connection.audio_input.get("turn_detection", {"type": "server_vad"}) is not None:
                self.violations.append("manual commit with server VAD on")
            await connection.manual_commit()
