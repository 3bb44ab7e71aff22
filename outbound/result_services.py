"""Writes of the outbound app about what became of a call: answered, a machine's verdict,
progress, its end and result, and the retry that follows when the result calls for one.

Every change is a conditional update on the attempt's status (or a row lock), so that a
provider's callback delivered twice changes nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from calls.models import CallLog
from calls.telephony.credentials import credentials_line
from contacts.models import Contact, ContactStatus
from outbound.models import (
    LIVE_STATUSES,
    OPEN_STATUSES,
    RETRYABLE_RESULTS,
    AttemptResult,
    AttemptStatus,
    CallAttempt,
    VoicemailAction,
)
from outbound.selectors import (
    calling_hours,
    outbound_policy_for,
    voicemail_message,
    zones_of_contact,
)
from outbound.windows import next_opening

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answered:
    """An attempt the callee picked up: its stream may start."""

    attempt: CallAttempt
    line: str


def outbound_attempt_answered(*, attempt_id: int, provider_call_id: str) -> Answered | None:
    """The callee picked up: the attempt is in progress (None when it is not live any
    more, e.g. cancelled meanwhile: the call is then hung up)."""
    now = timezone.now()
    updated = CallAttempt.objects.filter(
        pk=attempt_id, status__in=[AttemptStatus.DIALLING, AttemptStatus.RINGING]
    ).update(
        status=AttemptStatus.IN_PROGRESS,
        answered_at=now,
        provider_call_id=provider_call_id[:64],
        provider_status="in-progress",
    )
    if not updated:
        return None
    attempt = CallAttempt.objects.select_related("phone_number").get(pk=attempt_id)
    line = credentials_line(provider=attempt.provider, called=attempt.phone_number.number)
    return Answered(attempt=attempt, line=line)


def outbound_attempt_call_link(*, attempt_id: int, call_id: str) -> None:
    """The attempt's conversation: its call log (set when the stream starts), which is
    the contact's from the start."""
    CallAttempt.objects.filter(pk=attempt_id).update(call_id=call_id)
    contact_id = CallAttempt.objects.filter(pk=attempt_id).values_list("contact_id", flat=True)
    CallLog.objects.filter(pk=call_id, contact__isnull=True).update(contact_id=contact_id[:1])


def outbound_attempt_status(*, attempt_id: int, provider_status: str) -> None:
    """A provider's progress report that is not final (initiated, ringing, answered)."""
    CallAttempt.objects.filter(pk=attempt_id, status__in=LIVE_STATUSES).update(
        provider_status=provider_status[:20]
    )


@dataclass(frozen=True)
class MachineVerdict:
    """What to do on a call an answering machine picked up."""

    call_id: str | None  # our call log, when the conversation has started
    action: str  # VoicemailAction
    message: str


def outbound_attempt_machine(*, attempt_id: int, answered_by: str) -> MachineVerdict | None:
    """The provider's answering-machine detection spoke: ``answered_by`` is its verdict
    (``human``, ``machine_start``, ``machine_end_beep``, ``fax``, ``unknown``…). None
    when a person answered (or nobody can tell): the conversation goes on."""
    attempt = CallAttempt.objects.select_related("agent", "contact").filter(pk=attempt_id).first()
    if attempt is None:
        return None
    CallAttempt.objects.filter(pk=attempt_id).update(answered_by=answered_by[:24])
    if not (answered_by.startswith("machine") or answered_by == "fax"):
        return None
    policy = outbound_policy_for(agent=attempt.agent)
    leave = policy.voicemail_action == VoicemailAction.LEAVE_MESSAGE and answered_by != "fax"
    result = AttemptResult.VOICEMAIL_LEFT if leave else AttemptResult.VOICEMAIL
    CallAttempt.objects.filter(pk=attempt_id, status__in=OPEN_STATUSES).update(result=result)
    return MachineVerdict(
        call_id=str(attempt.call_id) if attempt.call_id else None,
        action=VoicemailAction.LEAVE_MESSAGE if leave else VoicemailAction.HANG_UP,
        message=voicemail_message(attempt=attempt) if leave else "",
    )


# Providers' final statuses → results (Twilio's CallStatus; Plivo's CallStatus).
FINAL_RESULTS: dict[str, str] = {
    "completed": AttemptResult.ANSWERED,
    "busy": AttemptResult.BUSY,
    "no-answer": AttemptResult.NO_ANSWER,
    "timeout": AttemptResult.NO_ANSWER,
    "failed": AttemptResult.FAILED,
    "canceled": AttemptResult.CANCELLED,
    "cancel": AttemptResult.CANCELLED,
}


def outbound_attempt_finish(
    *,
    attempt_id: int,
    result: str,
    provider_status: str = "",
    error: str = "",
    now: dt.datetime | None = None,
) -> CallAttempt | None:
    """Closes the attempt with ``result`` (a voicemail verdict already recorded wins over
    a plain ``answered``) and schedules the next one when the result calls for it and
    the policy allows. Idempotent: an attempt already closed is left as it is."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = (
            # Only the attempt's row: the campaign is a nullable join, which PostgreSQL
            # will not lock (and needs no lock here).
            CallAttempt.objects.select_for_update(of=("self",))
            .select_related("agent", "contact", "campaign", "phone_number")
            .filter(pk=attempt_id)
            .first()
        )
        if attempt is None or attempt.status not in OPEN_STATUSES:
            return None
        if attempt.result in (AttemptResult.VOICEMAIL, AttemptResult.VOICEMAIL_LEFT):
            result = attempt.result
        attempt.status = AttemptStatus.DONE
        attempt.result = result
        attempt.ended_at = now
        attempt.error = error[:2000]
        if provider_status:
            attempt.provider_status = provider_status[:20]
        attempt.save(
            update_fields=["status", "result", "ended_at", "error", "provider_status", "updated_at"]
        )
        if result in (AttemptResult.ANSWERED, AttemptResult.VOICEMAIL_LEFT):
            Contact.objects.filter(pk=attempt.contact_id, status=ContactStatus.NEW).update(
                status=ContactStatus.CONTACTED
            )
        if result in RETRYABLE_RESULTS:
            _retry_schedule(attempt=attempt, now=now)
    logger.info("Outbound call %s ended: %s", attempt_id, result)
    return attempt


def _retry_schedule(*, attempt: CallAttempt, now: dt.datetime) -> CallAttempt | None:
    """The next attempt after a busy line, no answer, a failure or a machine: after the
    policy's spacing, at the next calling hours; none after the last allowed attempt,
    for a contact who opted out, or for a campaign that stopped."""
    contact = attempt.contact
    policy = outbound_policy_for(agent=attempt.agent)
    if attempt.number >= policy.max_attempts or contact.do_not_call:
        return None
    if attempt.campaign is not None and attempt.campaign.status in ("cancelled", "completed"):
        return None
    zones = zones_of_contact(contact=contact, agent=attempt.agent)
    when = next_opening(
        calling_hours(policy), zones, now + dt.timedelta(minutes=policy.retry_minutes)
    )
    if when is None:
        return None
    try:
        with transaction.atomic():
            return CallAttempt.objects.create(
                contact=contact,
                agent=attempt.agent,
                phone_number=attempt.phone_number,
                campaign=attempt.campaign,
                requested_by=attempt.requested_by,
                number=attempt.number + 1,
                to_number=contact.phone or attempt.to_number,
                provider=attempt.provider,
                status=AttemptStatus.SCHEDULED,
                scheduled_for=when,
            )
    except IntegrityError:
        return None  # another call to them is already scheduled or under way
