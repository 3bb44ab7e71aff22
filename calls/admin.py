from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.template.loader import render_to_string
from django.utils.html import format_html

from agents.admin import OwnedAgentFilter
from calls.models import CallLog, ServerInstance, ToolInvocation, TranscriptTurn
from calls.recordings import recording_url
from calls.selectors import call_conversation, calls_for_user
from calls.templatetags.call_admin import pretty_json
from voiceagent.admin import OwnerScopedAdmin, ReadOnlyAdmin


def _pretty_json(value: Any) -> str:
    if not value:
        return "—"
    return format_html("<pre>{}</pre>", pretty_json(value))


@admin.register(CallLog)
class CallLogAdmin(ReadOnlyAdmin, OwnerScopedAdmin):
    scoped_queryset = staticmethod(calls_for_user)
    list_display = [
        "started_at",
        "agent",
        "channel",
        "status",
        "duration_seconds",
        "end_reason",
        "outcome",
        "contact",
        "cost_usd",
    ]
    list_filter = [
        ("agent", OwnedAgentFilter),
        "channel",
        "status",
        "direction",
        "end_reason",
        "outcome",
        "started_at",
    ]
    date_hierarchy = "started_at"
    search_fields = [
        "=id",
        "caller_number",
        "provider_call_id",
        "contact__name",
        "contact__email",
        "contact__phone",
        "summary",
    ]
    list_select_related = ["agent", "contact"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "id",
                    "agent",
                    "channel",
                    "direction",
                    "status",
                    "engine",
                    "realtime_model",
                ]
            },
        ),
        (
            "Timing",
            {
                "fields": [
                    "started_at",
                    "ended_at",
                    "duration_seconds",
                    "end_reason",
                    "error_message",
                    "latency_p50_ms",
                    "latency_p95_ms",
                ]
            },
        ),
        ("Caller", {"fields": ["caller_number", "caller_ip_hash", "contact", "captured_info"]}),
        ("Conversation", {"fields": ["conversation"]}),
        (
            "Outcome",
            {
                "fields": [
                    "outcome",
                    "summary",
                    "summary_details",
                    "usage_breakdown",
                    "cost_usd",
                    "recording_player",
                ]
            },
        ),
        (
            "Summary",
            {
                "fields": [
                    "summary_status",
                    "summary_model",
                    "summary_cost_usd",
                    "summary_attempts",
                    "summary_error",
                ],
                "classes": ["collapse"],
            },
        ),
        (
            "Provider",
            {
                "fields": ["provider_call_id", "provider_stream_id", "server_instance"],
                "classes": ["collapse"],
            },
        ),
    ]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return flatten_fieldsets(self.fieldsets)

    @admin.display(description="Captured info")
    def captured_info(self, call: CallLog) -> str:
        return _pretty_json(call.user_info)

    @admin.display(description="Summary details")
    def summary_details(self, call: CallLog) -> str:
        return _pretty_json(call.summary_data)

    @admin.display(description="Usage")
    def usage_breakdown(self, call: CallLog) -> str:
        return _pretty_json(call.usage)

    @admin.display(description="Recording")
    def recording_player(self, call: CallLog) -> str:
        # A signed link that expires, checked against the owner again when played: the
        # file's storage URL (MEDIA_URL) is never shown.
        url = recording_url(call=call)
        if not url:
            return "—"
        return format_html(
            '<audio controls preload="none" src="{}"></audio> <a href="{}" download>Download</a>',
            url,
            url,
        )

    @admin.display(description="Transcript")
    def conversation(self, call: CallLog) -> str:
        return render_to_string(
            "admin/calls/conversation.html",
            {"entries": call_conversation(call=call), "call": call},
        )


@admin.register(TranscriptTurn)
class TranscriptTurnAdmin(ReadOnlyAdmin, OwnerScopedAdmin):
    @staticmethod
    def scoped_queryset(*, user: Any) -> Any:
        return TranscriptTurn.objects.filter(call__in=calls_for_user(user=user)).select_related(
            "call", "call__agent"
        )

    list_display = ["call", "seq", "role", "short_text", "interrupted", "created_at"]
    list_filter = ["role", "interrupted", ("call__agent", OwnedAgentFilter)]
    search_fields = ["text", "=call__id", "item_id"]
    fields = readonly_fields = (
        "call",
        "seq",
        "role",
        "text",
        "item_id",
        "started_ms",
        "interrupted",
        "latency_ms",
        "created_at",
    )

    @admin.display(description="Text")
    def short_text(self, turn: TranscriptTurn) -> str:
        return turn.text if len(turn.text) <= 80 else turn.text[:79] + "…"


@admin.register(ToolInvocation)
class ToolInvocationAdmin(ReadOnlyAdmin, OwnerScopedAdmin):
    @staticmethod
    def scoped_queryset(*, user: Any) -> Any:
        return ToolInvocation.objects.filter(call__in=calls_for_user(user=user)).select_related(
            "call", "call__agent"
        )

    list_display = ["name", "ok", "latency_ms", "call", "created_at"]
    list_filter = ["name", "ok", ("call__agent", OwnedAgentFilter)]
    search_fields = ["name", "=call__id", "function_call_id", "error"]
    fields = readonly_fields = (
        "call",
        "seq",
        "name",
        "function_call_id",
        "arguments_json",
        "result_json",
        "ok",
        "error",
        "latency_ms",
        "started_ms",
        "created_at",
    )

    @admin.display(description="Arguments")
    def arguments_json(self, invocation: ToolInvocation) -> str:
        return _pretty_json(invocation.arguments)

    @admin.display(description="Result")
    def result_json(self, invocation: ToolInvocation) -> str:
        return _pretty_json(invocation.result)


@admin.register(ServerInstance)
class ServerInstanceAdmin(ReadOnlyAdmin):
    """The server processes that ran calls: operators' view, for superusers only."""

    list_display = ["__str__", "hostname", "started_at", "heartbeat_at", "stopped_at"]
    list_filter = ["stopped_at"]
    search_fields = ["name", "hostname"]
    fields = readonly_fields = (
        "id",
        "name",
        "hostname",
        "pid",
        "started_at",
        "heartbeat_at",
        "stopped_at",
    )

    def has_module_permission(self, request: Any) -> bool:
        return bool(request.user.is_superuser)

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)
