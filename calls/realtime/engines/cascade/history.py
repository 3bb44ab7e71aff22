"""The cascade's conversation: what the LLM is given on each turn, built from the GA
events the session sends (``session.update`` instructions, ``conversation.item.create``
messages and tool results, ``conversation.item.truncate`` after a barge-in) and from the
replies the cascade itself spoke.

An assistant reply is kept as the chunks it was spoken in, each with where its audio
starts and ends in the item. A truncation at ``audio_end_ms`` keeps the chunks heard in
full and, of the chunk playing, the words in proportion to the part heard (cut at a word
boundary): the model's memory is what the caller heard, as with the realtime engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class SpokenChunk:
    text: str
    start_ms: int
    end_ms: int


@dataclass
class AssistantReply:
    item_id: str
    chunks: list[SpokenChunk] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)  # chat-completions shape

    @property
    def text(self) -> str:
        return " ".join(chunk.text.strip() for chunk in self.chunks if chunk.text.strip())

    def spoken(self, text: str, duration_ms: int) -> None:
        start = self.chunks[-1].end_ms if self.chunks else 0
        self.chunks.append(SpokenChunk(text, start, start + max(0, duration_ms)))

    def truncate(self, heard_ms: int) -> None:
        kept: list[SpokenChunk] = []
        for chunk in self.chunks:
            if chunk.end_ms <= heard_ms:
                kept.append(chunk)
                continue
            if chunk.start_ms < heard_ms:
                share = (heard_ms - chunk.start_ms) / max(1, chunk.end_ms - chunk.start_ms)
                words = chunk.text.split()
                heard_words = words[: int(len(words) * share)]
                if heard_words:
                    kept.append(SpokenChunk(" ".join(heard_words), chunk.start_ms, heard_ms))
            break
        self.chunks = kept


@dataclass
class _Message:
    role: str  # system / user / assistant / tool
    content: str = ""
    item_id: str = ""
    reply: AssistantReply | None = None
    tool_call_id: str = ""


class Conversation:
    """The messages of one call, in order (see the module's docstring)."""

    def __init__(self) -> None:
        self.instructions = ""
        self._messages: list[_Message] = []
        self._replies: dict[str, AssistantReply] = {}

    # -- from the session's events

    def client_item(self, item: dict[str, Any]) -> None:
        """A ``conversation.item.create``'s item: a message (user or system text) or a
        tool's result (``function_call_output``)."""
        kind = item.get("type")
        if kind == "function_call_output":
            self._messages.append(
                _Message(
                    role="tool",
                    content=str(item.get("output") or ""),
                    tool_call_id=str(item.get("call_id") or ""),
                )
            )
            return
        if kind != "message":
            return
        role = item.get("role")
        if role not in ("user", "system", "assistant"):
            return
        text = " ".join(
            str(part.get("text") or part.get("transcript") or "")
            for part in item.get("content") or []
            if isinstance(part, dict)
        ).strip()
        if role == "assistant":
            reply = AssistantReply(item_id=str(item.get("id") or ""))
            reply.spoken(text, 0)
            self.add_reply(reply)
            return
        self._messages.append(_Message(role=role, content=text, item_id=str(item.get("id") or "")))

    def user_said(self, item_id: str, text: str) -> None:
        """A caller's turn, transcribed."""
        self._messages.append(_Message(role="user", content=text, item_id=item_id))

    def reply_started(self, item_id: str) -> AssistantReply:
        reply = AssistantReply(item_id=item_id)
        self.add_reply(reply)
        return reply

    def truncate(self, item_id: str, audio_end_ms: int) -> bool:
        """Keeps only what the caller heard of an assistant reply; False for an unknown
        item."""
        reply = self._replies.get(item_id)
        if reply is None:
            return False
        reply.truncate(audio_end_ms)
        return True

    def add_reply(self, reply: AssistantReply) -> None:
        self._replies[reply.item_id] = reply
        self._messages.append(_Message(role="assistant", item_id=reply.item_id, reply=reply))

    # -- for the LLM

    def messages(self) -> list[dict[str, Any]]:
        """Chat Completions messages: the instructions first, then the conversation. A
        reply cut before any word was heard, with no tool call, is left out.

        What was said while tool calls awaited their results (a filler phrase, the
        caller) comes after those results: the API wants each assistant message with
        ``tool_calls`` followed by its tool messages, and refuses anything between."""
        out: list[dict[str, Any]] = []
        if self.instructions:
            out.append({"role": "system", "content": self.instructions})
        pending: set[str] = set()  # tool calls still without their result
        deferred: list[dict[str, Any]] = []
        for message in self._messages:
            entry = _entry(message)
            if entry is None:
                continue
            if entry["role"] == "tool":
                out.append(entry)
                pending.discard(entry["tool_call_id"])
                if not pending and deferred:
                    pending = _calls_of(deferred)
                    out += deferred
                    deferred = []
            elif pending:
                deferred.append(entry)
            else:
                out.append(entry)
                pending = _calls_of([entry])
        return out + deferred


def _entry(message: _Message) -> dict[str, Any] | None:
    if message.reply is not None:
        text, calls = message.reply.text, message.reply.tool_calls
        if not text and not calls:
            return None
        entry: dict[str, Any] = {"role": "assistant", "content": text or None}
        if calls:
            entry["tool_calls"] = calls
        return entry
    if message.role == "tool":
        return {"role": "tool", "tool_call_id": message.tool_call_id, "content": message.content}
    if message.content:
        return {"role": message.role, "content": message.content}
    return None


def _calls_of(entries: list[dict[str, Any]]) -> set[str]:
    """The tool calls the last of ``entries`` makes (none: an empty set)."""
    return {str(call["id"]) for call in entries[-1].get("tool_calls") or []}
