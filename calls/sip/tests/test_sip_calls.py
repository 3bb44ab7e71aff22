"""SIP trunks through OpenAI's SIP connector, end to end on loopback: a signed
``realtime.call.incoming`` webhook → accept (its body checked against the openai
package's types) → the sideband runs tools, keys and the transfer (REFER)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from calls.models import CallLog, CallStatus, Channel, Direction, ToolInvocation, TranscriptTurn
from calls.sip.tests.conftest import (
    CALLER,
    NUMBER,
    TRANSFER_TO,
    call_of,
    incoming_event,
    post_webhook,
)
from calls.tests.conftest import calls_settled
from calls.tests.fake_openai import FakeConnection

pytestmark = pytest.mark.django_db(transaction=True)


def _answer_with(text: str) -> Any:
    """The fake model answers every (non-greeting) response.create with one sentence."""

    async def answer(connection: FakeConnection, event: dict[str, Any]) -> None:
        await connection.speak(text, [])

    return answer


async def _turns(call: CallLog) -> list[tuple[str, str]]:
    return await sync_to_async(
        lambda: list(
            TranscriptTurn.objects.filter(call=call).order_by("seq").values_list("role", "text")
        )
    )()


async def test_incoming_call_is_accepted_and_its_sideband_runs_the_call(
    sip: Any, fake: Any, sip_number: Any, agent: Any
) -> None:
    sip.ring("rtc_abc1")
    fake.on_response_create = _answer_with("Of course.")

    response = await post_webhook(incoming_event("rtc_abc1"), webhook_id="wh_first")
    assert response.status_code == 200

    # Accepted with the agent's session, from the bridge's builder, without formats.
    ((accepted_id, body),) = sip.of("accept")
    assert accepted_id == "rtc_abc1"
    assert body["type"] == "realtime" and body["model"] == "gpt-realtime"
    assert agent.instructions.strip()[:40] in body["instructions"]
    assert body["audio"]["output"]["voice"] == agent.voice
    assert body["audio"]["input"]["transcription"]["model"]
    assert body["audio"]["input"]["turn_detection"]["type"] == agent.turn_detection
    names = {tool["name"] for tool in body["tools"]}
    assert {"update_user_info", "end_call", "transfer_call"} <= names
    assert "format" not in body["audio"]["input"] and "format" not in body["audio"]["output"]

    side = await sip.sideband("rtc_abc1")
    handshake = next(h for h in fake.handshakes if "call_id=rtc_abc1" in h["path"])
    assert "model=" not in handshake["path"]
    assert handshake["authorization"] == "Bearer sk-test-not-a-real-key"
    # The greeting is asked for at once; no session.update (accepted with it).
    (greeting,) = await side.wait_for("response.create")
    assert greeting["response"]["metadata"] == {"purpose": "greeting"}
    assert side.of_type("session.update") == []
    assert side.of_type("input_audio_buffer.append") == []

    call = await call_of("rtc_abc1")
    assert (call.channel, call.direction) == (Channel.SIP, Direction.INBOUND)
    assert (call.caller_number, call.called_number) == (CALLER, NUMBER)

    # A tool round trip: output, then one response.create.
    await side.call_functions(
        [("update_user_info", {"name": "Ada Lovelace", "email": "ada@example.com"})]
    )
    (output,) = await side.wait_for("conversation.item.create")
    assert output["item"]["type"] == "function_call_output"
    assert json.loads(output["item"]["output"])["ok"] is True
    await side.wait_for("response.create", count=2)

    # Keys: 4 2 # is one entry, told to the model once.
    for key in "42#":
        await side.dtmf(key)
    items = await side.wait_for("conversation.item.create", count=2)
    assert "4 2" in items[1]["item"]["content"][0]["text"]
    await side.wait_for("response.create", count=3)

    # Transfer: REFER to the agent's number once the hand-off sentence has played.
    await side.call_functions(
        [("transfer_call", {"reason": "wants a person", "summary": "Ada wants a person."})]
    )
    await calls_settled()
    assert sip.of("refer") == [("rtc_abc1", {"target_uri": f"tel:{TRANSFER_TO}"})]
    call = await call_of("rtc_abc1")
    assert (call.status, call.end_reason) == (CallStatus.TRANSFERRED, "transferred")
    assert (call.transfer_status, call.transfer_target) == ("referred", TRANSFER_TO)
    assert call.user_info["name"] == "Ada Lovelace"
    assert call.usage["responses"] >= 4
    turns = await _turns(call)
    assert ("user", "Keypad: 42") in turns
    assert ("assistant", fake.greeting_text) in turns
    tools = await sync_to_async(
        lambda: list(ToolInvocation.objects.filter(call=call).values_list("name", "ok"))
    )()
    assert tools == [("update_user_info", True), ("transfer_call", True)]
    assert sip.of("hangup") == []  # the line was the trunk's already


async def test_end_call_hangs_up_after_the_goodbye(sip: Any, fake: Any, sip_number: Any) -> None:
    sip.ring("rtc_bye")
    fake.on_response_create = _answer_with("Goodbye!")
    assert (await post_webhook(incoming_event("rtc_bye"), webhook_id="wh_bye")).status_code == 200
    side = await sip.sideband("rtc_bye")
    await side.wait_for("response.create")
    await side.call_functions([("end_call", {"reason": "done"})])
    await calls_settled()
    assert sip.of("hangup") == [("rtc_bye", {})]
    call = await call_of("rtc_bye")
    assert (call.status, call.end_reason) == (CallStatus.COMPLETED, "agent_ended")
    turns = await _turns(call)
    assert turns[-1] == ("assistant", "Goodbye!")


async def test_the_caller_hanging_up_ends_the_call(sip: Any, fake: Any, sip_number: Any) -> None:
    sip.ring("rtc_gone")
    assert (await post_webhook(incoming_event("rtc_gone"), webhook_id="wh_g")).status_code == 200
    side = await sip.sideband("rtc_gone")
    await side.wait_for("response.create")
    await side.caller_turn("Hello, is this the clinic?")
    await sip.caller_hangs_up("rtc_gone")
    await calls_settled()
    call = await call_of("rtc_gone")
    assert (call.status, call.end_reason) == (CallStatus.COMPLETED, "caller_hung_up")
    assert ("user", "Hello, is this the clinic?") in await _turns(call)
    assert sip.of("hangup") == []


async def test_a_silent_refer_is_a_failed_transfer_the_caller_is_told(
    sip: Any, fake: Any, sip_number: Any
) -> None:
    sip.ring("rtc_stuck")
    sip.refer_closes = False  # 200, but the REFER never reaches the trunk
    fake.on_response_create = _answer_with("One moment.")
    assert (await post_webhook(incoming_event("rtc_stuck"), webhook_id="wh_s")).status_code == 200
    side = await sip.sideband("rtc_stuck")
    await side.wait_for("response.create")
    await side.call_functions([("transfer_call", {"reason": "person", "summary": "A caller."})])
    items = await side.wait_for("conversation.item.create", count=2, timeout=10)
    assert items[1]["item"]["role"] == "system"
    assert "transfer" in items[1]["item"]["content"][0]["text"]
    call = await call_of("rtc_stuck")
    assert call.is_live and call.transfer_status == "failed"
    await sip.caller_hangs_up("rtc_stuck")
    await calls_settled()
    call = await call_of("rtc_stuck")
    assert call.end_reason == "caller_hung_up"


async def test_max_duration_hangs_up(sip: Any, fake: Any, sip_number: Any, agent: Any) -> None:
    await sync_to_async(type(agent).objects.filter(pk=agent.pk).update)(
        max_call_seconds=1, idle_seconds=30
    )
    sip.ring("rtc_long")
    fake.on_response_create = _answer_with("Let us wrap up.")
    assert (await post_webhook(incoming_event("rtc_long"), webhook_id="wh_l")).status_code == 200
    await calls_settled(timeout=15)
    call = await call_of("rtc_long")
    assert call.end_reason == "max_duration"
    async with asyncio.timeout(5):  # the line is hung up as the session closes
        while not sip.of("hangup"):
            await asyncio.sleep(0.02)
    assert sip.of("hangup") == [("rtc_long", {})]


async def test_diversion_routes_a_forwarded_call(sip: Any, fake: Any, sip_number: Any) -> None:
    sip.ring("rtc_fwd")
    event = incoming_event(
        "rtc_fwd",
        to="<sip:+15550009999@trunk.example.com>",
        Diversion="<sip:18005551212@carrier.example.com>;reason=unconditional",
    )
    assert (await post_webhook(event, webhook_id="wh_fwd")).status_code == 200
    assert [call_id for call_id, _ in sip.of("accept")] == ["rtc_fwd"]
    call = await call_of("rtc_fwd")
    assert call.called_number == NUMBER
    await sip.caller_hangs_up("rtc_fwd")
    await calls_settled()


async def test_a_caller_gone_before_the_accept_is_logged_not_answered(
    sip: Any, fake: Any, sip_number: Any
) -> None:
    sip.ring("rtc_early")
    await sip.caller_hangs_up("rtc_early")
    assert (await post_webhook(incoming_event("rtc_early"), webhook_id="wh_e")).status_code == 200
    call = await call_of("rtc_early")
    assert (call.status, call.end_reason) == (CallStatus.FAILED, "not_connected")
    await asyncio.sleep(0)
    assert sip.calls["rtc_early"].sidebands == []


async def test_staff_hang_up_ends_the_call_and_the_line(
    sip: Any, fake: Any, sip_number: Any
) -> None:
    from calls.live_services import HangUp, call_hang_up

    sip.ring("rtc_staff")
    assert (await post_webhook(incoming_event("rtc_staff"), webhook_id="wh_st")).status_code == 200
    side = await sip.sideband("rtc_staff")
    await side.wait_for("response.create")
    call = await call_of("rtc_staff")
    assert await call_hang_up(call_id=str(call.pk)) == HangUp.ENDED
    await calls_settled()
    call = await call_of("rtc_staff")
    assert call.end_reason == "staff_ended"
    async with asyncio.timeout(5):
        while not sip.of("hangup"):
            await asyncio.sleep(0.02)
    assert sip.of("hangup") == [("rtc_staff", {})]


async def test_a_key_over_the_agent_cuts_its_speech(sip: Any, fake: Any, sip_number: Any) -> None:
    sip.ring("rtc_key")
    fake.on_response_create = _answer_with("Sure.")
    assert (await post_webhook(incoming_event("rtc_key"), webhook_id="wh_k")).status_code == 200
    side = await sip.sideband("rtc_key")
    await side.wait_for("response.create")
    await side.speak("Our opening hours are nine to five on weekdays", [], finish=False)
    await side.dtmf("1")
    await side.wait_for("response.cancel")
    await side.wait_for("output_audio_buffer.clear")
    items = await side.wait_for("conversation.item.create")  # the key, once its pause ends
    assert "pressed 1" in items[0]["item"]["content"][0]["text"]
    await sip.caller_hangs_up("rtc_key")
    await calls_settled()


async def test_a_silent_caller_is_asked_then_hung_up(
    sip: Any, fake: Any, sip_number: Any, agent: Any
) -> None:
    await sync_to_async(type(agent).objects.filter(pk=agent.pk).update)(idle_seconds=2)
    sip.ring("rtc_idle")
    fake.on_response_create = _answer_with("Are you still there?")
    assert (await post_webhook(incoming_event("rtc_idle"), webhook_id="wh_i")).status_code == 200
    await calls_settled(timeout=15)
    call = await call_of("rtc_idle")
    assert call.end_reason == "idle_timeout"
    assert ("assistant", "Are you still there?") in await _turns(call)
    async with asyncio.timeout(5):
        while not sip.of("hangup"):
            await asyncio.sleep(0.02)
