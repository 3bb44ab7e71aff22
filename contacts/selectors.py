"""Reads of contacts, scoped to who is asking."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from appointments.models import Appointment
from appointments.selectors import appointments_for_user
from calls.models import CallLog
from calls.selectors import calls_for_user
from contacts.models import Contact
from voiceagent.selectors import owned_by


def contacts_for_user(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Contact]:
    contacts = Contact.objects.select_related("owner", "agent")
    return owned_by(contacts, user=user, owner_lookup="owner")


@dataclass(frozen=True)
class HistoryEntry:
    """A call with the contact (at its start) or an appointment of theirs (at its start)."""

    at: dt.datetime
    call: CallLog | None = None
    appointment: Appointment | None = None


@dataclass(frozen=True)
class ContactHistory:
    entries: list[HistoryEntry]
    truncated: bool  # older calls or appointments than these exist


def contact_history(
    *, contact: Contact, user: AbstractBaseUser | AnonymousUser, limit: int = 100
) -> ContactHistory:
    """The contact's calls and appointments the user may see, newest first (upcoming
    appointments on top); at most ``limit`` of each."""
    calls = list(
        calls_for_user(user=user).filter(contact=contact).order_by("-started_at")[: limit + 1]
    )
    appointments = list(
        appointments_for_user(user=user).filter(contact=contact).order_by("-start_at")[: limit + 1]
    )
    truncated = len(calls) > limit or len(appointments) > limit
    entries = [HistoryEntry(at=call.started_at, call=call) for call in calls[:limit]]
    entries += [
        HistoryEntry(at=appointment.start_at, appointment=appointment)
        for appointment in appointments[:limit]
    ]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return ContactHistory(entries=entries, truncated=truncated)
