"""What a CallSession needs from the outside world, injected by the consumer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from calls.realtime.recording import RecordedCall


@dataclass(slots=True)
class TurnRecord:
    seq: int
    role: str
    text: str
    item_id: str
    started_ms: int | None
    interrupted: bool = False
    latency_ms: int | None = None  # agent turns: caller's turn end → this turn's first audio


@dataclass(slots=True)
class ToolRecord:
    seq: int
    function_call_id: str
    name: str
    arguments: dict[str, Any]
    result: dict[str, Any]
    ok: bool
    error: str
    latency_ms: int
    started_ms: int


@dataclass(slots=True)  # not frozen: one is made per chunk of phone audio, frozen is 2.5× slower
class HeardPosition:
    """How far into an assistant item the caller has heard."""

    item_id: str
    ms: int


@dataclass(slots=True)
class CallOutcome:
    status: str  # completed / failed
    end_reason: str
    duration_seconds: int
    usage: dict[str, Any]
    cost_usd: float
    user_info: dict[str, Any]
    error_message: str = ""
    latency_p50_ms: int | None = None  # turn latency over the call (calls/realtime/latency.py)
    latency_p95_ms: int | None = None


@dataclass(frozen=True, slots=True)
class ResumedCall:
    """A call that comes back to the agent (a transfer nobody answered): where its
    transcript stands and what the model must know to go on."""

    last_seq: int  # the new session's turns come after this one
    elapsed_ms: int  # the call's time so far (turn timestamps go on from it)
    history: tuple[tuple[str, str], ...]  # (role, text) of the conversation so far
    note: str  # what happened, for the model to tell the caller


@dataclass(frozen=True, slots=True)
class TransferOrder:
    """Put the caller through to a person (the transfer_call tool), once the agent's
    hand-off sentence has played."""

    target: str  # E.164
    mode: str  # cold / warm
    reason: str
    summary: str  # one sentence for the person (warm transfers)


@dataclass(slots=True)
class ToolContext:
    """Handed to tool handlers: the call they run in and what they may do to it.

    ``extra`` is shared by every tool invocation of the call.
    """

    call_id: str
    agent_id: int
    user_info: dict[str, Any]
    send_to_client: Callable[[dict[str, Any]], Awaitable[None]]
    request_end: Callable[[], None]
    extra: dict[str, Any] = field(default_factory=dict)
    # Transfer to a person after the current response (reason, summary); None where the
    # call cannot be transferred.
    request_transfer: Callable[[str, str], None] | None = None


class CallHooks(Protocol):
    async def send_json(self, message: dict[str, Any]) -> None:
        """A client-visible message (also published to the call's monitor group)."""

    async def send_audio(self, item_id: str, audio: str, end_ms: int) -> None:
        """A chunk of assistant audio (base64, in the call's format) for the caller;
        ``end_ms`` is how much of the item has been sent once this chunk is. Not published
        to the monitor group."""

    async def stop_playback(self) -> HeardPosition | None:
        """The caller spoke over the agent: drop any assistant audio the transport still
        holds, and say how far the caller heard, where the transport knows (a phone
        provider's playback marks); None leaves it to the session's estimate."""

    async def close_client(self) -> None: ...

    async def playback_finished(self, timeout: float) -> bool | None:
        """Waits (at most ``timeout`` s) until the caller has heard all the audio sent:
        True if so, False on timeout, None where the transport cannot tell (the session
        then waits on its own estimate)."""

    async def hang_up(self) -> str:
        """Ends the line itself where the transport has one (a phone provider's REST
        API): '' when done, else what went wrong (the call still ends)."""

    async def transfer(self, order: TransferOrder) -> str:
        """Puts the caller through to a person: '' when the provider took it (the call
        then ends as transferred), else why not (the call goes on)."""

    async def mark_active(self) -> None: ...

    async def save_turns(self, turns: list[TurnRecord]) -> None: ...

    async def save_tool(self, record: ToolRecord) -> None: ...

    async def run_tool(self, name: str, arguments: dict[str, Any], context: ToolContext) -> Any:
        """Runs a registered tool; may raise, the session turns failures into results."""

    async def finish(self, outcome: CallOutcome) -> None: ...

    async def greeting_get(self, key: str) -> tuple[bytes, str] | None: ...

    async def greeting_put(self, key: str, audio: bytes, transcript: str) -> None: ...

    async def save_recording(self, recording: RecordedCall) -> None:
        """Stores the call's finished recording, which the hook now owns (and closes);
        returns at once, the storage write happening in the background."""
