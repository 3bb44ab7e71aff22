"""REST representations of call logs."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agents.models import Agent
from calls.models import CallLog, EndReason, Outcome, ToolInvocation, TranscriptTurn
from calls.recordings import recording_url
from outbound.api.serializers import CallAttemptSerializer
from outbound.selectors import attempts_of_call
from voiceagent.links import public_url

API_RECORDING_URL_TTL = 15 * 60


class TranscriptTurnSerializer(serializers.ModelSerializer):
    class Meta:
        model = TranscriptTurn
        fields = ["seq", "role", "text", "item_id", "started_ms", "interrupted", "latency_ms"]


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
            "latency_p50_ms",
            "latency_p95_ms",
        ]
        read_only_fields = fields


class CallLogDetailSerializer(CallLogSerializer):
    turns = TranscriptTurnSerializer(many=True, read_only=True)
    tool_invocations = ToolInvocationSerializer(many=True, read_only=True)
    outbound_attempts = serializers.SerializerMethodField(
        help_text="For a call the agent placed: every attempt to reach the person (oldest "
        "first, with its result); empty for other calls."
    )
    recording_url = serializers.SerializerMethodField(
        help_text=f"The call's stereo WAV recording (caller left, agent right), a signed "
        f"link that plays without the API key for {API_RECORDING_URL_TTL // 60} minutes, "
        "for the key's owner; null when the call was not recorded."
    )

    class Meta(CallLogSerializer.Meta):
        fields = [
            *CallLogSerializer.Meta.fields,
            "called_number",
            "provider_call_id",
            "provider_status",
            "provider_duration_seconds",
            "provider_price",
            "provider_price_unit",
            "transfer_target",
            "transfer_mode",
            "transfer_status",
            "transfer_reason",
            "transfer_error",
            "outbound_attempts",
            "recording_url",
            "turns",
            "tool_invocations",
        ]
        read_only_fields = fields

    @extend_schema_field(CallAttemptSerializer(many=True))
    def get_outbound_attempts(self, call: CallLog) -> list[dict[str, Any]]:
        if call.direction != "outbound":
            return []
        return list(CallAttemptSerializer(attempts_of_call(call=call), many=True).data)

    def get_recording_url(self, call: CallLog) -> str | None:
        request = self.context.get("request")
        user_id = getattr(getattr(request, "user", None), "pk", None)
        path = recording_url(call=call, ttl_seconds=API_RECORDING_URL_TTL, for_user_id=user_id)
        if not path:
            return None
        return public_url(path, request)
