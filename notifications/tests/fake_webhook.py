"""A webhook receiver on loopback that does what the docs tell receivers to do: verify
the signature (with our published ``signature_verify``), then acknowledge.

It answers what the test queues (status, headers) and can hold a request before
answering, to stand for a slow endpoint.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from notifications.webhooks import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    SignatureInvalid,
    signature_verify,
)


@dataclass
class Delivery:
    delivery_id: str
    event: str
    body: dict[str, Any]
    status: int  # what the receiver answered


@dataclass
class FakeWebhookReceiver:
    secret: str
    deliveries: list[Delivery] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # why signature checks failed
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    hold_seconds: float = 0.0

    def __post_init__(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                try:
                    signature_verify(
                        secret=fake.secret, header=self.headers.get(SIGNATURE_HEADER, ""), body=raw
                    )
                except SignatureInvalid as exc:
                    fake.refused.append(str(exc))
                    self._answer(400, {})
                    return
                if fake.hold_seconds:
                    threading.Event().wait(fake.hold_seconds)
                status, headers = fake.answers.pop(0) if fake.answers else (200, {})
                fake.deliveries.append(
                    Delivery(
                        delivery_id=self.headers.get(DELIVERY_HEADER, ""),
                        event=self.headers.get(EVENT_HEADER, ""),
                        body=json.loads(raw),
                        status=status,
                    )
                )
                self._answer(status, headers)

            def _answer(self, status: int, headers: dict[str, str]) -> None:
                data = b'{"received": true}' if status < 300 else b'{"error": "try later"}'
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/voice"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def acknowledged(self) -> list[Delivery]:
        return [delivery for delivery in self.deliveries if 200 <= delivery.status < 300]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
