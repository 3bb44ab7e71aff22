"""REST representations of agents, their services, hours and knowledge sources."""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agents.models import Agent, BusinessHours, KnowledgeSource, Service
from agents.selectors import agent_embed_snippet
from appointments.models import CalendarConnection
from calls.web_sessions import DEFAULT_TTL_SECONDS, MAX_TTL_SECONDS, MIN_TTL_SECONDS
from voiceagent.links import public_base_url
from voiceagent.validators import validate_e164

METADATA_MAX_BYTES = 4096


class ServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "name", "duration_minutes", "description", "is_active"]
        read_only_fields = ["id"]
        validators: list[Any] = []  # names are checked across the whole list by the service


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$",
        "example": "09:00",
        "description": "Wall-clock time in the agent's time zone, HH:MM[:SS].",
    }
)
class WallClockTimeField(serializers.TimeField):
    """A time of day without an offset (JSON Schema's `time` format requires one)."""


class BusinessHoursSerializer(serializers.ModelSerializer):
    opens_at = WallClockTimeField()
    closes_at = WallClockTimeField()

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
            "engine",
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
            "transfer_mode",
            "connection_beep",
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
        return agent_embed_snippet(
            agent=agent, base_url=public_base_url(self.context.get("request"))
        )


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


class KnownCallerSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, validators=[validate_e164]
    )


class WebSessionRequestSerializer(serializers.Serializer[Any]):
    ttl_seconds = serializers.IntegerField(
        min_value=MIN_TTL_SECONDS,
        max_value=MAX_TTL_SECONDS,
        default=DEFAULT_TTL_SECONDS,
        help_text="How long the token can start a call.",
    )
    user_info = KnownCallerSerializer(
        required=False,
        help_text="What your site knows of its signed-in user: stored on the call and "
        "told to the agent, which does not ask for it again.",
    )
    metadata = serializers.DictField(
        required=False,
        help_text=f"Your own JSON object (up to {METADATA_MAX_BYTES} bytes), stored on the "
        "call log and sent with its call.ended webhook.",
    )

    def validate_metadata(self, value: dict[str, Any]) -> dict[str, Any]:
        if len(json.dumps(value, separators=(",", ":"))) > METADATA_MAX_BYTES:
            raise serializers.ValidationError(f"At most {METADATA_MAX_BYTES} bytes as JSON.")
        return value


class WebSessionSerializer(serializers.Serializer[Any]):
    session_token = serializers.CharField(
        help_text="Pass to the widget (data-session-url) or as ?session_token= on the call "
        "WebSocket. Starts one call."
    )
    expires_at = serializers.DateTimeField()
    websocket_url = serializers.CharField(help_text="The call WebSocket with the token.")
