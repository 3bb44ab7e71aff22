"""A fake of OpenAI's embeddings endpoint (``POST /v1/embeddings``) that can be slow.

It serves from its own thread (``ThreadingHTTPServer``), so a held or slow answer
blocks only the client that waits for it: exactly what a slow provider does to the
product. Vectors are deterministic (the local hashed embedding of each input), so
search results make sense. ``delay`` slows every answer; ``hold`` (an Event, set by
default) keeps query answers back until the test releases it. Used by the call
tests and by ``bench/slow_tool.py``.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from agents.knowledge import local_embedding


@dataclass
class EmbeddingRequest:
    inputs: list[str]
    received_at: float  # time.perf_counter()
    answered_at: float | None = None


@dataclass
class FakeEmbeddingsServer:
    delay: float = 0.0
    hold: threading.Event = field(default_factory=threading.Event)
    requests: list[EmbeddingRequest] = field(default_factory=list)
    url: str = ""
    received: threading.Condition = field(default_factory=threading.Condition)

    def __post_init__(self) -> None:
        self.hold.set()
        self._server: http.server.ThreadingHTTPServer | None = None

    def start(self) -> str:
        """Starts serving on a free loopback port; returns the OPENAI_BASE_URL."""
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
                request = EmbeddingRequest(inputs=inputs, received_at=time.perf_counter())
                with fake.received:
                    fake.requests.append(request)
                    fake.received.notify_all()
                if self.path.rstrip("/") != "/v1/embeddings":
                    self.send_error(404)
                    return
                time.sleep(fake.delay)
                fake.hold.wait(timeout=60)
                payload: dict[str, Any] = {
                    "object": "list",
                    "model": body.get("model", "text-embedding-3-small"),
                    "data": [
                        {
                            "object": "embedding",
                            "index": i,
                            "embedding": local_embedding(t).tolist(),
                        }
                        for i, t in enumerate(inputs)
                    ],
                    "usage": {"prompt_tokens": len(inputs), "total_tokens": len(inputs)},
                }
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                request.answered_at = time.perf_counter()

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        return self.url

    def wait_for_requests(self, count: int, timeout: float = 5) -> EmbeddingRequest:
        """Blocks until ``count`` requests arrived; returns the last (call from a thread)."""
        with self.received:
            if not self.received.wait_for(lambda: len(self.requests) >= count, timeout):
                raise TimeoutError(f"{len(self.requests)} embedding requests, not {count}")
            return self.requests[count - 1]

    def stop(self) -> None:
        self.hold.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
