"""Read helpers shared by the apps' selectors."""

from __future__ import annotations

from typing import TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def owned_by(
    queryset: QuerySet[M], *, user: AbstractBaseUser | AnonymousUser, owner_lookup: str
) -> QuerySet[M]:
    """Superusers see every row; everybody else only rows whose owner they are."""
    if getattr(user, "is_superuser", False):
        return queryset
    return queryset.filter(**{f"{owner_lookup}_id": user.pk})
