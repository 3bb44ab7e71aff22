"""Admin plumbing shared by the apps: owner scoping for multi-user installs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest

Selector = Callable[..., QuerySet[Any]]


class OwnerScopedAdmin(admin.ModelAdmin):
    """Staff users see and pick only their own rows; superusers see everything.

    ``scoped_queryset`` is the app's ``<entity>s_for_user`` selector;
    ``related_selectors`` scopes the choices of foreign keys the same way.
    """

    scoped_queryset: Selector
    related_selectors: dict[str, Selector] = {}
    owner_field: str | None = None
    # An address typed without a scheme means https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = type(self).scoped_queryset(user=request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        selector = self.related_selectors.get(db_field.name)
        if selector is not None:
            kwargs["queryset"] = selector(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        excluded = list(super().get_exclude(request, obj) or [])
        if self.owner_field and not request.user.is_superuser:
            excluded.append(self.owner_field)
        return excluded

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if self.owner_field and not request.user.is_superuser and not change:
            setattr(obj, self.owner_field, request.user)
        super().save_model(request, obj, form, change)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows written by calls: viewable, deletable by superusers, never edited."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)
