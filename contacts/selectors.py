"""Reads of contacts, scoped to who is asking."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from contacts.models import Contact


def contacts_for_user(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Contact]:
    contacts = Contact.objects.select_related("owner", "agent")
    if getattr(user, "is_superuser", False):
        return contacts
    return contacts.filter(owner_id=user.pk)
