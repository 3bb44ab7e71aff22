"""Admin plumbing shared by the apps: owner scoping for multi-user installs."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import quote
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

Selector = Callable[..., QuerySet[Any]]


def https_formfield(db_field: models.Field[Any, Any], **kwargs: Any) -> Any:
    """``Meta.formfield_callback`` of the admin's own model forms: their URL fields take
    an address typed without a scheme as https, like OwnerScopedAdmin's (the admin first
    builds such a form without its own callback)."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


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

    def get_list_display(self, request: HttpRequest) -> Any:
        # A staff user's rows are all their own: no owner column.
        columns = super().get_list_display(request)
        if self.owner_field and not request.user.is_superuser:
            return [column for column in columns if column != self.owner_field]
        return columns

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        # The owner field is not in a staff user's form (get_exclude): leave it out of
        # the layout too, else the page asks the form for a field it does not have.
        fieldsets = super().get_fieldsets(request, obj)
        if not self.owner_field or request.user.is_superuser:
            return fieldsets

        def kept(line: Any) -> Any:
            if isinstance(line, list | tuple):
                return [name for name in line if name != self.owner_field] or None
            return None if line == self.owner_field else line

        return [
            (
                name,
                {
                    **options,
                    "fields": [k for k in map(kept, options["fields"]) if k is not None],
                },
            )
            for name, options in fieldsets
        ]

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


# Small read-only renderings, so that owners read values rather than JSON.


def dollars(amount: Decimal | float | None) -> str:
    """Money as people read it: cents above a dollar, four decimals below (calls cost
    fractions of a cent per turn)."""
    if amount is None:
        return "—"
    value = Decimal(str(amount))
    return f"${value:,.2f}" if abs(value) >= 1 else f"${value:.4f}"


def duration_text(seconds: int | None) -> str | None:
    """A call's length as people say it: "1 min 35 s"."""
    if seconds is None:
        return None
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def change_link(obj: models.Model, text: object = None) -> str:
    """A link to ``obj``'s admin page (the admin answers 404 to those not allowed)."""
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[quote(obj.pk)])
    return format_html('<a href="{}">{}</a>', url, obj if text is None else text)


def readable(value: object) -> str:
    """One captured value: text as is, lists as a list, nothing as a dash."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, list):
        return format_html(
            "<ul style='margin:0;padding-left:1.2em'>{}</ul>",
            format_html_join("", "<li>{}</li>", ((readable(item),) for item in value)),
        )
    if isinstance(value, dict):
        return format_html("<code>{}</code>", json.dumps(value, ensure_ascii=False))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def pairs_table(rows: Iterable[tuple[str, object]]) -> str:
    """Label → value rows as a small table (values escaped unless already safe HTML)."""
    return format_html(
        "<table class='va-pairs'><tbody>{}</tbody></table>",
        format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td></tr>",
            ((label, readable(value)) for label, value in rows),
        ),
    )
