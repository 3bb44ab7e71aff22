"""REST representation of phone numbers: the auth token is write-only."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from rest_framework import serializers

from agents.models import Agent
from phone_numbers.models import PhoneNumber
from voiceagent.links import configured_base_url


class PhoneNumberSerializer(serializers.ModelSerializer):
    agent: serializers.SlugRelatedField[Agent] = serializers.SlugRelatedField(
        slug_field="public_id",
        queryset=Agent.objects.none(),  # the requester's agents, set in __init__
        help_text="Public id of the agent that answers calls to the number.",
    )
    auth_token = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=200,
        trim_whitespace=True,
        help_text="Write-only: the auth token of the provider account (with `account_id`); "
        'never returned. Left out, the stored token is kept; `""` or null removes it '
        '(send `account_id: ""` with it): the number then uses the server\'s account.',
    )
    has_auth_token = serializers.BooleanField(
        source="has_own_credentials",
        read_only=True,
        help_text="Whether the number has its own auth token (its own provider account).",
    )
    webhook_url = serializers.SerializerMethodField(
        help_text="Where the provider's incoming-call webhook must POST, or null when "
        "PUBLIC_BASE_URL is not set."
    )

    class Meta:
        model = PhoneNumber
        fields = [
            "id",
            "provider",
            "number",
            "agent",
            "label",
            "is_active",
            "account_id",
            "auth_token",
            "has_auth_token",
            "webhook_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        # One number per provider is the service's question (409 `number_taken`).
        validators: list[Any] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agents = self.context.get("agents")
        if agents is not None:
            self.fields["agent"].queryset = agents  # type: ignore[attr-defined]

    def get_webhook_url(self, number: PhoneNumber) -> str | None:
        base = configured_base_url()
        try:
            # Each provider names its number-routed voice webhook "<provider>-voice-number".
            path = reverse(f"{number.provider}-voice-number")
        except NoReverseMatch:
            return None
        return base + path if base else None
