"""Reads of contacts, scoped to who is asking."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from contacts.models import Contact
from voiceagent.selectors import owned_by


def contacts_for_user(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Contact]:
    contacts = Contact.objects.select_related("owner", "agent")
    return owned_by(contacts, user=user, owner_lookup="owner")
