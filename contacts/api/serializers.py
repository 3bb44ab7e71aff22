"""REST representations of contacts."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agents.models import Agent
from appointments.models import Appointment
from calls.models import CallLog
from contacts.models import Contact

RELATED_LIMIT = 50  # calls and appointments shown on a contact


class ContactSerializer(serializers.ModelSerializer):
    agent: serializers.SlugRelatedField[Agent] = serializers.SlugRelatedField(
        slug_field="public_id",
        queryset=Agent.objects.none(),  # the requester's agents, set in __init__
        required=False,
        allow_null=True,
        help_text="Public id of the agent the contact belongs to (first captured by).",
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "name",
            "email",
            "phone",
            "status",
            "notes",
            "timezone",
            "do_not_call",
            "opted_out_at",
            "agent",
            "source_call",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "source_call", "opted_out_at", "created_at", "updated_at"]
        # Duplicates are the service's question (a 409 naming the existing contact).
        validators: list[Any] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agents = self.context.get("agents")
        if agents is not None:
            self.fields["agent"].queryset = agents  # type: ignore[attr-defined]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        name = attrs.get("name", getattr(self.instance, "name", ""))
        email = attrs.get("email", getattr(self.instance, "email", ""))
        phone = attrs.get("phone", getattr(self.instance, "phone", ""))
        if not (name or email or phone):
            raise serializers.ValidationError("A contact needs a name, an email or a phone number.")
        return attrs


class ContactCallSerializer(serializers.ModelSerializer):
    class Meta:
        model = CallLog
        fields = ["id", "started_at", "channel", "status", "duration_seconds", "outcome", "summary"]
        read_only_fields = fields


class ContactAppointmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Appointment
        fields = ["id", "service_name", "start_at", "end_at", "timezone", "status"]
        read_only_fields = fields


class ContactDetailSerializer(ContactSerializer):
    calls = serializers.SerializerMethodField(
        help_text=f"The contact's latest {RELATED_LIMIT} calls, newest first."
    )
    appointments = serializers.SerializerMethodField(
        help_text=f"The contact's latest {RELATED_LIMIT} appointments, latest start first."
    )

    class Meta(ContactSerializer.Meta):
        fields = [*ContactSerializer.Meta.fields, "calls", "appointments"]

    @extend_schema_field(ContactCallSerializer(many=True))
    def get_calls(self, contact: Contact) -> Any:
        calls = contact.calls.order_by("-started_at")[:RELATED_LIMIT]
        return ContactCallSerializer(calls, many=True).data

    @extend_schema_field(ContactAppointmentSerializer(many=True))
    def get_appointments(self, contact: Contact) -> Any:
        appointments = contact.appointments.order_by("-start_at")[:RELATED_LIMIT]
        return ContactAppointmentSerializer(appointments, many=True).data
