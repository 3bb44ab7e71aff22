"""Filters of the appointment list; unknown parameters are refused by StrictFilterBackend."""

from __future__ import annotations

from django_filters import rest_framework as filters

from appointments.models import Appointment, AppointmentStatus
from voiceagent.api.filtering import UtcDateTimeFilter


class AppointmentFilter(filters.FilterSet):
    agent = filters.CharFilter(field_name="agent__public_id", help_text="Agent public id.")
    status = filters.MultipleChoiceFilter(choices=AppointmentStatus.choices)
    contact = filters.NumberFilter(field_name="contact_id", help_text="Contact id.")
    call = filters.UUIDFilter(field_name="call_id", help_text="The call it was booked in.")
    start_after = UtcDateTimeFilter(
        field_name="start_at", lookup_expr="gte", help_text="ISO 8601, inclusive."
    )
    start_before = UtcDateTimeFilter(
        field_name="start_at", lookup_expr="lt", help_text="ISO 8601, exclusive."
    )

    class Meta:
        model = Appointment
        fields: list[str] = []
