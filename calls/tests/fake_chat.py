"""OpenAI's Chat Completions endpoint on loopback, for the call summary.

Checks every request against the `openai` package's parameter types (and that it asks
for our strict JSON schema), answers with completions validated by the package's own
response types, and can hold requests (``hold``) to stand for a slow model, or a worker
killed while waiting for it.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from openai.types.chat import ChatCompletion
from openai.types.chat.completion_create_params import CompletionCreateParamsBase

from calls.summary import SCHEMA

MODEL_ANSWER = {
    "summary": "Ada Lovelace asked for a consultation and left her email.",
    "caller_intent": "Book a consultation",
    "outcome": "contact_captured",
    "follow_up_actions": ["Call Ada back to confirm a time."],
    "sentiment": "positive",
    "language": "en",
}


class FakeChatCompletions:
    """OpenAI's Chat Completions endpoint on loopback: checks each request against the
    `openai` package's parameter types and answers what the test queues."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.violations: list[str] = []
        self.answers: list[tuple[int, dict[str, Any]]] = []
        self.received = threading.Event()  # set at each request
        self.hold = threading.Event()  # requests wait while it is clear...
        self.hold.set()  # ...and it starts set: no waiting
        self.delay_seconds = 0.0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.check(self.path, self.headers.get("Authorization", ""), body)
                fake.received.set()
                fake.hold.wait(timeout=60)
                if fake.delay_seconds:
                    threading.Event().wait(fake.delay_seconds)
                status, answer = fake.answers.pop(0) if fake.answers else (200, fake.completion())
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def check(self, path: str, authorization: str, body: dict[str, Any]) -> None:
        self.requests.append(body)
        if path != "/v1/chat/completions":
            self.violations.append(f"unexpected path {path}")
        if not authorization.startswith("Bearer "):
            self.violations.append("no bearer token")
        unknown = set(body) - set(CompletionCreateParamsBase.__annotations__)
        if unknown:
            self.violations.append(f"unknown parameters {unknown}")
        if not body.get("model"):
            self.violations.append("no model")
        response_format = body.get("response_format") or {}
        schema = (response_format.get("json_schema") or {}).get("schema")
        if response_format.get("type") != "json_schema" or schema != SCHEMA:
            self.violations.append("no JSON-schema response format")
        if not (response_format.get("json_schema") or {}).get("strict"):
            self.violations.append("the schema is not strict")

    @staticmethod
    def completion(answer: dict[str, Any] | None = None) -> dict[str, Any]:
        completion = {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": 1_764_000_000,
            "model": "gpt-4o-mini-2024-07-18",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": json.dumps(answer or MODEL_ANSWER)},
                }
            ],
            "usage": {"prompt_tokens": 1000, "completion_tokens": 200, "total_tokens": 1200},
        }
        ChatCompletion.model_validate(completion)  # what OpenAI sends, by its own types
        return completion

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
