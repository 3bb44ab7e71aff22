"""Writes to contacts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone as django_timezone

from contacts.models import Contact, ContactStatus


@transaction.atomic
def contacts_status_set(*, contacts: Iterable[Contact], status: ContactStatus) -> int:
    """Moves contacts to ``status``; returns how many changed."""
    ids = [contact.pk for contact in contacts]
    return Contact.objects.filter(pk__in=ids).exclude(status=status).update(status=status)


@dataclass(frozen=True)
class ContactChanges:
    name: str = ""
    email: str = ""
    phone: str = ""


def _find_existing(owner_id: int, changes: ContactChanges) -> Contact | None:
    matches = Q()
    if changes.email:
        matches |= Q(email__iexact=changes.email)
    if changes.phone:
        matches |= Q(phone=changes.phone)
    if not matches:
        return None
    candidates = list(Contact.objects.select_for_update().filter(matches, owner_id=owner_id))
    # Prefer the row that matches by email; it identifies a person more reliably.
    candidates.sort(key=lambda c: c.email.lower() != changes.email.lower())
    return candidates[0] if candidates else None


def contact_upsert(
    *,
    owner_id: int,
    agent_id: int | None,
    changes: ContactChanges,
    call_id: str | None = None,
    contact_id: int | None = None,
) -> tuple[Contact, bool]:
    """Saves a caller as a contact: updates the person the email or phone already
    belongs to (or ``contact_id``), else creates one. Returns (contact, created).

    Values must already be normalised. Two calls saving the same person at once
    end with one row: the loser of the insert race updates the winner's row.
    ``call_id`` becomes a new contact's source call; linking the call to its contact is
    the calls app's write (``calls.services.call_contact_save``).
    """
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _contact_upsert_once(owner_id, agent_id, changes, call_id, contact_id)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _contact_upsert_once(
    owner_id: int,
    agent_id: int | None,
    changes: ContactChanges,
    call_id: str | None,
    contact_id: int | None,
) -> tuple[Contact, bool]:
    contact = None
    if contact_id is not None:
        contact = (
            Contact.objects.select_for_update().filter(pk=contact_id, owner_id=owner_id).first()
        )
    contact = contact or _find_existing(owner_id, changes)
    created = contact is None
    if contact is None:
        contact = Contact(owner_id=owner_id, agent_id=agent_id, source_call_id=call_id)
    changed = []
    for field in ("name", "email", "phone"):
        value = getattr(changes, field)
        if value and getattr(contact, field) != value:
            if (
                not created
                and field != "name"
                and _taken_by_other(owner_id, contact.pk, field, value)
            ):
                continue  # belongs to another contact; keep both rows as they are
            setattr(contact, field, value)
            changed.append(field)
    if created:
        # A concurrent insert of the same person raises IntegrityError here; the
        # caller's retry then finds and updates that row.
        contact.save()
    elif changed:
        contact.save(update_fields=[*changed, "updated_at"])
    return contact, created


def _taken_by_other(owner_id: int, pk: int, field: str, value: str) -> bool:
    lookup = {"email__iexact": value} if field == "email" else {"phone": value}
    return Contact.objects.filter(owner_id=owner_id, **lookup).exclude(pk=pk).exists()


class ContactConflict(Exception):
    """Another contact of the owner already has this email or phone number."""

    def __init__(self, message: str, *, existing_id: int) -> None:
        super().__init__(message)
        self.existing_id = existing_id


EDITABLE_FIELDS = (
    "name",
    "email",
    "phone",
    "status",
    "notes",
    "agent_id",
    "timezone",
    "do_not_call",
)


def _conflict_check(*, owner_id: int, email: str, phone: str, exclude_id: int | None) -> None:
    for field, lookup, value in (("email", "email__iexact", email), ("phone", "phone", phone)):
        if not value:
            continue
        others = Contact.objects.filter(owner_id=owner_id, **{lookup: value})
        if exclude_id is not None:
            others = others.exclude(pk=exclude_id)
        existing = others.values_list("pk", flat=True).first()
        if existing is not None:
            raise ContactConflict(
                f"Another contact already has this {field}.", existing_id=existing
            )


def contact_create(
    *,
    owner_id: int,
    agent_id: int | None = None,
    name: str = "",
    email: str = "",
    phone: str = "",
    status: str = ContactStatus.NEW,
    notes: str = "",
    timezone: str = "",
    do_not_call: bool = False,
) -> Contact:
    """Adds a contact by hand (the API, the admin). Values are validated by the caller;
    an email or phone that another contact of the owner has raises ``ContactConflict``
    (the tools merge instead, through ``contact_upsert``)."""
    _conflict_check(owner_id=owner_id, email=email, phone=phone, exclude_id=None)
    contact = Contact(
        owner_id=owner_id,
        agent_id=agent_id,
        name=name,
        email=email,
        phone=phone,
        timezone=timezone,
        do_not_call=do_not_call,
        opted_out_at=django_timezone.now() if do_not_call else None,
        status=ContactStatus.OPTED_OUT if do_not_call else status,
        notes=notes,
    )
    try:
        with transaction.atomic():
            contact.save()
    except IntegrityError:
        # Inserted by someone else between the check and the save.
        _conflict_check(owner_id=owner_id, email=email, phone=phone, exclude_id=None)
        raise
    return contact


def contact_update(*, contact: Contact, changes: dict[str, Any]) -> Contact:
    """Changes a contact's editable fields (validated by the caller)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    email = changes.get("email", contact.email)
    phone = changes.get("phone", contact.phone)
    _conflict_check(owner_id=contact.owner_id, email=email, phone=phone, exclude_id=contact.pk)
    changed = [field for field, value in changes.items() if getattr(contact, field) != value]
    if not changed:
        return contact
    for field in changed:
        setattr(contact, field, changes[field])
    try:
        with transaction.atomic():
            contact.save(update_fields=[*changed, "updated_at"])
    except IntegrityError:
        _conflict_check(owner_id=contact.owner_id, email=email, phone=phone, exclude_id=contact.pk)
        raise
    return contact


def contact_delete(*, contact: Contact) -> None:
    """Deletes a contact; their calls and appointments stay, no longer linked to it."""
    contact.delete()
