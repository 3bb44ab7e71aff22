"""A loopback stand-in for a phone provider's REST API (Twilio, Plivo), for call control.

It records every request (method, path, HTTP basic credentials, form or JSON body) and
answers what the test arranged for the path (by default the provider's success). The
tests compare what we sent with what the provider's own SDK sends for the same
operation (``twilio_sdk_request``, ``plivo_sdk_request``): the SDKs are the reference
for the wire format.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class RecordedRequest:
    method: str
    path: str
    user: str
    password: str
    form: dict[str, str] = field(default_factory=dict)
    json: dict[str, Any] = field(default_factory=dict)
    # Every value of each form key (a repeated key, e.g. Twilio's StatusCallbackEvent).
    form_lists: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    delay: float = 0.0  # seconds before answering (a provider that hangs)


class FakeProviderRest:
    """A threaded HTTP server on 127.0.0.1; ``url`` is its base."""

    def __init__(
        self, default: Answer, responder: Callable[[RecordedRequest], Answer] | None = None
    ) -> None:
        self.default = default
        # Answers computed per request (e.g. a new call id for each call placed).
        self.responder = responder
        self.answers: dict[str, Answer] = {}
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._received = threading.Condition(self._lock)
        self._release = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                user, password = _basic(self.headers.get("Authorization", ""))
                request = RecordedRequest(
                    method=self.command, path=urlsplit(self.path).path, user=user, password=password
                )
                content_type = self.headers.get("Content-Type", "")
                if raw and "json" in content_type:
                    request.json = json.loads(raw)
                elif raw:
                    request.form_lists = parse_qs(raw.decode())
                    request.form = {k: v[-1] for k, v in request.form_lists.items()}
                answer = fake.answers.get(request.path) or (
                    fake.responder(request) if fake.responder is not None else fake.default
                )
                with fake._received:
                    fake.requests.append(request)
                    fake._received.notify_all()
                if answer.delay:
                    fake._release.wait(answer.delay)
                body = json.dumps(answer.body).encode() if answer.status != 204 else b""
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up (a timeout test)

            do_GET = do_POST = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakeProviderRest:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()

    def wait(self, count: int = 1, timeout: float = 5.0) -> list[RecordedRequest]:
        with self._received:
            self._received.wait_for(lambda: len(self.requests) >= count, timeout)
            return list(self.requests)


def _basic(header: str) -> tuple[str, str]:
    if not header.startswith("Basic "):
        return "", ""
    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    return user, password


# -- what the providers' own SDKs send


def twilio_sdk_request(account_sid: str, token: str, call_sid: str, **update: Any) -> Any:
    """The request twilio-python sends for ``client.calls(call_sid).update(**update)``:
    (method, URL path, form data)."""
    from twilio.http import HttpClient
    from twilio.http.response import Response
    from twilio.rest import Client

    captured: list[tuple[str, str, dict[str, str]]] = []

    class Capture(HttpClient):
        def request(
            self,
            method: str,
            url: str,
            params: Any = None,
            data: Any = None,
            headers: Any = None,
            auth: Any = None,
            timeout: Any = None,
            allow_redirects: bool = False,
        ) -> Response:
            captured.append(
                (method, urlsplit(url).path, {k: str(v) for k, v in dict(data or {}).items()})
            )
            return Response(200, json.dumps({"sid": call_sid, "account_sid": account_sid}))

    capture = Capture(logging.getLogger("twilio.capture"), False)
    Client(account_sid, token, http_client=capture).calls(call_sid).update(**update)
    return captured[0]


def twilio_sdk_create(account_sid: str, token: str, **create: Any) -> Any:
    """The request twilio-python sends for ``client.calls.create(**create)``: (method,
    URL path, every value of each form key)."""
    from twilio.http import HttpClient
    from twilio.http.response import Response
    from twilio.rest import Client

    captured: list[tuple[str, str, dict[str, list[str]]]] = []

    class Capture(HttpClient):
        def request(
            self,
            method: str,
            url: str,
            params: Any = None,
            data: Any = None,
            headers: Any = None,
            auth: Any = None,
            timeout: Any = None,
            allow_redirects: bool = False,
        ) -> Response:
            form: dict[str, list[str]] = {}
            for key, value in dict(data or {}).items():
                form[key] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
            captured.append((method, urlsplit(url).path, form))
            return Response(201, json.dumps({"sid": "CA00000001", "account_sid": account_sid}))

    capture = Capture(logging.getLogger("twilio.capture"), False)
    Client(account_sid, token, http_client=capture).calls.create(**create)
    return captured[0]


def plivo_sdk_requests(
    auth_id: str, token: str, operation: str, *args: Any, **kwargs: Any
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """The requests plivo-python sends for ``client.calls.<operation>(*args, **kwargs)``:
    (method, URL path, JSON body)."""
    import plivo
    import requests
    from requests.adapters import BaseAdapter

    captured: list[tuple[str, str, dict[str, Any]]] = []

    class Capture(BaseAdapter):
        def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
            body = json.loads(request.body) if request.body else {}
            captured.append((request.method, urlsplit(request.url).path, body))
            response = requests.Response()
            response.status_code = 204 if request.method == "DELETE" else 202
            response._content = (
                b""
                if request.method == "DELETE"
                else b'{"message": "call transferred", "api_id": "x"}'
            )
            response.headers["Content-Type"] = "application/json"
            response.request = request
            return response

        def close(self) -> None:
            return

    client = plivo.RestClient(auth_id, token)
    client.session.mount("https://", Capture())
    getattr(client.calls, operation)(*args, **kwargs)
    return iter(captured)
