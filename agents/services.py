"""Writes to agents, their services and business hours."""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from agents.models import Agent, BusinessHours, Service, Weekday, default_tools
from voiceagent.validators import validate_timezone

logger = logging.getLogger(__name__)

DEMO_AGENT_PUBLIC_ID = "front-desk"

DEMO_GREETING = "Hi, thanks for calling! I'm the front desk assistant. How can I help you today?"

DEMO_INSTRUCTIONS = """\
You are the friendly front desk assistant of a small business. Speak briefly and \
naturally, one question at a time.

Your jobs:
1. Answer questions about the business using the knowledge base. If you do not \
know, say so and offer to take a message; never invent facts.
2. Collect the caller's details in this order: first their name, then their email \
address, then their phone number. Spell the email back letter by letter and read \
the phone number back in groups, and correct anything the caller corrects. Save \
the contact once you have them.
3. Book appointments. We offer a Consultation (30 minutes) and a Product demo \
(45 minutes), Monday to Friday from 9:00 to 17:00. Check availability before \
offering a time, read the booking back (service, day, date and time) and book it \
only after the caller confirms.

When the caller is done, thank them, say goodbye and end the call.\
"""

DEMO_SERVICES = (
    ("Consultation", 30, "A 30-minute call to talk through your needs."),
    ("Product demo", 45, "A 45-minute guided tour of the product."),
)

DEMO_HOURS = (dt.time(9, 0), dt.time(17, 0))
WORKDAYS = (Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY)


@transaction.atomic
def agent_demo_ensure(*, owner: AbstractBaseUser, timezone: str = "UTC") -> tuple[Agent, bool]:
    """Creates the demo agent "Front desk" if it is missing; returns (agent, created).

    An existing demo agent is left as it is, so that edits made in the admin
    survive running ``bootstrap`` again.
    """
    validate_timezone(timezone)
    agent, created = Agent.objects.get_or_create(
        public_id=DEMO_AGENT_PUBLIC_ID,
        defaults={
            "owner": owner,
            "name": "Front desk",
            "greeting": DEMO_GREETING,
            "instructions": DEMO_INSTRUCTIONS,
            "timezone": timezone,
            "enabled_tools": default_tools(),
        },
    )
    if not created:
        return agent, False
    Service.objects.bulk_create(
        Service(agent=agent, name=name, duration_minutes=minutes, description=description)
        for name, minutes, description in DEMO_SERVICES
    )
    opens_at, closes_at = DEMO_HOURS
    BusinessHours.objects.bulk_create(
        BusinessHours(agent=agent, weekday=day, opens_at=opens_at, closes_at=closes_at)
        for day in WORKDAYS
    )
    logger.info("Created the demo agent %s", agent.public_id)
    return agent, True
