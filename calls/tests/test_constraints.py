"""Call log rows keep valid statuses and orderings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from agents.models import Agent
from calls.models import CallLog, TranscriptTurn

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "field, value",
    [("status", "ringing"), ("channel", "fax"), ("end_reason", "bored"), ("engine", "magic")],
)
def test_unknown_choice_values_are_rejected(call: CallLog, field: str, value: str) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        CallLog.objects.filter(pk=call.pk).update(**{field: value})


def test_call_cannot_end_before_it_started(call: CallLog) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        CallLog.objects.filter(pk=call.pk).update(
            ended_at=call.started_at - dt.timedelta(seconds=1)
        )


def test_turn_sequence_is_unique_per_call(call: CallLog) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        TranscriptTurn.objects.create(call=call, seq=1, role="user", text="again")


def test_provider_call_id_is_unique_per_channel(agent: Agent) -> None:
    CallLog.objects.create(agent=agent, channel="twilio", engine="openai", provider_call_id="CA1")
    CallLog.objects.create(agent=agent, channel="plivo", engine="openai", provider_call_id="CA1")
    CallLog.objects.create(agent=agent, channel="web", engine="openai")
    CallLog.objects.create(agent=agent, channel="web", engine="openai")
    with pytest.raises(IntegrityError), transaction.atomic():
        CallLog.objects.create(
            agent=agent, channel="twilio", engine="openai", provider_call_id="CA1"
        )
