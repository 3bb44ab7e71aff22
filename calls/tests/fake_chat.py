"""OpenAI's Chat Completions endpoint on loopback, for the call summary.

Checks every request against the `openai` package's parameter types (and that it asks
for our strict JSON schema), answers with completions validated by the package's own
response types, and can hold requests (``hold``) to stand for a slow model, or a worker
killed while waiting for it.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from openai.types.chat import ChatCompletion
from openai.types.chat.completion_create_params import CompletionCreateParamsBase

from calls.summary import SCHEMA
from calls.tests.fake_cascade.loopback import Exchange, LoopbackHTTP

MODEL_ANSWER = {
    "summary": "Ada Lovelace asked for a consultation and left her email.",
    "caller_intent": "Book a consultation",
    "outcome": "contact_captured",
    "follow_up_actions": ["Call Ada back to confirm a time."],
    "sentiment": "positive",
    "language": "en",
}


class FakeChatCompletions(LoopbackHTTP):
    """OpenAI's Chat Completions endpoint on loopback: checks each request against the
    `openai` package's parameter types and answers what the test queues.
    (``fake_cascade.chat.FakeChat`` adds streamed replies with tools, for the cascade.)"""

    url_suffix = "/v1"

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[tuple[int, dict[str, Any]]] = []
        self.received = threading.Event()  # set at each request
        self.hold = threading.Event()  # requests wait while it is clear...
        self.hold.set()  # ...and it starts set: no waiting
        self.delay_seconds = 0.0
        self.route("POST", "/v1/chat/completions", self.chat)

    def chat(self, exchange: Exchange) -> None:
        body = exchange.json()
        self.record(exchange, body)
        self.check(exchange.path, exchange.headers.get("authorization", ""), body)
        self.received.set()
        self.hold.wait(timeout=60)
        if self.delay_seconds:
            threading.Event().wait(self.delay_seconds)
        status, answer = self.answers.pop(0) if self.answers else (200, self.completion())
        exchange.send_json(status, answer)

    def check(self, path: str, authorization: str, body: dict[str, Any]) -> None:
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
