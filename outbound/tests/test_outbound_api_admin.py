"""The REST API and the admin of outbound calls: calling a contact, campaigns, attempts,
opting out; owner-scoped, errors in the API's one shape."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact, ContactStatus
from outbound.models import AttemptStatus, CallAttempt, Campaign, CampaignStatus
from voiceagent import background

pytestmark = pytest.mark.django_db(transaction=True)


def test_calling_a_contact_through_the_api(
    agent: Any, policy: Any, line: Any, lead: Contact, twilio_rest: Any, api_client: Any
) -> None:
    client = api_client(agent.owner)
    response = client.post(f"/api/contacts/{lead.pk}/call/", {}, content_type="application/json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["contact"], body["agent"], body["status"]) == (
        lead.pk,
        agent.public_id,
        "dialling",
    )
    assert body["from_number"] == line.number
    assert background.wait_idle(10)
    # A second call while the first is under way: a conflict with a code.
    again = client.post(f"/api/contacts/{lead.pk}/call/", {}, content_type="application/json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_calling"
    listed = client.get("/api/call-attempts/", {"contact": lead.pk}).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    assert listed["results"][0]["status"] == "ringing"
    assert client.get("/api/call-attempts/", {"colour": "red"}).status_code == 400


def test_outside_hours_the_api_says_when_the_window_opens_or_schedules(
    agent: Any, policy: Any, line: Any, lead: Contact, api_client: Any
) -> None:
    lead.timezone = "UTC"
    lead.save()
    today = timezone.now().weekday()
    policy.calling_days = [(today + 2) % 7]
    policy.save()
    client = api_client(agent.owner)
    response = client.post(f"/api/contacts/{lead.pk}/call/", {}, content_type="application/json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "outside_calling_hours"
    window = dt.datetime.fromisoformat(error["details"]["next_window"])
    assert window.weekday() == (today + 2) % 7 and window > timezone.now()
    scheduled = client.post(
        f"/api/contacts/{lead.pk}/call/", {"schedule": True}, content_type="application/json"
    )
    assert scheduled.status_code == 202
    assert scheduled.json()["status"] == "scheduled"
    assert dt.datetime.fromisoformat(scheduled.json()["scheduled_for"]) == window


def test_an_opted_out_contact_is_refused_and_the_api_can_opt_out(
    agent: Any, policy: Any, line: Any, lead: Contact, api_client: Any
) -> None:
    client = api_client(agent.owner)
    future = CallAttempt.objects.create(
        contact=lead,
        agent=agent,
        phone_number=line,
        to_number=lead.phone,
        provider="twilio",
        scheduled_for=timezone.now() + dt.timedelta(days=1),
    )
    changed = client.patch(
        f"/api/contacts/{lead.pk}/", {"do_not_call": True}, content_type="application/json"
    )
    assert changed.status_code == 200
    assert changed.json()["do_not_call"] is True and changed.json()["opted_out_at"]
    future.refresh_from_db()
    assert future.status == AttemptStatus.CANCELLED
    refused = client.post(f"/api/contacts/{lead.pk}/call/", {}, content_type="application/json")
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "opted_out")


def test_other_accounts_cannot_call_or_see_a_contact(
    agent: Any, policy: Any, line: Any, lead: Contact, api_client: Any, stranger: Any
) -> None:
    client = api_client(stranger)
    response = client.post(f"/api/contacts/{lead.pk}/call/", {}, content_type="application/json")
    assert response.status_code == 404
    assert client.get("/api/call-attempts/").json()["results"] == []
    assert not CallAttempt.objects.exists()


def test_campaigns_through_the_api(
    agent: Any, policy: Any, line: Any, lead: Contact, api_client: Any, twilio_rest: Any
) -> None:
    client = api_client(agent.owner)
    other = Contact.objects.create(owner=agent.owner, agent=agent, phone="+12125550123")
    created = client.post(
        "/api/campaigns/",
        {
            "name": "Spring check-ups",
            "agent": agent.public_id,
            "from_number": line.pk,
            "max_concurrent_calls": 3,
            "contacts": [lead.pk, other.pk, lead.pk],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    campaign = created.json()
    assert (campaign["status"], campaign["contact_count"]) == ("draft", 2)
    bad = client.post(
        "/api/campaigns/",
        {
            "name": "Backwards",
            "agent": agent.public_id,
            "from_number": line.pk,
            "starts_at": "2026-12-02T10:00:00Z",
            "ends_at": "2026-12-01T10:00:00Z",
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and "ends_at" in bad.json()["error"]["details"]
    started = client.post(f"/api/campaigns/{campaign['id']}/start/")
    assert (started.status_code, started.json()["status"]) == (200, "running")
    from outbound.dispatch_services import outbound_dispatch

    assert outbound_dispatch() == 2
    assert background.wait_idle(10)
    detail = client.get(f"/api/campaigns/{campaign['id']}/").json()
    assert detail["progress"]["attempts"] == {"ringing": 2}
    paused = client.post(f"/api/campaigns/{campaign['id']}/pause/").json()
    assert paused["status"] == "paused"
    cancelled = client.post(f"/api/campaigns/{campaign['id']}/cancel/").json()
    assert cancelled["status"] == "cancelled"
    assert Campaign.objects.get().status == CampaignStatus.CANCELLED


def test_call_this_lead_from_the_admin(
    agent: Any, policy: Any, line: Any, lead: Contact, twilio_rest: Any, admin_client: Any
) -> None:
    nobody = Contact.objects.create(owner=agent.owner, name="No phone")
    url = reverse("admin:contacts_contact_changelist")
    response = admin_client.post(
        url,
        {"action": "call_lead", "_selected_action": [lead.pk, nobody.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "Ada Lovelace: calling now." in text
    assert "No phone: no agent to call them." in text
    assert background.wait_idle(10)
    assert len(twilio_rest.requests) == 1
    page = admin_client.get(reverse("admin:contacts_contact_change", args=[lead.pk]))
    assert "attempt 1" in page.content.decode()
    agent_page = admin_client.get(reverse("admin:agents_agent_change", args=[agent.pk]))
    assert "Outbound calls (calling hours, retries, voicemail)" in agent_page.content.decode()
    campaigns = admin_client.get(reverse("admin:outbound_campaign_add"))
    assert campaigns.status_code == 200
    attempts = admin_client.get(reverse("admin:outbound_callattempt_changelist"))
    assert attempts.status_code == 200 and LEAD_NUMBER in attempts.content.decode()


def test_opting_out_from_the_admin(
    agent: Any, policy: Any, line: Any, lead: Contact, admin_client: Any
) -> None:
    url = reverse("admin:contacts_contact_changelist")
    admin_client.post(url, {"action": "mark_opted_out", "_selected_action": [lead.pk]})
    lead.refresh_from_db()
    assert (lead.do_not_call, lead.status) == (True, ContactStatus.OPTED_OUT)


LEAD_NUMBER = "+12125550100"


def test_an_outbound_call_log_lists_every_attempt(
    agent: Any, policy: Any, line: Any, lead: Contact, api_client: Any, admin_client: Any
) -> None:
    from calls.models import CallLog

    call = CallLog.objects.create(
        agent=agent, channel="twilio", engine="offline", direction="outbound", contact=lead
    )
    for number, result in ((1, "busy"), (2, "answered")):
        CallAttempt.objects.create(
            contact=lead,
            agent=agent,
            phone_number=line,
            to_number=lead.phone,
            provider="twilio",
            number=number,
            status=AttemptStatus.DONE,
            result=result,
            call=call if number == 2 else None,
        )
    detail = api_client(agent.owner).get(f"/api/calls/{call.pk}/").json()
    assert [(a["number"], a["result"]) for a in detail["outbound_attempts"]] == [
        (1, "busy"),
        (2, "answered"),
    ]
    page = admin_client.get(reverse("admin:calls_calllog_change", args=[call.pk])).content
    assert b"attempt 1" in page and b"Busy" in page and b"attempt 2" in page
