"""The dispatcher: places the calls that are due (campaigns' and scheduled retries), as
many as the lines allow, and closes attempts whose provider fell silent.

It runs every few seconds (Celery beat, or the embedded beat) and may run in several
processes at once: each campaign, agent and number is counted under row locks
(``services._lock_lines``) and each contact has at most one open attempt (a unique
constraint), so two dispatchers can neither exceed a limit nor call anyone twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from contacts.models import ContactStatus
from outbound.models import (
    LIVE_STATUSES,
    OPEN_STATUSES,
    AttemptResult,
    AttemptStatus,
    CallAttempt,
    Campaign,
    CampaignContact,
    CampaignStatus,
)
from outbound.result_services import outbound_attempt_finish
from outbound.selectors import calling_hours, outbound_policy_for, zones_of_contact
from outbound.services import (
    STALE_RING_MARGIN,
    OutboundRefused,
    _check_number,
    _dial_after_commit,
    _lock_lines,
    free_lines,
)
from outbound.windows import is_open, next_opening

logger = logging.getLogger(__name__)


def outbound_dispatch(*, now: dt.datetime | None = None) -> int:
    """One round: every running campaign, then scheduled retries of single calls, then
    the sweep. Returns how many calls were placed."""
    now = now or timezone.now()
    placed = 0
    for campaign_id in Campaign.objects.filter(status=CampaignStatus.RUNNING).values_list(
        "pk", flat=True
    ):
        placed += campaign_dispatch(campaign_id=campaign_id, now=now)
    placed += retries_dispatch(now=now)
    outbound_attempts_sweep(now=now)
    return placed


def campaign_dispatch(*, campaign_id: int, now: dt.datetime | None = None) -> int:
    """Places the campaign's due calls while its, the number's and the agent's lines
    allow: scheduled retries first, then contacts not yet called. Contacts outside their
    calling hours wait (a retry is moved to the next window)."""
    now = now or timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.select_related("agent", "phone_number").get(pk=campaign_id)
        if campaign.status != CampaignStatus.RUNNING or campaign.starts_at > now:
            return 0
        if campaign.ends_at is not None and campaign.ends_at <= now:
            _campaign_close(campaign, now=now)
            return 0
        try:
            _check_number(number=campaign.phone_number, agent=campaign.agent)
        except OutboundRefused as refused:
            logger.warning("Campaign %s paused: %s", campaign_id, refused.message)
            Campaign.objects.filter(pk=campaign_id).update(status=CampaignStatus.PAUSED)
            return 0
        _lock_lines(
            agent_id=campaign.agent_id, number_id=campaign.phone_number_id, campaign_id=campaign_id
        )
        live = CallAttempt.objects.filter(campaign=campaign, status__in=LIVE_STATUSES).count()
        free = min(
            campaign.max_concurrent_calls - live,
            free_lines(agent=campaign.agent, number=campaign.phone_number),
        )
        placed = 0
        if free > 0:
            placed = _campaign_fill(campaign, free=free, now=now)
        if placed == 0 and live == 0 and _campaign_finished(campaign):
            _campaign_close(campaign, now=now)
    return placed


def _campaign_fill(campaign: Campaign, *, free: int, now: dt.datetime) -> int:
    policy = outbound_policy_for(agent=campaign.agent)
    hours = calling_hours(policy)
    placed = 0
    retries = (
        CallAttempt.objects.filter(
            campaign=campaign, status=AttemptStatus.SCHEDULED, scheduled_for__lte=now
        )
        .select_related("contact")
        .order_by("scheduled_for", "pk")
    )
    for attempt in retries:
        if placed >= free:
            return placed
        if attempt.contact.do_not_call:
            _cancel(attempt, now=now)
            continue
        zones = zones_of_contact(contact=attempt.contact, agent=campaign.agent)
        if not is_open(hours, zones, now):
            _reschedule(attempt, next_opening(hours, zones, now), now=now)
            continue
        if _start(attempt, now=now):
            placed += 1
    open_attempt = CallAttempt.objects.filter(
        contact=OuterRef("contact"), status__in=[s.value for s in OPEN_STATUSES]
    )
    called_here = CallAttempt.objects.filter(campaign=campaign, contact=OuterRef("contact"))
    fresh = (
        CampaignContact.objects.filter(campaign=campaign)
        .exclude(contact__phone="")
        .exclude(contact__do_not_call=True)
        .exclude(contact__status=ContactStatus.OPTED_OUT)
        .exclude(Exists(called_here))
        .exclude(Exists(open_attempt))
        .select_related("contact")
        .order_by("pk")
    )
    for entry in fresh.iterator(chunk_size=200):
        if placed >= free:
            break
        contact = entry.contact
        if not is_open(hours, zones_of_contact(contact=contact, agent=campaign.agent), now):
            continue
        try:
            with transaction.atomic():
                attempt = CallAttempt.objects.create(
                    contact=contact,
                    agent=campaign.agent,
                    phone_number=campaign.phone_number,
                    campaign=campaign,
                    to_number=contact.phone,
                    provider=campaign.phone_number.provider,
                    status=AttemptStatus.DIALLING,
                    scheduled_for=now,
                    dialled_at=now,
                )
        except IntegrityError:
            continue  # called by someone else meanwhile
        _dial_after_commit(attempt.pk)
        placed += 1
    return placed


def _campaign_finished(campaign: Campaign) -> bool:
    """Nothing left to do: no open attempt, and every callable contact called."""
    if CallAttempt.objects.filter(campaign=campaign, status__in=OPEN_STATUSES).exists():
        return False
    called_here = CallAttempt.objects.filter(campaign=campaign, contact=OuterRef("contact"))
    return not (
        CampaignContact.objects.filter(campaign=campaign)
        .exclude(contact__phone="")
        .exclude(contact__do_not_call=True)
        .exclude(Exists(called_here))
        .exists()
    )


def _campaign_close(campaign: Campaign, *, now: dt.datetime) -> None:
    CallAttempt.objects.filter(campaign=campaign, status=AttemptStatus.SCHEDULED).update(
        status=AttemptStatus.CANCELLED, result=AttemptResult.CANCELLED, ended_at=now
    )
    Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.RUNNING).update(
        status=CampaignStatus.COMPLETED
    )
    logger.info("Campaign %s completed", campaign.pk)


def retries_dispatch(*, now: dt.datetime | None = None) -> int:
    """Scheduled single calls (retries, calls asked for outside hours) whose time came."""
    now = now or timezone.now()
    placed = 0
    due = list(
        CallAttempt.objects.filter(
            campaign__isnull=True, status=AttemptStatus.SCHEDULED, scheduled_for__lte=now
        )
        .order_by("scheduled_for")
        .values_list("pk", flat=True)[:500]
    )
    for attempt_id in due:
        with transaction.atomic():
            attempt = (
                CallAttempt.objects.select_related("agent", "phone_number", "contact")
                .filter(pk=attempt_id, status=AttemptStatus.SCHEDULED)
                .first()
            )
            if attempt is None:
                continue
            if attempt.contact.do_not_call:
                _cancel(attempt, now=now)
                continue
            try:
                _check_number(number=attempt.phone_number, agent=attempt.agent)
            except OutboundRefused as refused:
                outbound_attempt_finish(
                    attempt_id=attempt.pk, result=AttemptResult.FAILED, error=refused.message
                )
                continue
            hours = calling_hours(outbound_policy_for(agent=attempt.agent))
            zones = zones_of_contact(contact=attempt.contact, agent=attempt.agent)
            if not is_open(hours, zones, now):
                _reschedule(attempt, next_opening(hours, zones, now), now=now)
                continue
            _lock_lines(agent_id=attempt.agent_id, number_id=attempt.phone_number_id)
            if free_lines(agent=attempt.agent, number=attempt.phone_number) <= 0:
                continue  # next round
            if _start(attempt, now=now):
                placed += 1
    return placed


def _start(attempt: CallAttempt, *, now: dt.datetime) -> bool:
    started = CallAttempt.objects.filter(pk=attempt.pk, status=AttemptStatus.SCHEDULED).update(
        status=AttemptStatus.DIALLING, dialled_at=now
    )
    if started:
        _dial_after_commit(attempt.pk)
    return bool(started)


def _cancel(attempt: CallAttempt, *, now: dt.datetime) -> None:
    CallAttempt.objects.filter(pk=attempt.pk, status=AttemptStatus.SCHEDULED).update(
        status=AttemptStatus.CANCELLED, result=AttemptResult.CANCELLED, ended_at=now
    )


def _reschedule(attempt: CallAttempt, when: dt.datetime | None, *, now: dt.datetime) -> None:
    if when is None:
        outbound_attempt_finish(
            attempt_id=attempt.pk,
            result=AttemptResult.CANCELLED,
            error="the contact's calling hours never open (check their time zone)",
            now=now,
        )
        return
    CallAttempt.objects.filter(pk=attempt.pk, status=AttemptStatus.SCHEDULED).update(
        scheduled_for=when
    )


def outbound_attempts_sweep(*, now: dt.datetime | None = None) -> int:
    """Closes attempts whose provider fell silent: still dialling or ringing long after
    their ring time (failed), or in progress while their conversation has ended (closed
    with its result). Returns how many were closed."""
    now = now or timezone.now()
    closed = 0
    ringing_stale = CallAttempt.objects.filter(
        status__in=[AttemptStatus.DIALLING, AttemptStatus.RINGING],
        dialled_at__lt=now - STALE_RING_MARGIN - dt.timedelta(seconds=60),
    ).values_list("pk", flat=True)
    for attempt_id in list(ringing_stale[:500]):
        if outbound_attempt_finish(
            attempt_id=attempt_id,
            result=AttemptResult.FAILED,
            error="no word from the provider about this call",
            now=now,
        ):
            closed += 1
    talked = CallAttempt.objects.filter(
        Q(status=AttemptStatus.IN_PROGRESS)
        & Q(call__ended_at__isnull=False)
        & Q(call__ended_at__lt=now - STALE_RING_MARGIN)
    ).values_list("pk", flat=True)
    for attempt_id in list(talked[:500]):
        if outbound_attempt_finish(attempt_id=attempt_id, result=AttemptResult.ANSWERED, now=now):
            closed += 1
    return closed
