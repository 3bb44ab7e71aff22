"""Reads of appointments and calendar connections, scoped to who is asking."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from appointments.models import Appointment, CalendarConnection


def appointments_for_user(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Appointment]:
    appointments = Appointment.objects.select_related("agent", "contact", "service")
    if getattr(user, "is_superuser", False):
        return appointments
    return appointments.filter(agent__owner_id=user.pk)


def calendar_connections_for_user(
    *, user: AbstractBaseUser | AnonymousUser
) -> QuerySet[CalendarConnection]:
    connections = CalendarConnection.objects.select_related("owner")
    if getattr(user, "is_superuser", False):
        return connections
    return connections.filter(owner_id=user.pk)
