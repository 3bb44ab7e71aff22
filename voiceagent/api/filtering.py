"""Filtering that refuses what it does not understand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as FormValidationError
from django.db.models import QuerySet
from django_filters.fields import IsoDateTimeField
from django_filters.filters import IsoDateTimeFilter
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

# Parameters the pagination, ordering and renderers read, beside each view's filters.
COMMON_PARAMETERS = frozenset({"cursor", "page_size", "ordering", "format"})
BOOLEAN_CHOICES = [("true", "true"), ("false", "false")]


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, but an unknown query parameter is a 400 naming it: a misspelt
    filter silently ignored would return every call as if it matched."""

    def filter_queryset(self, request: Any, queryset: QuerySet[Any], view: Any) -> Any:
        filterset_class = self.get_filterset_class(view, queryset)
        known = set(filterset_class.base_filters) if filterset_class else set()
        unknown = sorted(set(request.query_params) - known - COMMON_PARAMETERS)
        if unknown:
            raise ValidationError({name: ["Unknown query parameter."] for name in unknown})
        return super().filter_queryset(request, queryset, view)


# Real offsets run from -12:00 to +14:00; PostgreSQL refuses anything past ±15:59.
MAX_UTC_OFFSET = dt.timedelta(hours=14)


class UtcDateTimeField(IsoDateTimeField):
    """ISO 8601, as UTC: an offset no real zone has, or a moment that cannot be
    expressed in UTC, is a validation error (the database would raise instead)."""

    def to_python(self, value: Any) -> dt.datetime | None:
        moment: dt.datetime | None = super().to_python(value)
        if moment is None:
            return None
        offset = moment.utcoffset()
        if offset is not None and abs(offset) > MAX_UTC_OFFSET:
            raise FormValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return moment.astimezone(dt.UTC) if moment.tzinfo is not None else moment
        except OverflowError:  # before year 1 or after 9999 once in UTC
            raise FormValidationError(self.error_messages["invalid"], code="invalid") from None


class UtcDateTimeFilter(IsoDateTimeFilter):
    field_class = UtcDateTimeField
