"""Reads of appointments and calendar connections, scoped to who is asking."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from appointments.models import Appointment, CalendarConnection
from voiceagent.selectors import owned_by


def appointments_for_user(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Appointment]:
    appointments = Appointment.objects.select_related("agent", "contact", "service")
    return owned_by(appointments, user=user, owner_lookup="agent__owner")


def calendar_connections_for_user(
    *, user: AbstractBaseUser | AnonymousUser
) -> QuerySet[CalendarConnection]:
    connections = CalendarConnection.objects.select_related("owner")
    return owned_by(connections, user=user, owner_lookup="owner")
