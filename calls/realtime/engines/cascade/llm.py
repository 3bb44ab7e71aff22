"""The cascade's language model stage: a streaming chat with tools.

``ChatStage`` is the interface (one reply, streamed as ``TextDelta``s, then the tool calls
it made, then its usage); ``OpenAIChat`` implements it with the ``openai`` package's
Chat Completions streaming (``OPENAI_BASE_URL``, a model per agent, a timeout for the
first token and between tokens). Tool-call arguments arrive in fragments split anywhere:
they are joined per index and parsed only once the reply says it is done
(``finish_reason == "tool_calls"``), never from a partial fragment.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from openai import AsyncOpenAI


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class ToolCall:
    call_id: str
    name: str
    arguments: str  # JSON text, complete


@dataclass(frozen=True)
class ReplyDone:
    tool_calls: tuple[ToolCall, ...]
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0


ChatEvent = TextDelta | ReplyDone


class ChatStageError(Exception):
    """The model could not be reached, refused, or stopped answering."""


class ChatStage(Protocol):
    def reply(
        self, *, messages: list[dict[str, Any]], tools: list[dict[str, Any]]
    ) -> AsyncIterator[ChatEvent]:
        """One reply: text as it comes, then ``ReplyDone`` (its tool calls and usage)."""
        ...


@dataclass
class _PendingCall:
    call_id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


def chat_tools(session_tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The session's tool declarations (Realtime's flat shape) as Chat Completions tools."""
    return [
        {
            "type": "function",
            "function": {
                "name": tool["name"],
                "description": tool.get("description", ""),
                "parameters": tool.get("parameters") or {"type": "object", "properties": {}},
            },
        }
        for tool in session_tools
        if tool.get("type") == "function" and tool.get("name")
    ]


class OpenAIChat:
    def __init__(
        self,
        *,
        client: AsyncOpenAI,
        model: str,
        first_token_timeout: float = 10.0,
        token_timeout: float = 10.0,
    ) -> None:
        self._client = client
        self._model = model
        self._first_token_timeout = first_token_timeout
        self._token_timeout = token_timeout

    async def reply(
        self, *, messages: list[dict[str, Any]], tools: list[dict[str, Any]]
    ) -> AsyncIterator[ChatEvent]:
        request: dict[str, Any] = {
            "model": self._model,
            "messages": messages,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if tools:
            request["tools"] = tools
            request["parallel_tool_calls"] = True
        try:
            stream = await asyncio.wait_for(
                self._client.chat.completions.create(**request), self._first_token_timeout
            )
        except TimeoutError:
            raise ChatStageError("the model did not answer in time") from None
        except Exception as exc:
            raise ChatStageError(f"the model could not be reached ({type(exc).__name__})") from exc
        calls: dict[int, _PendingCall] = {}
        usage: Any = None
        chunks = stream.__aiter__()
        timeout = self._first_token_timeout
        try:
            while True:
                try:
                    # A timeout scope in this task, not wait_for's inner task: a
                    # cancellation (barge-in) reaches the stream directly.
                    async with asyncio.timeout(timeout):
                        chunk = await anext(chunks)
                except StopAsyncIteration:
                    break
                except TimeoutError:
                    raise ChatStageError("the model stopped answering") from None
                timeout = self._token_timeout
                if chunk.usage is not None:
                    usage = chunk.usage
                for choice in chunk.choices:
                    delta = choice.delta
                    if delta.content:
                        yield TextDelta(delta.content)
                    for fragment in delta.tool_calls or []:
                        pending = calls.setdefault(fragment.index, _PendingCall())
                        if fragment.id:
                            pending.call_id = fragment.id
                        if fragment.function is not None:
                            if fragment.function.name:
                                pending.name = fragment.function.name
                            if fragment.function.arguments:
                                pending.arguments.append(fragment.function.arguments)
        except ChatStageError:
            raise
        except Exception as exc:
            raise ChatStageError(f"the model's stream broke ({type(exc).__name__})") from exc
        finally:
            await stream.close()
        done_calls = tuple(
            ToolCall(call.call_id, call.name, "".join(call.arguments) or "{}")
            for _, call in sorted(calls.items())
            if call.name
        )
        details = getattr(usage, "prompt_tokens_details", None)
        yield ReplyDone(
            tool_calls=done_calls,
            input_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            output_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
            cached_tokens=int(getattr(details, "cached_tokens", 0) or 0),
        )


def arguments_valid(call: ToolCall) -> bool:
    """Whether a finished call's arguments are a JSON object (the session reports a
    call whose arguments are not, as it does for the realtime engine)."""
    try:
        return isinstance(json.loads(call.arguments), dict)
    except ValueError:
        return False
