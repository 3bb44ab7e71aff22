"""Writes of the outbound app: asking for a call, placing it, opting out (what became of
a call, and its retry, are ``result_services``; campaigns' calls, ``dispatch_services``).

An attempt moves ``scheduled → dialling → ringing → in_progress → done`` (or
``cancelled``); every move is a conditional update on its status, so that a duplicated
task, callback or sweep changes nothing twice. Lines are counted under row locks on the
agent and the number (and the campaign), so that concurrent requests and dispatchers
never exceed the agent's, the number's or the campaign's limit (PostgreSQL; SQLite runs
one writer at a time).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging

from asgiref.sync import async_to_sync
from django.db import IntegrityError, transaction
from django.utils import timezone

from agents.models import Agent
from calls.models import CallLog
from calls.telephony.control import CallControlError, OutboundDial
from calls.telephony.credentials import credentials_for, credentials_line
from calls.telephony.registry import provider_control
from calls.telephony.webhook import public_url
from contacts.models import Contact, ContactStatus
from contacts.services import ContactChanges, contact_upsert
from outbound.models import (
    AttemptResult,
    AttemptStatus,
    CallAttempt,
    Campaign,
    VoicemailAction,
)
from outbound.result_services import outbound_attempt_finish
from outbound.selectors import (
    agent_lines_in_use,
    calling_hours,
    number_lines_in_use,
    outbound_number_for,
    outbound_policy_for,
    zones_of_contact,
)
from outbound.windows import is_open, next_opening
from phone_numbers.models import PhoneNumber
from voiceagent.background import after_commit

logger = logging.getLogger(__name__)

# An attempt still dialling or ringing this long after its ring time has lost its
# provider's callbacks: it is closed as failed so that it stops holding a line.
STALE_RING_MARGIN = dt.timedelta(minutes=5)


class OutboundRefused(Exception):
    """A call that may not be placed now: ``code`` for programs, ``message`` for people,
    and, outside calling hours, when it could be."""

    def __init__(self, code: str, message: str, *, next_window: dt.datetime | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.next_window = next_window


# -- asking for a call


def outbound_call_request(
    *,
    contact: Contact,
    agent: Agent,
    phone_number: PhoneNumber | None = None,
    requested_by: object | None = None,
    schedule: bool = False,
    now: dt.datetime | None = None,
) -> CallAttempt:
    """Has ``agent`` call ``contact`` now (from ``phone_number``, else the agent's first
    active number), or at the next calling hours when ``schedule`` and it is outside
    them. Raises ``OutboundRefused`` when it may not: opted out, no phone, no number to
    call from, outside calling hours, every line in use, a call already under way."""
    now = now or timezone.now()
    _check_callable(contact=contact, agent=agent)
    number = _check_number(number=phone_number or outbound_number_for(agent=agent), agent=agent)
    policy = outbound_policy_for(agent=agent)
    hours = calling_hours(policy)
    zones = zones_of_contact(contact=contact, agent=agent)
    scheduled_for = now
    if not is_open(hours, zones, now):
        opening = next_opening(hours, zones, now)
        if not schedule or opening is None:
            raise OutboundRefused(
                "outside_calling_hours",
                _outside_hours_message(hours.describe(), zones, now, opening),
                next_window=opening,
            )
        scheduled_for = opening
    with transaction.atomic():
        _lock_lines(agent_id=agent.pk, number_id=number.pk)
        if scheduled_for <= now:
            _check_free_line(agent=agent, number=number)
        try:
            with transaction.atomic():
                attempt = CallAttempt.objects.create(
                    contact=contact,
                    agent=agent,
                    phone_number=number,
                    requested_by=requested_by,  # type: ignore[misc]
                    to_number=contact.phone,
                    provider=number.provider,
                    status=AttemptStatus.DIALLING
                    if scheduled_for <= now
                    else AttemptStatus.SCHEDULED,
                    scheduled_for=scheduled_for,
                    dialled_at=now if scheduled_for <= now else None,
                )
        except IntegrityError:
            raise OutboundRefused(
                "already_calling", "This contact already has a call scheduled or under way."
            ) from None
        if attempt.status == AttemptStatus.DIALLING:
            _dial_after_commit(attempt.pk)
    logger.info("Outbound call %s to contact %s: %s", attempt.pk, contact.pk, attempt.status)
    return attempt


def _check_callable(*, contact: Contact, agent: Agent) -> None:
    if contact.do_not_call or contact.status == ContactStatus.OPTED_OUT:
        raise OutboundRefused("opted_out", "This contact asked not to be called.")
    if not contact.phone:
        raise OutboundRefused("no_phone", "This contact has no phone number.")
    if not agent.is_active:
        raise OutboundRefused("agent_inactive", "The agent is not active.")
    if contact.owner_id != agent.owner_id:
        raise OutboundRefused("not_yours", "The contact and the agent have different owners.")


def _check_number(*, number: PhoneNumber | None, agent: Agent) -> PhoneNumber:
    if number is None:
        raise OutboundRefused(
            "no_number", "The agent has no active phone number to call from (add one)."
        )
    if not number.is_active or number.owner_id != agent.owner_id:
        raise OutboundRefused("number_unavailable", "That number cannot place calls.")
    if provider_control(number.provider) is None:
        raise OutboundRefused(
            "number_unavailable", f"{number.provider} numbers cannot place calls."
        )
    return number


def _outside_hours_message(
    hours: str, zones: tuple[str, ...], now: dt.datetime, opening: dt.datetime | None
) -> str:
    zone = zones[0] if len(zones) == 1 else f"{len(zones)} possible time zones"
    text = f"Outside calling hours for this contact ({hours}, {zone})."
    if opening is not None:
        text += f" The next window opens at {opening.isoformat()}."
    else:
        text += " Their hours never overlap in a week: set the contact's time zone."
    return text


def _lock_lines(*, agent_id: int, number_id: int, campaign_id: int | None = None) -> None:
    """Row locks, always in this order (agent, number, campaign): whoever counts the
    lines in use holds them until it has taken one."""
    list(Agent.objects.select_for_update().filter(pk=agent_id).values_list("pk"))
    list(PhoneNumber.objects.select_for_update().filter(pk=number_id).values_list("pk"))
    if campaign_id is not None:
        list(Campaign.objects.select_for_update().filter(pk=campaign_id).values_list("pk"))


def free_lines(*, agent: Agent, number: PhoneNumber) -> int:
    return min(
        agent.max_concurrent_calls - agent_lines_in_use(agent=agent),
        number.max_outbound_calls - number_lines_in_use(phone_number=number),
    )


def _check_free_line(*, agent: Agent, number: PhoneNumber) -> None:
    if free_lines(agent=agent, number=number) <= 0:
        raise OutboundRefused(
            "lines_busy",
            "Every line is in use (the agent's or the number's limit of calls at once); "
            "try again in a few minutes.",
        )


# -- placing it


def _dial_after_commit(attempt_id: int) -> None:
    after_commit(functools.partial(_dial_task_send, attempt_id), label=f"dial {attempt_id}")


def _dial_task_send(attempt_id: int) -> None:
    from outbound.tasks import outbound_attempt_dial_task

    outbound_attempt_dial_task.delay(attempt_id)


def outbound_links(*, provider: str, attempt_id: int) -> dict[str, str]:
    def link(step: str) -> str:
        return public_url(path=f"/{provider}/outbound/{attempt_id}/{step}/")

    return {"answer": link("answer"), "status": link("status"), "machine": link("machine")}


def outbound_attempt_dial(*, attempt_id: int) -> None:
    """Asks the provider to place the attempt's call, at most once: a task delivered
    twice, or run again after a crash in the middle, finds the claim taken and does
    nothing (an attempt whose provider's answer was lost is closed by the sweep)."""
    claimed = CallAttempt.objects.filter(
        pk=attempt_id, status=AttemptStatus.DIALLING, provider_status=""
    ).update(provider_status="requested")
    if not claimed:
        return
    attempt = CallAttempt.objects.select_related("phone_number", "agent", "contact").get(
        pk=attempt_id
    )
    number = attempt.phone_number
    control = provider_control(attempt.provider)
    line = credentials_line(provider=attempt.provider, called=number.number)
    account = credentials_for(provider=attempt.provider, line=line)
    policy = outbound_policy_for(agent=attempt.agent)
    error = ""
    if control is None or account is None or not account.account_id:
        error = f"{attempt.provider} is not configured to place calls"
    else:
        order = OutboundDial(
            to=attempt.to_number,
            from_=number.number,
            links=outbound_links(provider=attempt.provider, attempt_id=attempt.pk),
            ring_seconds=policy.ring_seconds,
            time_limit_seconds=attempt.agent.max_call_seconds,
            leave_voicemail=policy.voicemail_action == VoicemailAction.LEAVE_MESSAGE,
        )
        try:
            placed = async_to_sync(control.dial)(account=account, order=order)
        except CallControlError as exc:
            error = str(exc)
    if error:
        logger.warning("Outbound call %s could not be placed: %s", attempt_id, error)
        outbound_attempt_finish(attempt_id=attempt_id, result=AttemptResult.FAILED, error=error)
        return
    CallAttempt.objects.filter(pk=attempt_id, status=AttemptStatus.DIALLING).update(
        status=AttemptStatus.RINGING,
        provider_call_id=placed.call_id[:64],
        provider_request_id=placed.request_id[:64],
        provider_status="queued",
    )
    # A callback that came before the provider's answer was recorded keeps its word.
    CallAttempt.objects.filter(pk=attempt_id, provider_call_id="").update(
        provider_call_id=placed.call_id[:64], provider_request_id=placed.request_id[:64]
    )
    logger.info("Outbound call %s placed with %s (%s)", attempt_id, attempt.provider, placed)


# -- opting out


def contact_opt_out(*, contact: Contact, now: dt.datetime | None = None) -> int:
    """Marks the contact as never to be called again and cancels their scheduled calls
    (a call under way goes on: it may be the one in which they asked). Returns how many
    scheduled calls were cancelled."""
    now = now or timezone.now()
    Contact.objects.filter(pk=contact.pk).update(
        do_not_call=True, opted_out_at=now, status=ContactStatus.OPTED_OUT
    )
    contact.do_not_call, contact.opted_out_at = True, now
    contact.status = ContactStatus.OPTED_OUT
    cancelled = CallAttempt.objects.filter(contact=contact, status=AttemptStatus.SCHEDULED).update(
        status=AttemptStatus.CANCELLED, result=AttemptResult.CANCELLED, ended_at=now
    )
    logger.info("Contact %s opted out of calls (%d scheduled cancelled)", contact.pk, cancelled)
    return cancelled


def outbound_attempt_cancel(*, attempt: CallAttempt) -> bool:
    """Cancels a scheduled attempt (one already dialling is the provider's now)."""
    return bool(
        CallAttempt.objects.filter(pk=attempt.pk, status=AttemptStatus.SCHEDULED).update(
            status=AttemptStatus.CANCELLED,
            result=AttemptResult.CANCELLED,
            ended_at=timezone.now(),
        )
    )


def call_contact_opt_out(*, call_id: str, phone: str = "") -> bool:
    """The person on call ``call_id`` asked never to be called again: their contact (the
    call's, else the owner's contact with the call's number or ``phone``, else a new one
    with that number) is marked. False when there is no contact and no number to mark."""
    call = CallLog.objects.select_related("agent", "contact").filter(pk=call_id).first()
    if call is None:
        return False
    contact = call.contact
    number = call.caller_number if call.caller_number.startswith("+") else phone
    if contact is None and number:
        contact, _ = contact_upsert(
            owner_id=call.agent.owner_id,
            agent_id=call.agent_id,
            changes=ContactChanges(phone=number),
            call_id=call_id,
        )
        CallLog.objects.filter(pk=call_id).update(contact=contact)
    if contact is None:
        return False
    contact_opt_out(contact=contact)
    return True
