"""Who may be called and when: refusals with clear reasons, calling hours (refused, or
scheduled for the next window), opting out (the tool, the API, the admin), the lines'
limits, retries placed by the dispatcher when their time comes, small campaigns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from calls.models import CallLog
from calls.realtime.hooks import ToolContext
from calls.telephony.tests.fake_rest import FakeProviderRest
from contacts.models import Contact, ContactStatus
from outbound.campaign_services import campaign_save, campaign_start
from outbound.dispatch_services import outbound_attempts_sweep, outbound_dispatch
from outbound.models import (
    AttemptResult,
    AttemptStatus,
    CallAttempt,
    Campaign,
    CampaignStatus,
)
from outbound.result_services import outbound_attempt_finish
from outbound.services import OutboundRefused, call_contact_opt_out, outbound_call_request
from outbound.tools import opt_out_of_calls
from voiceagent import background

pytestmark = pytest.mark.django_db(transaction=True)

UTC = dt.UTC


def _refusal(**kwargs: Any) -> OutboundRefused:
    with pytest.raises(OutboundRefused) as refused:
        outbound_call_request(**kwargs)
    return refused.value


def test_refusals_say_why(agent: Any, policy: Any, line: Any, lead: Contact) -> None:
    lead.do_not_call = True
    lead.save()
    assert _refusal(contact=lead, agent=agent).code == "opted_out"
    nobody = Contact.objects.create(owner=agent.owner, agent=agent, name="No Phone")
    assert _refusal(contact=nobody, agent=agent).code == "no_phone"
    line.is_active = False
    line.save()
    lead.do_not_call = False
    lead.save()
    refused = _refusal(contact=lead, agent=agent)
    assert refused.code == "no_number" and "add one" in refused.message
    assert not CallAttempt.objects.exists()


def test_outside_calling_hours_is_refused_with_the_next_window_or_scheduled_for_it(
    agent: Any, policy: Any, line: Any, lead: Contact, twilio_rest: FakeProviderRest
) -> None:
    policy.calling_hours_start, policy.calling_hours_end = dt.time(9), dt.time(20)
    policy.calling_days = [0, 1, 2, 3, 4]
    policy.save()
    # Saturday 28 November 2026, 15:00 in New York (the lead's area code).
    saturday = dt.datetime(2026, 11, 28, 20, 0, tzinfo=UTC)
    refused = _refusal(contact=lead, agent=agent, now=saturday)
    monday = dt.datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # 09:00 EST
    assert (refused.code, refused.next_window) == ("outside_calling_hours", monday)
    assert "America/New_York" in refused.message and "Mon, Tue, Wed, Thu, Fri" in refused.message
    attempt = outbound_call_request(contact=lead, agent=agent, now=saturday, schedule=True)
    assert (attempt.status, attempt.scheduled_for) == (AttemptStatus.SCHEDULED, monday)
    # A call scheduled for a contact holds their one open attempt.
    assert _refusal(contact=lead, agent=agent, now=monday).code == "already_calling"
    # The dispatcher leaves it alone until its time, then places it.
    assert outbound_dispatch(now=saturday + dt.timedelta(hours=1)) == 0
    assert outbound_dispatch(now=monday + dt.timedelta(minutes=1)) == 1
    assert background.wait_idle(10)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.RINGING
    assert len(twilio_rest.requests) == 1


def test_a_due_retry_outside_hours_moves_to_the_next_window(
    agent: Any, policy: Any, line: Any, lead: Contact, twilio_rest: FakeProviderRest
) -> None:
    policy.calling_hours_start, policy.calling_hours_end = dt.time(9), dt.time(20)
    policy.save()
    lead.timezone = "Europe/Berlin"
    lead.save()
    late = dt.datetime(2026, 11, 30, 21, 30, tzinfo=UTC)  # 22:30 in Berlin
    retry = CallAttempt.objects.create(
        contact=lead,
        agent=agent,
        phone_number=line,
        to_number=lead.phone,
        provider="twilio",
        number=2,
        scheduled_for=late - dt.timedelta(hours=1),
    )
    assert outbound_dispatch(now=late) == 0
    retry.refresh_from_db()
    assert retry.scheduled_for == dt.datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 09:00 CET
    assert twilio_rest.requests == []


def test_the_agents_and_the_numbers_limits_hold_every_line(
    agent: Any, policy: Any, line: Any, lead: Contact, twilio_rest: FakeProviderRest
) -> None:
    line.max_outbound_calls = 1
    line.save()
    outbound_call_request(contact=lead, agent=agent)
    other = Contact.objects.create(owner=agent.owner, agent=agent, phone="+12125550111")
    assert _refusal(contact=other, agent=agent).code == "lines_busy"
    line.max_outbound_calls = 5
    line.save()
    agent.max_concurrent_calls = 1
    agent.save()
    assert _refusal(contact=other, agent=agent).code == "lines_busy"
    assert background.wait_idle(10)


async def test_the_opt_out_tool_marks_the_caller_and_cancels_their_scheduled_calls(
    agent: Any, policy: Any, line: Any, lead: Contact
) -> None:
    scheduled = await CallAttempt.objects.acreate(
        contact=lead,
        agent=agent,
        phone_number=line,
        to_number=lead.phone,
        provider="twilio",
        scheduled_for=timezone.now() + dt.timedelta(days=1),
    )
    call = await CallLog.objects.acreate(
        agent=agent, channel="twilio", engine="offline", caller_number=lead.phone
    )

    async def nothing(message: dict[str, Any]) -> None:
        return None

    context = ToolContext(
        call_id=str(call.pk),
        agent_id=agent.pk,
        user_info={},
        send_to_client=nothing,
        request_end=lambda: None,
    )
    assert await opt_out_of_calls({"reason": 42}, context) == {
        "ok": False,
        "error": "reason must be text",
    }
    assert await opt_out_of_calls({"reason": "stop calling me"}, context) == {
        "ok": True,
        "opted_out": True,
    }
    await lead.arefresh_from_db()
    assert (lead.do_not_call, lead.status) == (True, ContactStatus.OPTED_OUT)
    assert lead.opted_out_at is not None
    await scheduled.arefresh_from_db()
    assert (scheduled.status, scheduled.result) == (
        AttemptStatus.CANCELLED,
        AttemptResult.CANCELLED,
    )
    # A web caller with no number: asked for one first.
    web = await CallLog.objects.acreate(agent=agent, channel="web", engine="offline")
    context.call_id = str(web.pk)
    result = await opt_out_of_calls({}, context)
    assert result["ok"] is False and "phone number" in result["error"]


def test_an_unknown_caller_who_opts_out_becomes_a_do_not_call_contact(agent: Any) -> None:
    call = CallLog.objects.create(
        agent=agent, channel="twilio", engine="offline", caller_number="+14155550199"
    )
    assert call_contact_opt_out(call_id=str(call.pk))
    contact = Contact.objects.get(phone="+14155550199")
    assert contact.do_not_call and contact.owner_id == agent.owner_id
    call.refresh_from_db()
    assert call.contact_id == contact.pk


def test_a_campaign_calls_its_contacts_within_its_limit_and_completes(
    agent: Any, policy: Any, line: Any, twilio_rest: FakeProviderRest
) -> None:
    contacts = [
        Contact.objects.create(owner=agent.owner, agent=agent, phone=f"+1212555{n:04d}")
        for n in range(5)
    ]
    contacts[4].do_not_call = True
    contacts[4].save()
    campaign = campaign_save(
        campaign=Campaign(owner=agent.owner),
        changes={
            "name": "Win-back",
            "agent": agent,
            "phone_number": line,
            "max_concurrent_calls": 2,
        },
        contacts=contacts,
    )
    assert outbound_dispatch() == 0  # a draft calls nobody
    campaign_start(campaign=campaign)
    assert outbound_dispatch() == 2
    assert outbound_dispatch() == 0  # both lines busy
    assert background.wait_idle(10)
    for attempt in CallAttempt.objects.filter(campaign=campaign, status=AttemptStatus.RINGING):
        outbound_attempt_finish(attempt_id=attempt.pk, result=AttemptResult.ANSWERED)
    assert outbound_dispatch() == 2
    assert background.wait_idle(10)
    for attempt in CallAttempt.objects.filter(campaign=campaign, status=AttemptStatus.RINGING):
        outbound_attempt_finish(attempt_id=attempt.pk, result=AttemptResult.ANSWERED)
    assert outbound_dispatch() == 0
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.COMPLETED
    called = set(CallAttempt.objects.values_list("contact_id", flat=True))
    assert called == {c.pk for c in contacts[:4]}  # never the one who opted out
    assert len(twilio_rest.requests) == 4


def test_silent_attempts_are_closed_by_the_sweep(
    agent: Any, policy: Any, line: Any, lead: Contact
) -> None:
    long_ago = timezone.now() - dt.timedelta(hours=1)
    attempt = CallAttempt.objects.create(
        contact=lead,
        agent=agent,
        phone_number=line,
        to_number=lead.phone,
        provider="twilio",
        status=AttemptStatus.RINGING,
        dialled_at=long_ago,
    )
    assert outbound_attempts_sweep() == 1
    attempt.refresh_from_db()
    assert (attempt.status, attempt.result) == (AttemptStatus.DONE, AttemptResult.FAILED)
    assert "no word from the provider" in attempt.error
