"""Filters of the contact list; unknown parameters are refused by StrictFilterBackend."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django_filters import rest_framework as filters

from contacts.models import Contact, ContactStatus
from voiceagent.api.filtering import UtcDateTimeFilter


class ContactFilter(filters.FilterSet):
    agent = filters.CharFilter(field_name="agent__public_id", help_text="Agent public id.")
    status = filters.MultipleChoiceFilter(choices=ContactStatus.choices)
    email = filters.CharFilter(lookup_expr="iexact", help_text="Exact, any case.")
    phone = filters.CharFilter(help_text="E.164, exact.")
    created_after = UtcDateTimeFilter(
        field_name="created_at", lookup_expr="gte", help_text="ISO 8601, inclusive."
    )
    created_before = UtcDateTimeFilter(
        field_name="created_at", lookup_expr="lt", help_text="ISO 8601, exclusive."
    )
    q = filters.CharFilter(method="filter_search", help_text="Part of the name, email or phone.")

    class Meta:
        model = Contact
        fields: list[str] = []

    def filter_search(
        self, queryset: QuerySet[Contact], name: str, value: str
    ) -> QuerySet[Contact]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(email__icontains=value) | Q(phone__icontains=value)
        )
