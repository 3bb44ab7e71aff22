"""A SIP call outlives the process that runs its sideband (the audio is OpenAI's): a
supervisor re-attaches it, or records it ``server_lost`` when the call is over."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from calls.instance import server_instance_current
from calls.models import CallLog, CallStatus, Channel, ServerInstance, TranscriptTurn
from calls.services import call_logs_close_orphans
from calls.sip.supervisor import supervisor
from calls.sip.tests.conftest import incoming_event, post_webhook
from calls.tests.conftest import calls_settled

pytestmark = pytest.mark.django_db(transaction=True)


async def _orphan(agent: Any, sip: Any, *, call_over: bool = False) -> CallLog:
    """A live SIP call whose process died mid-call, two turns in (this process is
    registered first: its registration would adopt the call at once)."""
    await server_instance_current()
    dead = await ServerInstance.objects.acreate(
        hostname="gone", pid=999_999, stopped_at=timezone.now()
    )
    call = await CallLog.objects.acreate(
        agent=agent,
        channel=Channel.SIP,
        engine="openai",
        status=CallStatus.ACTIVE,
        provider_call_id="rtc_orphan",
        server_instance=dead.pk,
        started_at=timezone.now() - dt.timedelta(seconds=20),
        usage={"responses": 2, "total_tokens": 100},
        cost_usd=0.5,
    )
    for seq, (role, text) in enumerate([("assistant", "Hello!"), ("user", "Hi there.")], 1):
        await TranscriptTurn.objects.acreate(call=call, seq=seq, role=role, text=text)
    fake_call = sip.ring("rtc_orphan")
    fake_call.state = "ended" if call_over else "accepted"
    fake_call.accepted = {"type": "realtime", "model": "gpt-realtime"}
    return call


async def test_a_dead_process_s_call_is_re_attached_and_goes_on(
    sip: Any, fake: Any, agent: Any
) -> None:
    call = await _orphan(agent, sip)
    assert await supervisor.recover() == [str(call.pk)]
    side = await sip.sideband("rtc_orphan")
    await side.caller_turn("Can you take my email?")
    await side.call_functions([("update_user_info", {"email": "ada@example.com"})])
    await side.wait_for("conversation.item.create")
    await side.wait_for("response.create")  # the tool's answer, and no greeting before it
    assert all(
        (event.get("response") or {}).get("metadata") != {"purpose": "greeting"}
        for event in side.of_type("response.create")
    )
    assert await supervisor.recover() == []  # taken: nobody adopts it twice
    await sip.caller_hangs_up("rtc_orphan")
    await calls_settled()
    await call.arefresh_from_db()
    assert (call.status, call.end_reason) == (CallStatus.COMPLETED, "caller_hung_up")
    assert call.usage["responses"] == 3 and call.usage["total_tokens"] == 130
    assert call.duration_seconds is not None and call.duration_seconds >= 20
    turns = await sync_to_async(
        lambda: list(call.turns.order_by("seq").values_list("seq", "text"))
    )()
    assert turns[:3] == [(1, "Hello!"), (2, "Hi there."), (3, "Can you take my email?")]


async def test_a_call_that_ended_meanwhile_is_recorded_server_lost(
    sip: Any, fake: Any, agent: Any
) -> None:
    call = await _orphan(agent, sip, call_over=True)
    assert await supervisor.recover() == [str(call.pk)]
    await calls_settled()
    await call.arefresh_from_db()
    assert (call.status, call.end_reason) == (CallStatus.FAILED, "server_lost")
    assert call.usage["total_tokens"] == 100


async def test_orphan_closing_leaves_sip_calls_for_re_attaching(sip: Any, agent: Any) -> None:
    dead = await ServerInstance.objects.acreate(hostname="gone", pid=999_998)
    sip_call = await CallLog.objects.acreate(
        agent=agent,
        channel=Channel.SIP,
        engine="openai",
        status=CallStatus.ACTIVE,
        provider_call_id="rtc_keep",
        server_instance=dead.pk,
    )
    web_call = await CallLog.objects.acreate(
        agent=agent,
        channel=Channel.WEB,
        engine="openai",
        status=CallStatus.ACTIVE,
        server_instance=dead.pk,
    )
    await sync_to_async(call_logs_close_orphans)(dead_instances=[str(dead.pk)])
    await sip_call.arefresh_from_db()
    await web_call.arefresh_from_db()
    assert web_call.end_reason == "server_lost"
    assert sip_call.is_live
    await CallLog.objects.filter(pk=sip_call.pk).aupdate(status=CallStatus.COMPLETED)


async def test_a_stopping_process_detaches_and_the_next_one_takes_over(
    sip: Any, fake: Any, sip_number: Any
) -> None:
    sip.ring("rtc_move")
    assert (await post_webhook(incoming_event("rtc_move"), webhook_id="wh_m")).status_code == 200
    first = await sip.sideband("rtc_move")
    await first.wait_for("response.create")
    await first.caller_turn("Still there?")
    async with asyncio.timeout(5):  # stored (the session's flush)
        while not await TranscriptTurn.objects.filter(text="Still there?").aexists():
            await asyncio.sleep(0.05)
    await supervisor.stop()  # the process stops: the call goes on
    call = await CallLog.objects.aget(provider_call_id="rtc_move")
    assert call.is_live and call.server_instance is None
    assert sip.of("hangup") == []
    await CallLog.objects.filter(pk=call.pk).aupdate(
        updated_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert await supervisor.recover() == [str(call.pk)]
    second = await sip.sideband("rtc_move", index=1)
    await second.caller_turn("Hello again.")
    await sip.caller_hangs_up("rtc_move")
    await calls_settled()
    await call.arefresh_from_db()
    assert call.end_reason == "caller_hung_up"
    texts = await sync_to_async(lambda: list(call.turns.values_list("text", flat=True)))()
    assert "Still there?" in texts and "Hello again." in texts
    assert second.of_type("response.create") == []  # no second greeting
