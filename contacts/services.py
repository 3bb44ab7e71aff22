"""Writes to contacts."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from contacts.models import Contact, ContactStatus


@transaction.atomic
def contacts_status_set(*, contacts: Iterable[Contact], status: ContactStatus) -> int:
    """Moves contacts to ``status``; returns how many changed."""
    ids = [contact.pk for contact in contacts]
    return Contact.objects.filter(pk__in=ids).exclude(status=status).update(status=status)
