"""REST representations of call logs."""

from __future__ import annotations

from rest_framework import serializers

from agents.models import Agent
from calls.models import CallLog, EndReason, Outcome, ToolInvocation, TranscriptTurn


class TranscriptTurnSerializer(serializers.ModelSerializer):
    class Meta:
        model = TranscriptTurn
        fields = ["seq", "role", "text", "item_id", "started_ms", "interrupted"]


class ToolInvocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = ToolInvocation
        fields = ["seq", "name", "arguments", "result", "ok", "error", "latency_ms", "started_ms"]


class CallLogSerializer(serializers.ModelSerializer):
    agent: serializers.SlugRelatedField[Agent] = serializers.SlugRelatedField(
        slug_field="public_id", read_only=True
    )
    # Blank until known: declared so that the schema's enums include "".
    end_reason = serializers.ChoiceField(
        choices=EndReason.choices, allow_blank=True, read_only=True
    )
    outcome = serializers.ChoiceField(
        choices=Outcome.choices,
        allow_blank=True,
        read_only=True,
        help_text="Decided by the call's summary; blank until it is written.",
    )

    class Meta:
        model = CallLog
        fields = [
            "id",
            "agent",
            "channel",
            "direction",
            "status",
            "engine",
            "started_at",
            "ended_at",
            "duration_seconds",
            "end_reason",
            "caller_number",
            "contact",
            "user_info",
            "metadata",
            "summary",
            "outcome",
            "summary_data",
            "usage",
            "cost_usd",
            "summary_cost_usd",
        ]
        read_only_fields = fields


class CallLogDetailSerializer(CallLogSerializer):
    turns = TranscriptTurnSerializer(many=True, read_only=True)
    tool_invocations = ToolInvocationSerializer(many=True, read_only=True)

    class Meta(CallLogSerializer.Meta):
        fields = [*CallLogSerializer.Meta.fields, "turns", "tool_invocations"]
        read_only_fields = fields
