"""REST representations of outbound calls: attempts, campaigns, a call request."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from agents.models import Agent
from contacts.models import Contact
from outbound.models import CallAttempt, Campaign
from outbound.selectors import campaign_progress
from phone_numbers.models import PhoneNumber


class CallAttemptSerializer(serializers.ModelSerializer):
    contact: serializers.PrimaryKeyRelatedField[Contact] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    agent: serializers.SlugRelatedField[Agent] = serializers.SlugRelatedField(
        slug_field="public_id", read_only=True
    )
    from_number = serializers.CharField(source="phone_number.number", read_only=True)
    campaign: serializers.PrimaryKeyRelatedField[Campaign] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    call: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )

    class Meta:
        model = CallAttempt
        fields = [
            "id",
            "contact",
            "agent",
            "campaign",
            "number",
            "to_number",
            "from_number",
            "status",
            "result",
            "scheduled_for",
            "dialled_at",
            "answered_at",
            "ended_at",
            "provider",
            "provider_call_id",
            "provider_status",
            "answered_by",
            "call",
            "error",
            "created_at",
        ]
        read_only_fields = fields


class _OwnedRelations(serializers.Serializer):
    """Agents, numbers and contacts the requester may use (set from the context)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, key in (
            ("agent", "agents"),
            ("from_number", "numbers"),
            ("contacts", "contacts"),
        ):
            field = self.fields.get(name)
            allowed = self.context.get(key)
            if field is None or allowed is None:
                continue
            target: Any = getattr(field, "child_relation", field)
            target.queryset = allowed


class CallRequestSerializer(_OwnedRelations):
    agent = serializers.SlugRelatedField(
        slug_field="public_id",
        queryset=Agent.objects.none(),
        required=False,
        help_text="Public id of the agent who calls. Default: the contact's agent.",
    )
    from_number = serializers.PrimaryKeyRelatedField(
        queryset=PhoneNumber.objects.none(),
        required=False,
        help_text="Id of the phone number to call from. Default: the agent's first active one.",
    )
    schedule = serializers.BooleanField(
        default=False,
        help_text="Outside the contact's calling hours: schedule the call for the next "
        "window instead of refusing it (409 `outside_calling_hours`).",
    )


class CampaignSerializer(_OwnedRelations, serializers.ModelSerializer):
    agent = serializers.SlugRelatedField(slug_field="public_id", queryset=Agent.objects.none())
    from_number = serializers.PrimaryKeyRelatedField(
        source="phone_number", queryset=PhoneNumber.objects.none()
    )
    contacts = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=Contact.objects.none(),
        write_only=True,
        required=False,
        help_text="Ids of the contacts to call (added to those already in the campaign).",
    )
    contact_count = serializers.IntegerField(read_only=True)
    progress = serializers.SerializerMethodField(
        help_text="Attempts by status, and finished attempts by result."
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "agent",
            "from_number",
            "status",
            "starts_at",
            "ends_at",
            "max_concurrent_calls",
            "contacts",
            "contact_count",
            "progress",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "status", "contact_count", "progress", "created_at", "updated_at"]

    def get_progress(self, campaign: Campaign) -> dict[str, dict[str, int]]:
        return campaign_progress(campaign=campaign)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        agent = attrs.get("agent", getattr(self.instance, "agent", None))
        number = attrs.get("phone_number", getattr(self.instance, "phone_number", None))
        if agent is not None and number is not None and number.owner_id != agent.owner_id:
            raise serializers.ValidationError(
                {"from_number": "The number belongs to another account than the agent."}
            )
        starts = attrs.get("starts_at", getattr(self.instance, "starts_at", None))
        ends = attrs.get("ends_at", getattr(self.instance, "ends_at", None))
        if starts is not None and ends is not None and ends <= starts:
            raise serializers.ValidationError({"ends_at": "A campaign must end after it starts."})
        return attrs
