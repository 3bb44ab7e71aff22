"""REST representations of appointments, and what booking through the API takes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rest_framework import serializers

from agents.models import Agent
from appointments.models import Appointment
from contacts.models import Contact
from voiceagent.validators import validate_e164


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
            "meeting_link",
            "last_error",
            "revision",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WallClockDateTimeField(serializers.DateTimeField):
    """ISO 8601; a time without an offset is kept naive, to be read in the agent's zone."""

    def enforce_timezone(self, value: dt.datetime) -> dt.datetime:
        return value if value.tzinfo is None else super().enforce_timezone(value)


class AppointmentCreateSerializer(serializers.Serializer[Any]):
    agent: serializers.SlugRelatedField[Agent] = serializers.SlugRelatedField(
        slug_field="public_id",
        queryset=Agent.objects.none(),  # the requester's agents, set in __init__
        help_text="Public id of the agent whose calendar is booked.",
    )
    service = serializers.CharField(
        max_length=80, help_text="The service's name, as the agent offers it."
    )
    start = WallClockDateTimeField(
        help_text="ISO 8601. Without an offset it is read in the agent's time zone."
    )
    contact: serializers.PrimaryKeyRelatedField[Contact] = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.none(),  # the requester's contacts, set in __init__
        required=False,
        allow_null=True,
        help_text="An existing contact to book for; or give name, email and phone.",
    )
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, validators=[validate_e164]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field, key in (("agent", "agents"), ("contact", "contacts")):
            queryset = self.context.get(key)
            if queryset is not None:
                self.fields[field].queryset = queryset  # type: ignore[attr-defined]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        contact = attrs.get("contact")
        if contact is not None and contact.owner_id != attrs["agent"].owner_id:
            raise serializers.ValidationError({"contact": ["Not a contact of the agent's owner."]})
        if contact is not None and (attrs.get("email") or attrs.get("phone")):
            raise serializers.ValidationError("Give a contact, or an email or phone; not both.")
        return attrs


class AppointmentRescheduleSerializer(serializers.Serializer[Any]):
    start = WallClockDateTimeField(
        help_text="The new start, ISO 8601. Without an offset it is read in the "
        "appointment's time zone."
    )
