"""REST representations of agents (the REST API issue adds the views)."""

from rest_framework import serializers

from agents.models import Agent, BusinessHours, Service


class ServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "name", "duration_minutes", "description", "is_active"]


class BusinessHoursSerializer(serializers.ModelSerializer):
    class Meta:
        model = BusinessHours
        fields = ["weekday", "opens_at", "closes_at"]


class AgentSerializer(serializers.ModelSerializer):
    services = ServiceSerializer(many=True, read_only=True)
    business_hours = BusinessHoursSerializer(many=True, read_only=True)

    class Meta:
        model = Agent
        fields = [
            "public_id",
            "name",
            "is_active",
            "greeting",
            "instructions",
            "language",
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
            "allowed_origins",
            "max_call_seconds",
            "idle_seconds",
            "max_concurrent_calls",
            "retention_days",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["public_id", "created_at", "updated_at"]
