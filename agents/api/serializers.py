"""REST representations of agents, their services, hours and knowledge sources."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import serializers

from agents.models import Agent, BusinessHours, KnowledgeSource, Service
from agents.selectors import agent_embed_snippet
from appointments.models import CalendarConnection


class ServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "name", "duration_minutes", "description", "is_active"]
        read_only_fields = ["id"]
        validators: list[Any] = []  # names are checked across the whole list by the service


class BusinessHoursSerializer(serializers.ModelSerializer):
    class Meta:
        model = BusinessHours
        fields = ["weekday", "opens_at", "closes_at"]
        validators: list[Any] = []


class CalendarSerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarConnection
        fields = ["id", "provider", "account_email", "calendar_id", "status", "last_error"]
        read_only_fields = fields


class AgentSerializer(serializers.ModelSerializer):
    services = ServiceSerializer(
        many=True,
        required=False,
        help_text="What callers can book. Sent, it becomes the whole list: services are "
        "matched by name; one left out is deactivated (its appointments keep it).",
    )
    business_hours = BusinessHoursSerializer(
        many=True,
        required=False,
        help_text="Opening periods in the agent's time zone (weekday 0 = Monday). Sent, "
        "it becomes the whole list.",
    )
    calendar = CalendarSerializer(
        source="calendar_connection",
        read_only=True,
        allow_null=True,
        help_text="The connected calendar (connected from the agent's admin page), or null "
        "when bookings stay local.",
    )
    embed_snippet = serializers.SerializerMethodField(
        help_text="The tag a website adds to show this agent's call button."
    )

    class Meta:
        model = Agent
        fields = [
            "public_id",
            "name",
            "is_active",
            "greeting",
            "instructions",
            "language",
            "country",
            "voice",
            "realtime_model",
            "summary_model",
            "turn_detection",
            "vad_threshold",
            "vad_prefix_padding_ms",
            "vad_silence_duration_ms",
            "vad_eagerness",
            "interrupt_response",
            "noise_reduction",
            "enabled_tools",
            "timezone",
            "services",
            "business_hours",
            "calendar",
            "transfer_number",
            "summary_recipients",
            "email_caller_summary",
            "webhook_url",
            "record_calls",
            "recording_notice",
            "allowed_origins",
            "embed_snippet",
            "max_call_seconds",
            "idle_seconds",
            "max_concurrent_calls",
            "retention_days",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["public_id", "created_at", "updated_at"]
        # Uniqueness of the name (per owner, any case) is the model's check, run by the
        # service with everything else the admin checks.
        validators: list[Any] = []

    def get_embed_snippet(self, agent: Agent) -> str:
        return agent_embed_snippet(agent=agent, base_url=settings.PUBLIC_BASE_URL)


class KnowledgeSourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = KnowledgeSource
        fields = [
            "id",
            "title",
            "kind",
            "content",
            "file",
            "url",
            "status",
            "error",
            "chunk_count",
            "embedding_model",
            "ingested_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "error",
            "chunk_count",
            "embedding_model",
            "ingested_at",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"file": {"help_text": "A PDF (multipart upload), for `pdf` sources."}}
