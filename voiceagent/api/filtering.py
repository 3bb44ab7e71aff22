"""Filtering that refuses what it does not understand."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
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
