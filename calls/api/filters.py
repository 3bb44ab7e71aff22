"""Filters of the call-log list (django-filter): every query parameter is declared, typed
and validated, so an unknown value is a 400 with the field named, never a 500."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django_filters import rest_framework as filters

from appointments.models import Appointment
from calls.models import CallLog, CallStatus, Channel, Direction, EndReason, Outcome
from voiceagent.api.filtering import BOOLEAN_CHOICES, UtcDateTimeFilter


class CallLogFilter(filters.FilterSet):
    agent = filters.CharFilter(field_name="agent__public_id", help_text="Agent public id.")
    status = filters.MultipleChoiceFilter(choices=CallStatus.choices)
    channel = filters.MultipleChoiceFilter(choices=Channel.choices)
    direction = filters.ChoiceFilter(choices=Direction.choices)
    end_reason = filters.MultipleChoiceFilter(choices=EndReason.choices)
    outcome = filters.MultipleChoiceFilter(choices=Outcome.choices)
    started_after = UtcDateTimeFilter(
        field_name="started_at", lookup_expr="gte", help_text="ISO 8601, inclusive."
    )
    started_before = UtcDateTimeFilter(
        field_name="started_at", lookup_expr="lt", help_text="ISO 8601, exclusive."
    )
    caller_number = filters.CharFilter(help_text="E.164, exact.")
    has_contact = filters.ChoiceFilter(choices=BOOLEAN_CHOICES, method="filter_has_contact")
    has_appointment = filters.ChoiceFilter(choices=BOOLEAN_CHOICES, method="filter_has_appointment")
    q = filters.CharFilter(method="filter_search", help_text="Words in the transcript.")

    class Meta:
        model = CallLog
        fields: list[str] = []

    def filter_has_contact(
        self, queryset: QuerySet[CallLog], name: str, value: str
    ) -> QuerySet[CallLog]:
        return queryset.filter(contact__isnull=value != "true")

    def filter_has_appointment(
        self, queryset: QuerySet[CallLog], name: str, value: str
    ) -> QuerySet[CallLog]:
        booked = Exists(Appointment.objects.filter(call=OuterRef("pk")))
        return queryset.filter(booked if value == "true" else ~booked)

    def filter_search(
        self, queryset: QuerySet[CallLog], name: str, value: str
    ) -> QuerySet[CallLog]:
        from calls.selectors import calls_search

        return calls_search(queryset, text=value) if value.strip() else queryset
