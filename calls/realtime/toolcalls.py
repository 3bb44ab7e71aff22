"""Function calls of a call: each one run once, answered upstream, shown to the caller and
recorded; failures become results the model can speak about, never a dropped call."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from calls.realtime.config import AgentSnapshot
from calls.realtime.hooks import CallHooks, ToolContext, ToolRecord
from calls.realtime.text import storable_json

logger = logging.getLogger(__name__)

TOOL_TIMEOUT_SECONDS = 8.0

Spawn = Callable[[Awaitable[Any], str], "asyncio.Task[Any]"]


class ToolRunner:
    def __init__(
        self,
        *,
        call_id: str,
        agent: AgentSnapshot,
        hooks: CallHooks,
        user_info: dict[str, Any],
        send_upstream: Callable[[dict[str, Any]], Awaitable[None]],
        send_error: Callable[[str, str], Awaitable[None]],
        seq: Callable[[str], int],
        call_ms: Callable[[], int],
        spawn: Spawn,
        answered: Callable[[str], None] | None = None,
    ) -> None:
        self._call_id = call_id
        self._agent_id = agent.agent_id
        self._hooks = hooks
        self._user_info = user_info
        self._send_upstream = send_upstream
        self._send_error = send_error
        self._seq = seq
        self._call_ms = call_ms
        self._spawn = spawn
        # Told each call's id as soon as its result is in (its filler timer stops).
        self._answered = answered
        # The tasks started by each response, answered after its response.done.
        self._by_response: dict[str, list[asyncio.Task[None]]] = {}
        self._running: set[asyncio.Task[None]] = set()
        # State tools keep between invocations of one call (e.g. the saved contact's id).
        self.state: dict[str, Any] = {
            "region": agent.region,
            # The normalisers and the date parser read number words in this language.
            "language": agent.language.split("-")[0].lower() or "en",
            "owner_id": agent.owner_id,
            "calendar_connected": agent.calendar_connected,
        }
        # A tool (end_call) asked for the call to end after the next response.
        self.end_requested = False
        # A tool (transfer_call) asked for a transfer after the next response: (reason,
        # summary), taken once by the session.
        self.transfer_requested: tuple[str, str] | None = None
        self.can_transfer = bool(agent.transfer_number)

    def start(self, event: dict[str, Any]) -> None:
        """A ``response.function_call_arguments.done``: the call runs at once."""
        task = self._spawn(
            self._run(
                function_call_id=event.get("call_id") or "",
                name=event.get("name") or "",
                raw_arguments=event.get("arguments") or "",
                item_id=event.get("item_id") or "",
            ),
            "tool",
        )
        self._by_response.setdefault(event.get("response_id") or "", []).append(task)
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    def running(self) -> set[asyncio.Task[None]]:
        """Tool calls still running (the call's end lets them finish and be recorded)."""
        return set(self._running)

    def take(self, response_id: str) -> list[asyncio.Task[None]]:
        """The calls a finished response made (empty when it made none)."""
        return self._by_response.pop(response_id, [])

    def _request_end(self) -> None:
        self.end_requested = True

    def _request_transfer(self, reason: str, summary: str) -> None:
        self.transfer_requested = (reason, summary)

    def take_transfer(self) -> tuple[str, str] | None:
        """The transfer asked for, once."""
        requested, self.transfer_requested = self.transfer_requested, None
        return requested

    async def _run(
        self, *, function_call_id: str, name: str, raw_arguments: str, item_id: str
    ) -> None:
        started = time.perf_counter()
        started_ms = self._call_ms()
        seq = self._seq(item_id or f"tool_{function_call_id}")
        await self._hooks.send_json({"type": "tool", "name": name, "status": "started"})
        arguments: dict[str, Any] = {}
        error = ""
        try:
            arguments = parse_arguments(raw_arguments)
            context = ToolContext(
                call_id=self._call_id,
                agent_id=self._agent_id,
                user_info=self._user_info,
                send_to_client=self._hooks.send_json,
                request_end=self._request_end,
                extra=self.state,
                request_transfer=self._request_transfer if self.can_transfer else None,
            )
            result = await asyncio.wait_for(
                self._hooks.run_tool(name, arguments, context), TOOL_TIMEOUT_SECONDS
            )
            if not isinstance(result, dict):
                result = {"result": result}
        except TimeoutError:
            error = f"{name} took longer than {TOOL_TIMEOUT_SECONDS:g} s"
            result = {
                "ok": False,
                "error": "The tool did not answer in time. Apologise and "
                "offer to take a message instead.",
            }
        except ValueError as exc:
            error = f"invalid arguments: {exc}"
            result = {"ok": False, "error": f"The arguments were not valid JSON: {exc}"}
        except Exception as exc:
            logger.exception("Call %s: tool %s failed", self._call_id, name)
            error = type(exc).__name__
            result = {"ok": False, "error": "The tool failed. Apologise and carry on."}
        ok = not error and result.get("ok", True) is not False
        if self._answered is not None:
            self._answered(function_call_id)
        latency_ms = int((time.perf_counter() - started) * 1000)
        try:
            await self._send_upstream(
                {
                    "type": "conversation.item.create",
                    "item": {
                        "type": "function_call_output",
                        "call_id": function_call_id,
                        "output": json.dumps(result, default=str),
                    },
                }
            )
            await self._hooks.send_json(
                {"type": "tool", "name": name, "status": "succeeded" if ok else "failed"}
            )
            if error:
                await self._send_error("tool_failed", f"The {name} tool failed; the call goes on.")
        except Exception as exc:
            # The call is ending (upstream or client gone): what the tool did still counts.
            logger.info("Call %s: the %s result was not delivered (%s)", self._call_id, name, exc)
        try:
            await self._hooks.save_tool(
                ToolRecord(
                    seq=seq,
                    function_call_id=function_call_id,
                    name=name,
                    arguments=arguments,
                    result=result,
                    ok=ok,
                    error=error,
                    latency_ms=latency_ms,
                    started_ms=started_ms,
                )
            )
        except Exception:
            logger.exception("Call %s: recording the %s invocation failed", self._call_id, name)


def parse_arguments(raw: str) -> dict[str, Any]:
    """The model's arguments as a storable JSON object; ValueError says what is wrong."""
    try:
        parsed = json.loads(raw or "{}")
    except RecursionError:
        raise ValueError("arguments are nested too deeply") from None
    if not isinstance(parsed, dict):
        raise ValueError("arguments must be a JSON object")
    return storable_json(parsed)
