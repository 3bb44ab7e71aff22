"""REST representations of appointments (the REST API issue adds the views)."""

from __future__ import annotations

from rest_framework import serializers

from agents.models import Agent
from appointments.models import Appointment


class AppointmentSerializer(serializers.ModelSerializer):
    agent: serializers.SlugRelatedField[Agent] = serializers.SlugRelatedField(
        slug_field="public_id", read_only=True
    )

    class Meta:
        model = Appointment
        fields = [
            "id",
            "agent",
            "contact",
            "call",
            "service_name",
            "start_at",
            "end_at",
            "timezone",
            "status",
            "provider",
            "calendar_link",
            "created_at",
        ]
        read_only_fields = fields
