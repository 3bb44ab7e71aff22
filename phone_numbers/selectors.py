"""Reads of phone numbers, scoped to who is asking, and the number a call was made to."""

from __future__ import annotations

import phonenumbers
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from agents.models import Agent
from phone_numbers.models import PhoneNumber
from voiceagent.selectors import owned_by


def phone_numbers_for_user(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[PhoneNumber]:
    """Superusers see every number; everybody else only their own."""
    numbers = PhoneNumber.objects.select_related("owner", "agent")
    return owned_by(numbers, user=user, owner_lookup="owner")


def phone_numbers_of_agent(*, agent: Agent) -> QuerySet[PhoneNumber]:
    return PhoneNumber.objects.filter(agent=agent).order_by("number")


def e164(number: str) -> str:
    """A called number as stored (E.164): providers send ``+14155550100`` (Twilio) or
    ``14155550100`` (Plivo). Whatever cannot be read comes back as given (it matches no
    stored number)."""
    text = number.strip()
    if text[:1].isdigit():
        text = "+" + text
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_number_find(*, provider: str, number: str) -> PhoneNumber | None:
    """The provider's number ``number`` (any form ``e164`` reads), active or not, with
    its agent."""
    return (
        PhoneNumber.objects.select_related("agent")
        .filter(provider=provider, number=e164(number))
        .first()
    )


def phone_number_get(*, provider: str, line: str) -> PhoneNumber | None:
    """A number by its id as a string (a stream's line); None for anything else."""
    if not line.isdigit():
        return None
    return PhoneNumber.objects.filter(pk=int(line), provider=provider).first()


def phone_number_agent(*, provider: str, number: str) -> Agent | None:
    """The agent the provider's number routes calls to (whatever the number's state: a
    call that already happened on it belongs to that agent), or None."""
    found = phone_number_find(provider=provider, number=number)
    return found.agent if found is not None else None
