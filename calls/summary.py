"""The summary and outcome of a finished call.

With an OpenAI key, one Chat Completions request with a strict JSON-schema output; with
none (or when the model keeps failing), a deterministic summary extracted from the
transcript, the tool invocations and the captured details. Both give the same fields.
No Django here: ``calls.services.call_summary_make`` reads the call and stores the result.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openai import OpenAI

EXTRACTIVE_MODEL = "extractive"
OUTCOMES = (
    "contact_captured",
    "appointment_booked",
    "question_answered",
    "transferred",
    "no_action",
    "abandoned",
)
SENTIMENTS = ("positive", "neutral", "negative")
# Tokens of transcript sent to the model; longer calls lose their middle, never fail.
DEFAULT_INPUT_TOKENS = 6000
SUMMARY_TIMEOUT_SECONDS = 30.0
LINE_CHARS = 2000

if TYPE_CHECKING:
    from openai import OpenAI

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "summary": {
            "type": "string",
            "description": "Two to four sentences for the business: who called, what they "
            "wanted, what was done.",
        },
        "caller_intent": {"type": "string", "description": "What the caller wanted, briefly."},
        "outcome": {"type": "string", "enum": list(OUTCOMES)},
        "follow_up_actions": {
            "type": "array",
            "items": {"type": "string"},
            "description": "What the business should do next; empty when nothing.",
        },
        "sentiment": {"type": "string", "enum": list(SENTIMENTS)},
        "language": {"type": "string", "description": "The call's language (ISO 639-1)."},
    },
    "required": [
        "summary",
        "caller_intent",
        "outcome",
        "follow_up_actions",
        "sentiment",
        "language",
    ],
    "additionalProperties": False,
}

INSTRUCTIONS = (
    "You summarise phone and web calls between a business's voice agent and a caller, for "
    "the business. Use only what the transcript and the tool results show; never invent "
    "details. The outcome is the most important thing the call achieved: "
    "appointment_booked (a booking succeeded), contact_captured (the caller's contact "
    "details were saved or captured), question_answered (the caller's question was "
    "answered), transferred (handed to a person), no_action (the caller was helped with "
    "nothing that fits the others), abandoned (the caller left before anything useful)."
)


class SummaryUnavailable(Exception):
    """The model could not be asked or answered badly; worth another try."""


@dataclass(frozen=True)
class Tool:
    name: str
    ok: bool
    arguments: Mapping[str, Any] = field(default_factory=dict)
    result: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CallRecord:
    """What a summary is made from."""

    # (role, text) in the order they happened: "user", "assistant", or "tool" for a tool
    # invocation described in a line.
    turns: tuple[tuple[str, str], ...]
    tools: tuple[Tool, ...] = ()
    user_info: Mapping[str, Any] = field(default_factory=dict)
    end_reason: str = ""
    duration_seconds: int = 0
    agent_name: str = ""
    language: str = "en"


@dataclass(frozen=True)
class Summary:
    summary: str
    outcome: str
    data: dict[str, Any]
    model: str
    cost_usd: float = 0.0


# -- the transcript as the model reads it


def transcript_text(record: CallRecord, *, max_tokens: int = DEFAULT_INPUT_TOKENS) -> str:
    """The conversation as lines; past ``max_tokens`` the middle is left out (the start
    says why the caller called, the end what was agreed)."""
    names = {"user": "Caller", "assistant": "Agent", "tool": "Tool"}
    lines = [f"{names.get(role, role)}: {text[:LINE_CHARS]}" for role, text in record.turns if text]
    if sum(_tokens(line) for line in lines) <= max_tokens:
        return "\n".join(lines)
    head: list[str] = []
    used = 0
    for line in lines:
        if used + _tokens(line) > max_tokens // 2:
            break
        head.append(line)
        used += _tokens(line)
    tail: list[str] = []
    for line in reversed(lines[len(head) :]):
        if used + _tokens(line) > max_tokens:
            break
        tail.append(line)
        used += _tokens(line)
    omitted = len(lines) - len(head) - len(tail)
    return "\n".join([*head, f"[… {omitted} lines left out …]", *reversed(tail)])


def _tokens(text: str) -> int:
    """About 0.75 words per token, and at least one token per 4 characters."""
    return max(1, round(len(text.split()) / 0.75), len(text) // 4)


# -- without a model


def decided_outcome(record: CallRecord) -> str:
    """The outcome from what happened, in order of importance."""
    succeeded = {tool.name for tool in record.tools if tool.ok}
    if "schedule_appointment" in succeeded or "reschedule_appointment" in succeeded:
        return "appointment_booked"
    if record.end_reason == "transferred":
        return "transferred"
    if "save_contact" in succeeded or "update_contact" in succeeded:
        return "contact_captured"
    if record.user_info.get("email") or record.user_info.get("phone"):
        return "contact_captured"
    if any(
        tool.name == "search_knowledge_base" and tool.ok and tool.result.get("passages")
        for tool in record.tools
    ):
        return "question_answered"
    if not any(role == "user" and text for role, text in record.turns):
        return "abandoned"
    return "no_action"


def extractive_summary(record: CallRecord) -> Summary:
    """A plain, deterministic summary: who called, what was captured, booked or asked."""
    outcome = decided_outcome(record)
    info = record.user_info
    who = info.get("name") or "The caller"
    details = [f"{key} {info[key]}" for key in ("email", "phone") if info.get(key)]
    sentences = [
        f"{who} called"
        + (f" {record.agent_name}" if record.agent_name else "")
        + (f" ({', '.join(details)})" if details else "")
        + f" for {_duration(record.duration_seconds)}."
    ]
    caller_lines = [text for role, text in record.turns if role == "user" and text]
    intent = caller_lines[0] if caller_lines else ""
    if intent:
        sentences.append(f'They said: "{_clip(intent, 160)}"')
    for tool in record.tools:
        if not tool.ok:
            continue
        if tool.name in ("schedule_appointment", "reschedule_appointment"):
            appointment = tool.result.get("confirmation") or tool.arguments.get("service")
            sentences.append(f"Booked: {_clip(str(appointment), 160)}.")
        elif tool.name == "cancel_appointment":
            sentences.append("An appointment was cancelled.")
        elif tool.name == "search_knowledge_base" and tool.arguments.get("query"):
            sentences.append(f'Asked: "{_clip(str(tool.arguments["query"]), 120)}".')
    if outcome == "contact_captured":  # a booking would have made it appointment_booked
        sentences.append("Their contact details were captured.")
    if outcome == "abandoned":
        sentences.append("They left before saying anything.")
    follow_ups = []
    if outcome == "contact_captured":
        follow_ups.append("Get back to the caller.")
    summary = " ".join(sentences)
    return Summary(
        summary=summary,
        outcome=outcome,
        data={
            "summary": summary,
            "caller_intent": _clip(intent, 200),
            "outcome": outcome,
            "follow_up_actions": follow_ups,
            "sentiment": "neutral",
            "language": record.language.split("-")[0] or "en",
        },
        model=EXTRACTIVE_MODEL,
    )


def _duration(seconds: int) -> str:
    minutes, rest = divmod(max(seconds, 0), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- with the model


@functools.lru_cache(maxsize=8)
def _client(api_key: str, base_url: str, timeout: float) -> OpenAI:
    """One client per process and endpoint, shared by the worker's threads (it is
    thread-safe): building one costs ~27 ms of CPU (its TLS context), a quarter of what a
    summary costs a worker (bench/postcall.py), and reusing it keeps connections alive."""
    from openai import OpenAI

    return OpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=0)


def model_summary(
    record: CallRecord,
    *,
    api_key: str,
    base_url: str,
    model: str,
    prices: Mapping[str, float] | None = None,
    max_tokens: int = DEFAULT_INPUT_TOKENS,
    timeout: float = SUMMARY_TIMEOUT_SECONDS,
) -> Summary:
    """One Chat Completions request with a strict JSON-schema output. Runs in a Celery
    worker (or the after-commit thread), never on the call path."""
    from openai import APIError

    client = _client(api_key, base_url, timeout)
    try:
        completion = client.chat.completions.create(
            model=model,
            messages=[
                {"role": "system", "content": INSTRUCTIONS},
                {
                    "role": "user",
                    "content": f"Agent: {record.agent_name or 'the business'}. Call ended: "
                    f"{record.end_reason or 'unknown'} after {_duration(record.duration_seconds)}."
                    f"\n\nTranscript:\n{transcript_text(record, max_tokens=max_tokens)}",
                },
            ],
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "call_summary", "strict": True, "schema": SCHEMA},
            },
        )
    except APIError as exc:
        raise SummaryUnavailable(f"{type(exc).__name__}: {str(exc)[:300]}") from None
    try:
        # The client builds responses without validating them: a malformed answer shows
        # here, as a missing attribute or a bad value.
        data = json.loads(completion.choices[0].message.content or "")
        usage = completion.usage
        cost = 0.0
        if usage is not None and prices:
            cost = (
                usage.prompt_tokens * prices.get("text_in", 0)
                + usage.completion_tokens * prices.get("text_out", 0)
            ) / 1_000_000
    except (AttributeError, IndexError, TypeError, ValueError):
        raise SummaryUnavailable("the model's answer could not be read") from None
    if not isinstance(data, dict) or data.get("outcome") not in OUTCOMES:
        raise SummaryUnavailable("the model's answer does not follow the schema")
    return Summary(
        summary=str(data.get("summary") or ""),
        outcome=data["outcome"],
        data=data,
        model=completion.model or model,
        cost_usd=cost,
    )
