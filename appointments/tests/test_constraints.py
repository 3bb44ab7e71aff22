"""Appointment rows cannot describe impossible or double bookings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from agents.models import Agent
from appointments.models import Appointment, AppointmentStatus

pytestmark = pytest.mark.django_db


def _book(agent: Agent, start: dt.datetime, key: str, **fields: object) -> Appointment:
    return Appointment.objects.create(
        agent=agent,
        service_name="Consultation",
        start_at=start,
        end_at=start + dt.timedelta(minutes=30),
        timezone="Europe/London",
        idempotency_key=key,
        **fields,
    )


def test_same_start_cannot_be_booked_twice(agent: Agent) -> None:
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=2)
    _book(agent, start, "a")
    with pytest.raises(IntegrityError), transaction.atomic():
        _book(agent, start, "b")


def test_a_cancelled_slot_can_be_booked_again(agent: Agent) -> None:
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=2)
    _book(agent, start, "a", status=AppointmentStatus.CANCELLED)
    assert _book(agent, start, "b").status == AppointmentStatus.PENDING


def test_end_must_follow_start_and_keys_are_unique(agent: Agent) -> None:
    start = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(
            agent=agent,
            service_name="Consultation",
            start_at=start,
            end_at=start,
            timezone="UTC",
            idempotency_key="x",
        )
    _book(agent, start, "same-key")
    with pytest.raises(IntegrityError), transaction.atomic():
        _book(agent, start + dt.timedelta(hours=1), "same-key")


def test_unknown_status_is_rejected(agent: Agent) -> None:
    appointment = _book(agent, timezone.now() + dt.timedelta(days=4), "a")
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.filter(pk=appointment.pk).update(status="maybe")
