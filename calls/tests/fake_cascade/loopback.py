"""What the HTTP fakes share: a threaded loopback server with routes, chunked streaming,
scripted faults, and request checks against the providers' package types.

The server runs in its own threads, so sync code (a Celery task run eagerly) and async
code (a consumer in the test's event loop) can both call it.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pydantic import TypeAdapter, ValidationError


@dataclass(frozen=True)
class Fault:
    """One request answered badly: an HTTP error ``status`` (with the provider's error
    body), or a stream that stalls (``stall_after``) or breaks (``drop_after``) after that
    many chunks. A stall holds until the test calls ``release_stalls()`` or stops the fake."""

    status: int | None = None
    stall_after: int | None = None
    drop_after: int | None = None


class Exchange:
    """One request and its answer, as the routes see it."""

    def __init__(
        self, handler: BaseHTTPRequestHandler, body: bytes, match: re.Match[str] | None = None
    ) -> None:
        self.handler = handler
        parts = urlsplit(handler.path)
        self.path = parts.path
        self.query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        self.headers = {key.lower(): value for key, value in handler.headers.items()}
        self.body = body
        self.match = match
        self.chunks_sent = 0

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def send_json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.handler.send_response(status)
        self.handler.send_header("Content-Type", "application/json")
        self.handler.send_header("Content-Length", str(len(data)))
        self.handler.end_headers()
        self.handler.wfile.write(data)

    def start_stream(self, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.handler.send_response(200)
        self.handler.send_header("Content-Type", content_type)
        self.handler.send_header("Transfer-Encoding", "chunked")
        for key, value in (headers or {}).items():
            self.handler.send_header(key, value)
        self.handler.end_headers()

    def write(self, data: bytes) -> bool:
        """One HTTP chunk; False when the client has gone (it cancelled)."""
        try:
            self.handler.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.handler.wfile.flush()
        except OSError:
            return False
        self.chunks_sent += 1
        return True

    def end_stream(self) -> None:
        try:
            self.handler.wfile.write(b"0\r\n\r\n")
            self.handler.wfile.flush()
        except OSError:
            pass

    def drop(self) -> None:
        """Breaks the stream as a dropped connection does: no terminating chunk."""
        self.handler.close_connection = True
        self.handler.wfile.flush()
        self.handler.connection.shutdown(2)


Route = Callable[[Exchange], None]


class LoopbackHTTP:
    """An HTTP/1.1 server on 127.0.0.1 (any free port). Subclasses add routes;
    ``mount(other)`` serves another fake's routes on this port too (one base URL for
    OpenAI's chat and speech, as ``OPENAI_BASE_URL`` is one setting)."""

    url_suffix = ""

    def __init__(self) -> None:
        self.violations: list[str] = []
        self.requests: list[Any] = []  # each request's JSON body
        self.http_requests: list[dict[str, Any]] = []  # {"path", "query", "headers", "body"}
        self.routes: list[tuple[str, re.Pattern[str], Route]] = []
        self.stopped = threading.Event()
        self.unstalled = threading.Event()  # set: stalls end
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                fake._serve(self, "POST")

            def do_GET(self) -> None:
                fake._serve(self, "GET")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return self.base + self.url_suffix

    def route(self, method: str, pattern: str, handler: Route) -> None:
        self.routes.append((method, re.compile(pattern), handler))

    def mount(self, other: LoopbackHTTP) -> None:
        self.routes.extend(other.routes)

    def record(self, exchange: Exchange, body: Any) -> None:
        self.requests.append(body)
        self.http_requests.append(
            {
                "path": exchange.path,
                "query": exchange.query,
                "headers": exchange.headers,
                "body": body,
            }
        )

    def pause(self, seconds: float) -> bool:
        """Sleeps (a provider's latency); False if the fake stopped meanwhile."""
        return not self.stopped.wait(seconds) if seconds > 0 else not self.stopped.is_set()

    def stall(self, exchange: Exchange) -> None:
        """Holds the answer (a provider that hangs) until released, then breaks it."""
        self.unstalled.wait(60)
        exchange.drop()

    def release_stalls(self) -> None:
        self.unstalled.set()

    def stop(self) -> None:
        self.stopped.set()
        self.unstalled.set()
        self.server.shutdown()
        self.server.server_close()

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        path = urlsplit(handler.path).path
        for route_method, pattern, route in self.routes:
            match = pattern.fullmatch(path)
            if match and route_method == method:
                route(Exchange(handler, body, match))
                return
        self.violations.append(f"unexpected {method} {path}")
        Exchange(handler, body).send_json(404, {"error": {"message": f"no route {path}"}})


def _materialize(value: Any) -> Any:
    # pydantic validates Iterable[...] lazily: walking it runs the element validators.
    if isinstance(value, dict):
        return {key: _materialize(item) for key, item in value.items()}
    if isinstance(value, (str, bytes)):
        return value
    if isinstance(value, Iterable):
        return [_materialize(item) for item in value]
    return value


def _unknown_keys(sent: Any, kept: Any, path: str = "$") -> list[str]:
    # A TypedDict drops keys it does not declare: what was sent but not kept is unknown.
    found: list[str] = []
    if isinstance(sent, dict) and isinstance(kept, dict):
        for key, item in sent.items():
            if key not in kept:
                found.append(f"{path}.{key}")
            else:
                found += _unknown_keys(item, kept[key], f"{path}.{key}")
    elif isinstance(sent, list) and isinstance(kept, list):
        for index, (a, b) in enumerate(zip(sent, kept, strict=False)):
            found += _unknown_keys(a, b, f"{path}[{index}]")
    return found


def typed_dict_problems(adapter: TypeAdapter[Any], body: Any) -> list[str]:
    """What is wrong with ``body`` by a package's request TypedDict: invalid values and
    keys the package does not declare (which the API answers with a 400)."""
    try:
        kept = _materialize(adapter.validate_python(body))
    except ValidationError as exc:
        return [f"invalid request: {exc}"]
    return [f"unknown parameter {key}" for key in _unknown_keys(body, kept)]
