"""Reads of the outbound app: policies, what an agent is told about the person it calls,
how many lines are in use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from agents.models import Agent
from calls.models import CallLog, CallStatus
from contacts.models import Contact
from outbound.models import LIVE_STATUSES, CallAttempt, Campaign, OutboundPolicy
from outbound.windows import CallingHours, contact_zones
from phone_numbers.models import PhoneNumber
from voiceagent.selectors import owned_by

PREVIOUS_CALLS_TOLD = 3


def outbound_policy_for(*, agent: Agent) -> OutboundPolicy:
    """The agent's policy, or the defaults (unsaved) when it has none."""
    policy = OutboundPolicy.objects.filter(agent=agent).first()
    return policy if policy is not None else OutboundPolicy(agent=agent)


def calling_hours(policy: OutboundPolicy) -> CallingHours:
    return CallingHours(
        start=policy.calling_hours_start,
        end=policy.calling_hours_end,
        days=frozenset(int(d) for d in policy.calling_days),
    )


def zones_of_contact(*, contact: Contact, agent: Agent) -> tuple[str, ...]:
    return contact_zones(timezone=contact.timezone, phone=contact.phone, fallback=agent.timezone)


def outbound_number_for(*, agent: Agent) -> PhoneNumber | None:
    """The number an agent calls from when none is named: its first active number."""
    return (
        PhoneNumber.objects.filter(agent=agent, owner_id=agent.owner_id, is_active=True)
        .order_by("pk")
        .first()
    )


def live_attempts() -> QuerySet[CallAttempt]:
    return CallAttempt.objects.filter(status__in=[s.value for s in LIVE_STATUSES])


def agent_lines_in_use(*, agent: Agent) -> int:
    """Calls the agent holds now: live call logs (inbound and outbound) plus outbound
    attempts still ringing (they have no call log yet)."""
    oldest = timezone.now() - dt.timedelta(seconds=agent.max_call_seconds + 120)
    calls = CallLog.objects.filter(
        agent=agent,
        status__in=[CallStatus.CONNECTING, CallStatus.ACTIVE],
        started_at__gte=oldest,
    ).count()
    ringing = live_attempts().filter(agent=agent, call__isnull=True).count()
    return calls + ringing


def number_lines_in_use(*, phone_number: PhoneNumber) -> int:
    return live_attempts().filter(phone_number=phone_number).count()


@dataclass(frozen=True)
class OutboundCallContext:
    """What the agent is told about the person it is calling (``agent_snapshot``)."""

    attempt_id: int
    contact_id: int
    campaign_id: int | None
    greeting: str
    note: str  # appended to the agent's instructions
    known_caller: dict[str, str]


def outbound_call_context(*, attempt_id: int) -> OutboundCallContext | None:
    """The context of an answered attempt's call: the contact's name, what they asked in
    earlier calls, the last call's summary."""
    attempt = (
        CallAttempt.objects.select_related("contact", "agent", "campaign")
        .filter(pk=attempt_id)
        .first()
    )
    if attempt is None:
        return None
    contact, agent = attempt.contact, attempt.agent
    policy = outbound_policy_for(agent=agent)
    earlier = list(
        CallLog.objects.filter(contact=contact)
        .filter(~Q(summary=""))
        .order_by("-started_at")
        .values_list("started_at", "summary")[:PREVIOUS_CALLS_TOLD]
    )
    lines = [
        "This is an OUTBOUND call: you are calling "
        + (contact.name or "a contact")
        + f" ({contact.phone}) on behalf of the business"
        + (f", as part of the campaign “{attempt.campaign.name}”" if attempt.campaign else "")
        + ". They did not call you: introduce yourself, say why you are calling, and ask if "
        "now is a good time. If they ask not to be called again, use opt_out_of_calls, "
        "apologise and end the call.",
    ]
    if contact.notes.strip():
        lines.append(f"What we know about them: {contact.notes.strip()[:1000]}")
    for started_at, summary in earlier:
        lines.append(f"Their call of {started_at:%d %B %Y}: {summary.strip()[:800]}")
    known = {key: value for key in ("name", "email", "phone") if (value := getattr(contact, key))}
    greeting = policy.greeting.format(name=contact.name, agent=agent.name)
    return OutboundCallContext(
        attempt_id=attempt.pk,
        contact_id=contact.pk,
        campaign_id=attempt.campaign_id,
        greeting=" ".join(greeting.replace(" ,", ",").split()),
        note="\n\n" + "\n".join(lines),
        known_caller=known,
    )


def voicemail_message(*, attempt: CallAttempt) -> str:
    policy = outbound_policy_for(agent=attempt.agent)
    text = policy.voicemail_message.format(name=attempt.contact.name, agent=attempt.agent.name)
    return " ".join(text.replace(" ,", ",").split())


def campaigns_for_user(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Campaign]:
    campaigns = Campaign.objects.select_related("agent", "phone_number").annotate(
        contact_count=Count("entries", distinct=True)
    )
    return owned_by(campaigns, user=user, owner_lookup="owner")


def attempts_for_user(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[CallAttempt]:
    attempts = CallAttempt.objects.select_related("agent", "phone_number")
    return owned_by(attempts, user=user, owner_lookup="agent__owner")


def campaign_progress(*, campaign: Campaign) -> dict[str, dict[str, int]]:
    """The campaign's attempts by status, and its finished ones by result."""
    by_status = dict(
        CallAttempt.objects.filter(campaign=campaign)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    by_result = dict(
        CallAttempt.objects.filter(campaign=campaign, status="done")
        .values_list("result")
        .annotate(n=Count("pk"))
        .values_list("result", "n")
    )
    return {"attempts": by_status, "results": by_result}


def attempts_of_call(*, call: CallLog, limit: int = 20) -> list[CallAttempt]:
    """Every attempt to reach the person of an outbound call, by its agent, oldest first."""
    if call.contact_id is None:
        return []
    return list(
        CallAttempt.objects.filter(contact_id=call.contact_id, agent_id=call.agent_id).order_by(
            "created_at"
        )[:limit]
    )
