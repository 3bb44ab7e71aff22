"""ToolRunner: every function call answered upstream, shown, recorded; failures become
results the model can speak about."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from calls.realtime.config import AgentSnapshot
from calls.realtime.hooks import ToolContext, ToolRecord
from calls.realtime.toolcalls import ToolRunner, parse_arguments

AGENT = AgentSnapshot(
    agent_id=7, public_id="agt", name="A", greeting="", instructions="", voice="marin",
    model="m", language="en", timezone="UTC", region="GB", owner_id=3,
)  # fmt: skip


class Hooks:
    def __init__(self, tool: Any) -> None:
        self.tool = tool
        self.client: list[dict[str, Any]] = []
        self.records: list[ToolRecord] = []

    async def send_json(self, message: dict[str, Any]) -> None:
        self.client.append(message)

    async def run_tool(self, name: str, arguments: dict[str, Any], context: ToolContext) -> Any:
        return await self.tool(name, arguments, context)

    async def save_tool(self, record: ToolRecord) -> None:
        self.records.append(record)


def _runner(
    tool: Any, answered: Any = None
) -> tuple[ToolRunner, Hooks, list[dict[str, Any]], list[str]]:
    hooks = Hooks(tool)
    upstream: list[dict[str, Any]] = []
    errors: list[str] = []

    async def send_upstream(event: dict[str, Any]) -> None:
        upstream.append(event)

    async def send_error(code: str, message: str) -> None:
        errors.append(code)

    seqs: dict[str, int] = {}
    runner = ToolRunner(
        call_id="call-1",
        agent=AGENT,
        hooks=hooks,  # type: ignore[arg-type]  # only what tools use
        user_info={},
        send_upstream=send_upstream,
        send_error=send_error,
        seq=lambda item: seqs.setdefault(item, len(seqs) + 1),
        call_ms=lambda: 1234,
        spawn=lambda coroutine, name: asyncio.ensure_future(coroutine),
        answered=answered,
    )
    return runner, hooks, upstream, errors


def _call(arguments: str, *, name: str = "lookup", response: str = "resp_1") -> dict[str, Any]:
    return {
        "type": "response.function_call_arguments.done",
        "response_id": response,
        "item_id": "item_fc",
        "call_id": "call_abc",
        "name": name,
        "arguments": arguments,
    }


async def test_a_result_is_sent_upstream_shown_and_recorded() -> None:
    async def tool(name: str, arguments: dict[str, Any], context: ToolContext) -> Any:
        assert (
            context.extra
            == {"region": "GB", "language": "en", "owner_id": 3, "calendar_connected": False}
            and context.agent_id == 7
        )
        context.extra["seen"] = arguments["q"]
        return {"ok": True, "answer": 42}

    runner, hooks, upstream, errors = _runner(tool)
    runner.start(_call('{"q": "x"}'))
    await asyncio.gather(*runner.take("resp_1"))
    assert runner.take("resp_1") == []
    output = upstream[0]["item"]
    assert output["type"] == "function_call_output" and output["call_id"] == "call_abc"
    assert json.loads(output["output"]) == {"ok": True, "answer": 42}
    assert [m["status"] for m in hooks.client] == ["started", "succeeded"]
    (record,) = hooks.records
    assert record.ok and record.arguments == {"q": "x"} and record.started_ms == 1234
    assert record.seq == 1 and not errors
    assert runner.state["seen"] == "x"  # tools keep state across invocations


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [("{not json", "invalid arguments"), ("[1, 2]", "must be a JSON object"),
     ("[" * 100_000, "nested too deeply")],
)  # fmt: skip
async def test_bad_arguments_become_a_failed_result(arguments: str, problem: str) -> None:
    async def tool(name: str, arguments: dict[str, Any], context: ToolContext) -> Any:
        raise AssertionError("not called with bad arguments")

    runner, hooks, upstream, errors = _runner(tool)
    runner.start(_call(arguments))
    await asyncio.gather(*runner.take("resp_1"))
    assert json.loads(upstream[0]["item"]["output"])["ok"] is False
    assert problem in hooks.records[0].error and errors == ["tool_failed"]


async def test_a_slow_tool_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("calls.realtime.toolcalls.TOOL_TIMEOUT_SECONDS", 0.05)

    async def tool(name: str, arguments: dict[str, Any], context: ToolContext) -> Any:
        await asyncio.sleep(5)

    runner, hooks, upstream, _errors = _runner(tool)
    runner.start(_call("{}"))
    await asyncio.gather(*runner.take("resp_1"))
    assert "did not answer in time" in json.loads(upstream[0]["item"]["output"])["error"]
    assert hooks.records[0].error == "lookup took longer than 0.05 s"


async def test_a_crashing_tool_and_a_failed_record_cost_nothing_else() -> None:
    async def tool(name: str, arguments: dict[str, Any], context: ToolContext) -> Any:
        raise KeyError("boom")

    runner, hooks, upstream, _errors = _runner(tool)

    async def broken_save(record: ToolRecord) -> None:
        raise OSError("database down")

    hooks.save_tool = broken_save  # type: ignore[method-assign]  # a failing store, for this test
    runner.start(_call("{}"))
    await asyncio.gather(*runner.take("resp_1"))
    assert json.loads(upstream[0]["item"]["output"])["ok"] is False
    assert hooks.client[-1]["status"] == "failed"


async def test_end_call_asks_for_the_end_after_the_response() -> None:
    async def tool(name: str, arguments: dict[str, Any], context: ToolContext) -> Any:
        context.request_end()
        return {"ok": True}

    runner, *_ = _runner(tool)
    runner.start(_call("{}", name="end_call"))
    assert not runner.end_requested
    await asyncio.gather(*runner.take("resp_1"))
    assert runner.end_requested


def test_arguments_are_made_storable() -> None:
    assert parse_arguments('{"name": "\\ud83d"}') == {"name": "\ufffd"}
    assert parse_arguments("") == {}


async def test_the_result_is_announced_before_its_output_is_sent() -> None:
    """So that a filler timer stops before the output can reach the engine."""
    seen: list[tuple[str, int]] = []

    async def tool(name: str, arguments: dict[str, Any], context: ToolContext) -> Any:
        return {"ok": True}

    holder: dict[str, Any] = {}
    runner, _, upstream, _ = _runner(
        tool, answered=lambda call_id: seen.append((call_id, len(holder["upstream"])))
    )
    holder["upstream"] = upstream
    runner.start(_call("{}"))
    await asyncio.gather(*runner.take("resp_1"))
    assert seen == [("call_abc", 0)] and len(upstream) == 1
