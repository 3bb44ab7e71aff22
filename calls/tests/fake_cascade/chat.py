"""Streamed Chat Completions (SSE) with tool calls, on the summary's fake.

``FakeChat`` is ``FakeChatCompletions`` (which answers the post-call summary's
non-streamed requests) plus ``stream: true`` requests, which it checks against the
package's ``CompletionCreateParamsStreaming`` and answers with scripted ``Reply``s:
text token by token, tool calls fragmented as the API sends them, then the usage chunk.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openai.types.chat import ChatCompletionChunk
from openai.types.chat.completion_create_params import CompletionCreateParamsStreaming
from pydantic import TypeAdapter

from calls.tests.fake_cascade.loopback import Exchange, Fault, typed_dict_problems
from calls.tests.fake_chat import FakeChatCompletions

STREAMING_PARAMS: TypeAdapter[Any] = TypeAdapter(CompletionCreateParamsStreaming)
# Where argument strings are cut, cycling: arbitrary points, but the same in every run.
ARGUMENT_PIECES = (1, 4, 2, 7, 3, 5)


@dataclass
class ToolCall:
    name: str
    arguments: dict[str, Any] | str  # a string is sent as is (e.g. invalid JSON)
    id: str = ""  # "call_<n>" when empty


@dataclass
class Reply:
    """One streamed answer: ``text`` (may come before tool calls, as models do), then
    ``tool_calls`` (several: parallel calls), and a ``fault`` if the stream goes wrong."""

    text: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    fault: Fault | None = None


def tokens(text: str) -> list[str]:
    """Words and punctuation with their leading space, about as a tokenizer cuts them."""
    return re.findall(r"\s*\w+|\s*[^\w\s]+|\s+$", text)


def argument_pieces(arguments: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for size in itertools.cycle(ARGUMENT_PIECES):
        if start >= len(arguments):
            return pieces
        pieces.append(arguments[start : start + size])
        start += size
    return pieces


def message_problems(messages: list[dict[str, Any]]) -> list[str]:
    """The ordering rules the API enforces with a 400: each tool result answers a
    preceding assistant tool call, and each tool call gets its result."""
    problems, pending = [], set[str]()
    for message in messages:
        role = message.get("role")
        if role == "tool":
            if message.get("tool_call_id") not in pending:
                problems.append(f"tool result {message.get('tool_call_id')} answers no tool call")
            pending.discard(message.get("tool_call_id", ""))
            continue
        if pending:
            problems.append(f"tool calls {sorted(pending)} have no tool result")
            pending = set()
        if role == "assistant":
            pending = {call["id"] for call in message.get("tool_calls") or []}
    if pending:
        problems.append(f"tool calls {sorted(pending)} have no tool result")
    return problems


class FakeChat(FakeChatCompletions):
    """``url`` is OPENAI_BASE_URL. Knobs: ``first_token_latency`` (seconds from request
    to the first content or tool-call chunk), ``tokens_per_second`` (0: no pacing),
    ``replies`` (a queue) or ``script(body) -> Reply``; default reply "Sure." """

    def __init__(self) -> None:
        super().__init__()
        self.first_token_latency = 0.0
        self.tokens_per_second = 0.0
        self.replies: list[Reply] = []
        self.script: Callable[[dict[str, Any]], Reply] | None = None
        self.streamed: list[dict[str, Any]] = []  # the streamed requests' bodies
        self._ids = itertools.count(1)

    def chat(self, exchange: Exchange) -> None:
        body = exchange.json()
        if not (isinstance(body, dict) and body.get("stream")):
            super().chat(exchange)  # the summary's request
            return
        self.record(exchange, body)
        self.streamed.append(body)
        problems = self.check_streaming(exchange, body)
        self.received.set()
        if problems:
            self.violations.extend(problems)
            exchange.send_json(400, error_body("; ".join(problems), "invalid_request_error"))
            return
        reply = self.next_reply(body)
        fault = reply.fault or Fault()
        if fault.status is not None:
            exchange.send_json(fault.status, error_body("The server had an error.", "server_error"))
            return
        self.stream(exchange, body, reply, fault)

    def check_streaming(self, exchange: Exchange, body: dict[str, Any]) -> list[str]:
        problems = typed_dict_problems(STREAMING_PARAMS, body)
        if not exchange.headers.get("authorization", "").startswith("Bearer "):
            problems.append("no bearer token")
        if not (body.get("stream_options") or {}).get("include_usage"):
            problems.append("no stream_options.include_usage: the usage would not be sent")
        messages = body.get("messages")
        if isinstance(messages, list) and all(isinstance(m, dict) for m in messages):
            problems += message_problems(messages)
        return problems

    def next_reply(self, body: dict[str, Any]) -> Reply:
        if self.replies:
            return self.replies.pop(0)
        if self.script is not None:
            return self.script(body)
        return Reply(text="Sure.")

    def stream(self, exchange: Exchange, body: dict[str, Any], reply: Reply, fault: Fault) -> None:
        completion_id = f"chatcmpl-fake{next(self._ids)}"
        model = str(body.get("model"))

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
            return envelope(completion_id, model, [choice])

        pieces: list[dict[str, Any]] = [
            chunk({"role": "assistant", "content": "", "refusal": None})
        ]
        pieces += [chunk({"content": token}) for token in tokens(reply.text)]
        for index, call in enumerate(reply.tool_calls):
            arguments = (
                call.arguments if isinstance(call.arguments, str) else json.dumps(call.arguments)
            )
            first = {"index": index, "id": call.id or f"call_{next(self._ids)}", "type": "function"}
            first["function"] = {"name": call.name, "arguments": ""}
            pieces.append(chunk({"tool_calls": [first]}))
            pieces += [
                chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
                for piece in argument_pieces(arguments)
            ]
        pieces.append(chunk({}, "tool_calls" if reply.tool_calls else "stop"))
        prompt = sum(len(json.dumps(m)) for m in body.get("messages") or []) // 4
        completion = len(pieces) - 2
        usage = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
        }
        pieces.append({**envelope(completion_id, model, []), "usage": usage})

        exchange.start_stream("text/event-stream; charset=utf-8")
        if not self.pause(self.first_token_latency):
            return
        for index, piece in enumerate(pieces):
            if fault.stall_after is not None and index >= fault.stall_after:
                self.stall(exchange)
                return
            if fault.drop_after is not None and index >= fault.drop_after:
                exchange.drop()
                return
            ChatCompletionChunk.model_validate(piece)  # what OpenAI sends, by its own types
            if not exchange.write(f"data: {json.dumps(piece)}\n\n".encode()):
                return  # the client cancelled (barge-in)
            if 1 <= index < len(pieces) - 3 and self.tokens_per_second:
                if not self.pause(1 / self.tokens_per_second):
                    return
        exchange.write(b"data: [DONE]\n\n")
        exchange.end_stream()


def envelope(completion_id: str, model: str, choices: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": 1_764_000_000,
        "model": model,
        "system_fingerprint": "fp_fake",
        "service_tier": "default",
        "choices": choices,
        "usage": None,
    }


def error_body(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}
