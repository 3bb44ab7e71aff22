"""OpenAI's SIP connector, on loopback, for the fake Realtime server (fake_openai.py):
the calls OpenAI would announce by webhook, its call-control REST endpoints, and the
sideband connections that attach to a call (``?call_id=``).

``POST /v1/realtime/calls/{call_id}/accept`` validates its body as the ``openai``
package's ``CallAcceptParams`` (no key the type does not know, and a session with no
model_extra) and, like OpenAI, answers 200 even to a bad one: the violation is recorded.
A call that is not ringing (unknown, ended) answers 404 as OpenAI does; a sideband to a
call that was not accepted is refused with 404 ``call_id_not_found``.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from openai.types.realtime import RealtimeSessionCreateRequest
from openai.types.realtime.call_accept_params import CallAcceptParams
from openai.types.realtime.call_refer_params import CallReferParams
from openai.types.realtime.call_reject_params import CallRejectParams
from pydantic import TypeAdapter, ValidationError

if TYPE_CHECKING:
    from calls.tests.fake_openai import FakeConnection, FakeRealtimeServer

ACCEPT = TypeAdapter(CallAcceptParams)
ACCEPT_KEYS = CallAcceptParams.__required_keys__ | CallAcceptParams.__optional_keys__
REFER = TypeAdapter(CallReferParams)
REJECT = TypeAdapter(CallRejectParams)
_PATH = re.compile(r"^/v1/realtime/calls/([^/]+)/(accept|reject|refer|hangup)$")


@dataclass
class FakeSipCall:
    call_id: str
    state: str = "ringing"  # ringing, accepted, rejected, referred, ended
    accepted: dict[str, Any] | None = None
    rejected_with: int | None = None
    referred_to: str = ""
    sidebands: list[FakeConnection] = field(default_factory=list)


class FakeSipConnector:
    def __init__(self, server: FakeRealtimeServer) -> None:
        self.server = server
        self.calls: dict[str, FakeSipCall] = {}
        self.requests: list[tuple[str, str, dict[str, Any]]] = []  # (action, call id, body)
        # Whether a REFER takes the call away (its sideband closes), as a trunk that
        # allows transfers does; False: it fails silently, as reported.
        self.refer_closes = True
        self.accept_status = 200
        self._server: asyncio.Server | None = None

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/v1"

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def ring(self, call_id: str) -> FakeSipCall:
        """A call reaches the connector (before its webhook is sent)."""
        call = self.calls[call_id] = FakeSipCall(call_id)
        return call

    async def caller_hangs_up(self, call_id: str) -> None:
        call = self.calls[call_id]
        call.state = "ended"
        await self._close_sidebands(call)

    def of(self, action: str) -> list[tuple[str, dict[str, Any]]]:
        return [(call_id, body) for kind, call_id, body in self.requests if kind == action]

    async def sideband(self, call_id: str, index: int = 0, timeout: float = 5) -> FakeConnection:
        async with asyncio.timeout(timeout):
            while len(self.calls[call_id].sidebands) <= index:
                await asyncio.sleep(0.01)
        return self.calls[call_id].sidebands[index]

    # -- the sideband WebSocket (fake_openai.py asks)

    def sideband_refusal(self, call_id: str) -> dict[str, Any] | None:
        call = self.calls.get(call_id)
        if call is None or call.state != "accepted":
            return {
                "error": {
                    "type": "invalid_request_error",
                    "code": "call_id_not_found",
                    "message": f"Call {call_id} not found.",
                }
            }
        return None

    def sideband_opened(self, connection: FakeConnection) -> None:
        self.calls[connection.sip_call_id].sidebands.append(connection)

    def accepted_session(self, call_id: str) -> dict[str, Any]:
        return dict(self.calls[call_id].accepted or {})

    async def _close_sidebands(self, call: FakeSipCall) -> None:
        for connection in call.sidebands:
            await connection.websocket.close()

    # -- the REST endpoints

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = (await reader.readline()).decode()
            headers: dict[str, str] = {}
            while (line := (await reader.readline()).decode().strip()) != "":
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            raw = await reader.readexactly(int(headers.get("content-length") or 0))
            method, path, _ = request_line.split(" ", 2)
            status, answer = await self._handle(method, path, headers, raw)
            body = json.dumps(answer).encode() if answer is not None else b""
            writer.write(
                f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        finally:
            writer.close()

    async def _handle(
        self, method: str, path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict[str, Any] | None]:
        match = _PATH.match(path.split("?")[0])
        if method != "POST" or match is None:
            return 404, {"error": {"message": "no such endpoint"}}
        if not headers.get("authorization", "").startswith("Bearer "):
            self.server.violations.append(f"no Authorization: Bearer on {path}")
            return 401, {"error": {"message": "no key"}}
        call_id, action = match.groups()
        body = json.loads(raw) if raw else {}
        self.requests.append((action, call_id, body))
        call = self.calls.get(call_id)
        if call is None or call.state in ("ended", "rejected", "referred"):
            return 404, {"error": {"type": "invalid_request_error", "code": "call_id_not_found"}}
        if action == "accept":
            self._check_accept(call_id, body)
            if self.accept_status != 200:
                return self.accept_status, {"error": {"message": "refused"}}
            call.state, call.accepted = "accepted", body
        elif action == "reject":
            self._check(REJECT, "reject", body)
            call.state, call.rejected_with = "rejected", body.get("status_code", 603)
        elif action == "refer":
            self._check(REFER, "refer", body)
            call.referred_to = body.get("target_uri", "")
            if self.refer_closes:
                call.state = "referred"
                await self._close_sidebands(call)
        elif action == "hangup":
            if raw:
                self.server.violations.append("hangup with a body")
            call.state = "ended"
            await self._close_sidebands(call)
        return 200, None

    def _check(self, adapter: TypeAdapter[Any], action: str, body: dict[str, Any]) -> None:
        try:
            adapter.validate_python(body)
        except ValidationError as exc:
            self.server.violations.append(f"invalid {action} body: {exc}")

    def _check_accept(self, call_id: str, body: dict[str, Any]) -> None:
        unknown = set(body) - ACCEPT_KEYS
        if unknown:
            self.server.violations.append(f"accept {call_id}: unknown keys {sorted(unknown)}")
        self._check(ACCEPT, "accept", body)
        try:
            session = RealtimeSessionCreateRequest.model_validate(body)
        except ValidationError as exc:
            self.server.violations.append(f"accept {call_id}: invalid session: {exc}")
            return
        if session.model_extra:
            self.server.violations.append(f"accept {call_id}: extra {sorted(session.model_extra)}")
        audio = body.get("audio") or {}
        for side in ("input", "output"):
            if "format" in (audio.get(side) or {}):
                # Forcing a format on a SIP call distorts or silences it (ref §1.6).
                self.server.violations.append(f"accept {call_id}: audio.{side}.format forced")
