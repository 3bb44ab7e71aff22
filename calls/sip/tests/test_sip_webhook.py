"""The SIP webhook's gate: only OpenAI's signed, fresh, first deliveries of
``realtime.call.incoming`` do anything; refused calls are rejected with a SIP status."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from calls.models import CallLog, CallStatus, Channel, WebhookReceipt
from calls.sip.tests.conftest import incoming_event, post_webhook, signed_headers
from calls.tests.conftest import calls_settled

pytestmark = pytest.mark.django_db(transaction=True)


async def _nothing_created() -> bool:
    calls = await CallLog.objects.acount()
    receipts = await WebhookReceipt.objects.acount()
    return calls == 0 and receipts == 0


@pytest.mark.parametrize("flaw", ["tampered", "too_old", "wrong_secret", "no_headers", "future"])
async def test_unverified_deliveries_are_refused_and_change_nothing(
    sip: Any, sip_number: Any, flaw: str
) -> None:
    sip.ring("rtc_bad")
    body = json.dumps(incoming_event("rtc_bad"))
    headers = signed_headers(body, webhook_id="wh_bad")
    if flaw == "tampered":
        body = body.replace("rtc_bad", "rtc_bax")
    elif flaw == "too_old":
        headers = signed_headers(body, webhook_id="wh_bad", timestamp=int(time.time()) - 400)
    elif flaw == "future":
        headers = signed_headers(body, webhook_id="wh_bad", timestamp=int(time.time()) + 400)
    elif flaw == "wrong_secret":
        headers = signed_headers(body, webhook_id="wh_bad", key=b"another-secret-entirely-32-bytes")
    elif flaw == "no_headers":
        headers = {}
    response = await post_webhook(body, headers=headers)
    assert response.status_code == 400
    assert await _nothing_created()
    assert sip.requests == []


async def test_a_replayed_delivery_is_answered_once(sip: Any, fake: Any, sip_number: Any) -> None:
    sip.ring("rtc_twice")
    body = json.dumps(incoming_event("rtc_twice"))
    headers = signed_headers(body, webhook_id="wh_same")
    assert (await post_webhook(body, headers=headers)).status_code == 200
    assert (await post_webhook(body, headers=headers)).status_code == 200
    assert len(sip.of("accept")) == 1
    assert await CallLog.objects.acount() == 1
    # Delivered again under another delivery id (the same call): still one call.
    assert (await post_webhook(body, webhook_id="wh_other")).status_code == 200
    assert len(sip.of("accept")) == 1
    await sip.sideband("rtc_twice")
    await sip.caller_hangs_up("rtc_twice")
    await calls_settled()


async def test_other_event_types_are_ignored(sip: Any, sip_number: Any) -> None:
    event = {
        "object": "event",
        "id": "evt_1",
        "type": "response.completed",
        "created_at": int(time.time()),
        "data": {"id": "resp_1"},
    }
    assert (await post_webhook(event, webhook_id="wh_resp")).status_code == 200
    assert await _nothing_created()


async def test_without_a_secret_the_webhook_is_unavailable(
    sip: Any, sip_number: Any, settings: Any
) -> None:
    settings.OPENAI_WEBHOOK_SECRET = ""
    assert (await post_webhook(incoming_event("rtc_x"), webhook_id="wh_x")).status_code == 503
    assert await _nothing_created()


async def test_an_unknown_number_is_rejected_404(sip: Any, sip_number: Any) -> None:
    sip.ring("rtc_wrong")
    event = incoming_event("rtc_wrong", to="<sip:+15550001111@trunk.example.com>;tag=1")
    assert (await post_webhook(event, webhook_id="wh_w")).status_code == 200
    assert sip.of("reject") == [("rtc_wrong", {"status_code": 404})]
    assert sip.of("accept") == []
    assert await CallLog.objects.acount() == 0


async def test_an_inactive_number_is_rejected_480(sip: Any, sip_number: Any) -> None:
    sip_number.is_active = False
    await sync_to_async(sip_number.save)()
    sip.ring("rtc_off")
    assert (await post_webhook(incoming_event("rtc_off"), webhook_id="wh_o")).status_code == 200
    assert sip.of("reject") == [("rtc_off", {"status_code": 480})]


async def test_an_agent_at_its_limit_rejects_busy(sip: Any, sip_number: Any, agent: Any) -> None:
    await sync_to_async(type(agent).objects.filter(pk=agent.pk).update)(max_concurrent_calls=1)
    await CallLog.objects.acreate(
        agent=agent, channel=Channel.WEB, engine="offline", status=CallStatus.ACTIVE
    )
    sip.ring("rtc_busy")
    assert (await post_webhook(incoming_event("rtc_busy"), webhook_id="wh_b")).status_code == 200
    assert sip.of("reject") == [("rtc_busy", {"status_code": 486})]
    assert await CallLog.objects.filter(channel=Channel.SIP).acount() == 0
    await CallLog.objects.all().aupdate(status=CallStatus.COMPLETED)


async def test_a_refused_accept_rejects_and_logs_the_call(sip: Any, sip_number: Any) -> None:
    sip.ring("rtc_500")
    sip.accept_status = 500
    assert (await post_webhook(incoming_event("rtc_500"), webhook_id="wh_5")).status_code == 200
    call = await CallLog.objects.aget(provider_call_id="rtc_500")
    assert (call.status, call.end_reason) == (CallStatus.FAILED, "not_connected")
    assert "500" in call.error_message
    assert sip.of("reject") == [("rtc_500", {"status_code": 480})]


async def test_deliveries_racing_accept_once(sip: Any, fake: Any, sip_number: Any) -> None:
    """The same delivery arriving twice at once (a retry racing the first): one row wins."""
    sip.ring("rtc_race")
    body = json.dumps(incoming_event("rtc_race"))
    headers = signed_headers(body, webhook_id="wh_race")
    first, second = await asyncio.gather(
        post_webhook(body, headers=headers), post_webhook(body, headers=headers)
    )
    assert (first.status_code, second.status_code) == (200, 200)
    assert len(sip.of("accept")) == 1
    assert await WebhookReceipt.objects.acount() == 1
    await sip.sideband("rtc_race")
    await sip.caller_hangs_up("rtc_race")
    await calls_settled()
