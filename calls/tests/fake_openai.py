"""A protocol-faithful fake of the OpenAI Realtime API (GA), on a real loopback WebSocket.

Every client event is validated against the official ``openai`` package's
``RealtimeClientEvent`` union (discriminated on ``type``); beta traffic (the
``OpenAI-Beta`` header, flat session fields, beta event names) is recorded as a
violation and answered the way the real service does. Every event it emits is
validated as ``RealtimeServerEvent`` first. Tests assert ``violations == []``.

It also plays OpenAI's SIP connector (``fake_sip.py``): the call-control REST endpoints
``POST /v1/realtime/calls/{call_id}/accept|reject|refer|hangup`` (the accept body checked
against the package's ``CallAcceptParams``) on ``api_url``, and sideband connections
(``?call_id=rtc_…``), which carry no audio.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import parse_qs, urlsplit

from openai.types.realtime import RealtimeClientEvent, RealtimeServerEvent, SessionUpdateEvent
from pydantic import Field, TypeAdapter, ValidationError
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from calls.tests.fake_sip import FakeSipConnector

CLIENT_EVENTS = TypeAdapter(Annotated[RealtimeClientEvent, Field(discriminator="type")])
SERVER_EVENTS = TypeAdapter(Annotated[RealtimeServerEvent, Field(discriminator="type")])
BETA_SESSION_FIELDS = {
    "modalities",
    "voice",
    "input_audio_format",
    "output_audio_format",
    "input_audio_transcription",
    "turn_detection",
    "input_audio_noise_reduction",
    "temperature",
    "max_response_output_tokens",
}

Handler = Callable[["FakeConnection", dict[str, Any]], Awaitable[None]]


def validate_server_event(event: dict[str, Any]) -> None:
    """Raises if ``event`` is not a valid GA server event."""
    SERVER_EVENTS.validate_python(event)


def pcm_chunks(count: int, *, chunk_bytes: int = 2400, seed: int = 1) -> list[bytes]:
    """Deterministic, distinct audio chunks (so order and identity can be checked)."""
    return [bytes((seed * 31 + i * 7 + j) % 256 for j in range(chunk_bytes)) for i in range(count)]


class FakeConnection:
    def __init__(self, server: FakeRealtimeServer, websocket: ServerConnection) -> None:
        self.server = server
        self.websocket = websocket
        self.received: list[dict[str, Any]] = []
        self.session: dict[str, Any] = {}
        self.active_response: str | None = None
        self._ids = itertools.count(1)
        self.closed = asyncio.Event()
        # A SIP call's sideband (``?call_id=``): no audio; what plays is told by
        # output_audio_buffer.started/stopped.
        self.sip_call_id = ""

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids)}"

    async def emit(self, kind: str, **fields: Any) -> None:
        event = {"type": kind, "event_id": self.new_id("event"), **fields}
        validate_server_event(event)
        await self.websocket.send(json.dumps(event))

    async def error(
        self, code: str, message: str, error_type: str = "invalid_request_error"
    ) -> None:
        await self.emit("error", error={"type": error_type, "code": code, "message": message})

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [event for event in self.received if event["type"] == kind]

    async def wait_for(self, kind: str, count: int = 1, timeout: float = 5) -> list[dict[str, Any]]:
        async with asyncio.timeout(timeout):
            while len(self.of_type(kind)) < count:
                await asyncio.sleep(0.01)
        return self.of_type(kind)

    # -- scripted responses

    async def start_response(self, metadata: dict[str, Any] | None = None) -> str:
        response_id = self.new_id("resp")
        self.active_response = response_id
        await self.emit(
            "response.created",
            response={
                "id": response_id,
                "object": "realtime.response",
                "status": "in_progress",
                "output": [],
                "metadata": metadata,
            },
        )
        return response_id

    async def finish_response(
        self,
        response_id: str,
        output: list[dict[str, Any]],
        *,
        status: str = "completed",
        usage: dict[str, Any] | None = None,
    ) -> None:
        if self.active_response == response_id:
            self.active_response = None
        response: dict[str, Any] = {
            "id": response_id,
            "object": "realtime.response",
            "status": status,
            "output": output,
            "usage": usage
            or {
                "total_tokens": 30,
                "input_tokens": 20,
                "output_tokens": 10,
                "input_token_details": {
                    "text_tokens": 15,
                    "audio_tokens": 5,
                    "cached_tokens": 4,
                    "cached_tokens_details": {"text_tokens": 4, "audio_tokens": 0},
                },
                "output_token_details": {"text_tokens": 2, "audio_tokens": 8},
            },
        }
        self.server.response_done_at.append(len(self.received))
        await self.emit("response.done", response=response)

    async def speak(
        self,
        text: str,
        chunks: list[bytes],
        *,
        response_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        finish: bool = True,
        pause: float = 0.0,
    ) -> tuple[str, str]:
        response_id = response_id or await self.start_response(metadata)
        item_id = self.new_id("item")
        ids = {
            "response_id": response_id,
            "item_id": item_id,
            "output_index": 0,
            "content_index": 0,
        }
        item = {
            "id": item_id,
            "type": "message",
            "object": "realtime.item",
            "role": "assistant",
            "status": "in_progress",
            "content": [],
        }
        await self.emit(
            "response.output_item.added", response_id=response_id, output_index=0, item=item
        )
        await self.emit(
            "response.content_part.added", **ids, part={"type": "audio", "transcript": ""}
        )
        if self.sip_call_id:
            await self.emit("output_audio_buffer.started", response_id=response_id)
        words = text.split(" ")
        for index, chunk in enumerate(chunks):
            if not self.sip_call_id:  # the audio goes to the carrier, not the sideband
                await self.emit(
                    "response.output_audio.delta", **ids, delta=base64.b64encode(chunk).decode()
                )
            if index < len(words):
                await self.emit(
                    "response.output_audio_transcript.delta", **ids, delta=words[index] + " "
                )
            if pause:
                await asyncio.sleep(pause)
        await self.emit("response.output_audio.done", **ids)
        await self.emit("response.output_audio_transcript.done", **ids, transcript=text)
        final = {
            **item,
            "status": "completed",
            "content": [{"type": "output_audio", "transcript": text}],
        }
        await self.emit(
            "response.output_item.done", response_id=response_id, output_index=0, item=final
        )
        if finish:
            await self.finish_response(response_id, [final])
            if self.sip_call_id:
                await self.emit("output_audio_buffer.stopped", response_id=response_id)
        return response_id, item_id

    async def dtmf(self, key: str) -> None:
        """A key the SIP caller pressed (SIP sidebands only)."""
        await self.emit(
            "input_audio_buffer.dtmf_event_received", event=key, received_at=int(time.time())
        )

    async def call_functions(self, calls: list[tuple[str, dict[str, Any]]]) -> str:
        response_id = await self.start_response()
        output = []
        for index, (name, arguments) in enumerate(calls):
            item_id, call_id = self.new_id("item"), self.new_id("call")
            item = {
                "id": item_id,
                "type": "function_call",
                "object": "realtime.item",
                "status": "in_progress",
                "name": name,
                "call_id": call_id,
                "arguments": "",
            }
            await self.emit(
                "response.output_item.added", response_id=response_id, output_index=index, item=item
            )
            encoded = json.dumps(arguments)
            await self.emit(
                "response.function_call_arguments.done",
                response_id=response_id,
                item_id=item_id,
                output_index=index,
                call_id=call_id,
                name=name,
                arguments=encoded,
            )
            final = {**item, "status": "completed", "arguments": encoded}
            await self.emit(
                "response.output_item.done", response_id=response_id, output_index=index, item=final
            )
            output.append(final)
        await self.finish_response(response_id, output)
        return response_id

    async def caller_turn(self, transcript: str, *, audio_start_ms: int = 0) -> str:
        item_id = self.new_id("item")
        await self.emit(
            "input_audio_buffer.speech_started", audio_start_ms=audio_start_ms, item_id=item_id
        )
        await self.emit(
            "input_audio_buffer.speech_stopped", audio_end_ms=audio_start_ms + 900, item_id=item_id
        )
        await self.emit("input_audio_buffer.committed", item_id=item_id, previous_item_id=None)
        await self.emit(
            "conversation.item.input_audio_transcription.completed",
            item_id=item_id,
            content_index=0,
            transcript=transcript,
            usage={"type": "duration", "seconds": 1},
        )
        return item_id


class FakeRealtimeServer:
    """Start with ``await server.start()``; ``server.url`` is the OPENAI_REALTIME_URL."""

    def __init__(self) -> None:
        self.connections: list[FakeConnection] = []
        self.violations: list[str] = []
        self.handshakes: list[dict[str, str]] = []
        self.response_done_at: list[int] = []
        self.greeting_text = "Hello, this is the front desk."
        self.greeting_chunks = pcm_chunks(6, seed=7)
        self.handshake_delay = 0.0
        # (status, JSON body) to refuse handshakes with, as OpenAI refuses a bad key.
        self.refuse_handshake: tuple[int, dict[str, Any]] | None = None
        self.on_response_create: Handler | None = None
        self.on_session_update: Handler | None = None
        self._server: Server | None = None
        self.url = ""
        self.sip = FakeSipConnector(self)
        self.api_url = ""  # OPENAI_BASE_URL for the SIP call-control endpoints

    async def start(self, port: int = 0) -> str:
        """Listens on ``port`` (any free one by default: a server started earlier in
        another process may need to know it in advance)."""
        self._server = await serve(self._handle, "127.0.0.1", port, process_request=self._process)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/v1/realtime"
        self.api_url = await self.sip.start()
        return self.url

    async def stop(self) -> None:
        await self.sip.stop()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def connection(self, index: int = 0, timeout: float = 5) -> FakeConnection:
        async with asyncio.timeout(timeout):
            while len(self.connections) <= index:
                await asyncio.sleep(0.01)
        return self.connections[index]

    async def _process(self, connection: ServerConnection, request: Any) -> Any:
        headers = {k.lower(): v for k, v in request.headers.raw_items()}
        self.handshakes.append({"path": request.path, **headers})
        if self.handshake_delay:
            await asyncio.sleep(self.handshake_delay)
        if "openai-beta" in headers:
            self.violations.append("OpenAI-Beta header sent")
        if not headers.get("authorization", "").startswith("Bearer "):
            self.violations.append("no Authorization: Bearer header")
        sip_call_id = (parse_qs(urlsplit(request.path).query).get("call_id") or [""])[0]
        if sip_call_id:
            refusal = self.sip.sideband_refusal(sip_call_id)
            if refusal is not None:
                response = connection.respond(404, json.dumps(refusal))
                response.headers["Content-Type"] = "application/json"
                return response
        elif "model=" not in request.path:
            self.violations.append("no model in the URL")
        if self.refuse_handshake is not None:
            status, body = self.refuse_handshake
            response = connection.respond(status, json.dumps(body))
            response.headers["Content-Type"] = "application/json"
            return response
        return None

    async def _handle(self, websocket: ServerConnection) -> None:
        connection = FakeConnection(self, websocket)
        path = websocket.request.path if websocket.request is not None else ""
        connection.sip_call_id = (parse_qs(urlsplit(path).query).get("call_id") or [""])[0]
        self.connections.append(connection)
        if connection.sip_call_id:
            self.sip.sideband_opened(connection)
        try:
            session = {
                "type": "realtime",
                "id": "sess_fake",
                "object": "realtime.session",
                "model": "gpt-realtime",
            }
            if connection.sip_call_id:  # the session the call was accepted with
                connection.session = self.sip.accepted_session(connection.sip_call_id)
                session = {**session, **connection.session}
            await connection.emit("session.created", session=session)
            async for frame in websocket:
                await self._dispatch(connection, frame)
        except ConnectionClosed:
            pass
        finally:
            connection.closed.set()

    async def _dispatch(self, connection: FakeConnection, frame: str | bytes) -> None:
        if isinstance(frame, bytes):
            self.violations.append("binary frame sent upstream")
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
        if kind == "session.update":
            assert isinstance(parsed, SessionUpdateEvent)  # validated on its "type" above
            extra = set((event.get("session") or {}).keys()) & BETA_SESSION_FIELDS
            if extra or parsed.session.model_extra:
                self.violations.append(f"beta-shaped session fields: {sorted(extra)}")
            connection.session = event["session"]
            if self.on_session_update is not None:
                await self.on_session_update(connection, event)
            else:
                await connection.emit("session.updated", session=event["session"])
        elif kind == "response.create":
            if connection.active_response is not None:
                await connection.error(
                    "conversation_already_has_active_response",
                    "Conversation already has an active response in progress.",
                )
                return
            response = event.get("response") or {}
            if (response.get("metadata") or {}).get("purpose") == "greeting":
                await connection.speak(
                    self.greeting_text, self.greeting_chunks, metadata=response["metadata"]
                )
            elif self.on_response_create is not None:
                await self.on_response_create(connection, event)
        elif kind == "response.cancel":
            if connection.active_response is None:
                await connection.error(
                    "response_cancel_not_active", "Cancellation failed: no active response found."
                )
            else:
                await connection.finish_response(connection.active_response, [], status="cancelled")
        elif kind == "output_audio_buffer.clear":
            if not connection.sip_call_id:
                self.violations.append("output_audio_buffer.clear on a WebSocket session")
            await connection.emit("output_audio_buffer.cleared", response_id="")
        elif kind == "conversation.item.truncate":
            await connection.emit(
                "conversation.item.truncated",
                item_id=event["item_id"],
                content_index=0,
                audio_end_ms=event["audio_end_ms"],
            )
