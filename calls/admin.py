from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from agents.admin import OwnedAgentFilter
from appointments.admin import appointment_when
from appointments.models import Appointment
from calls.models import CallLog, ServerInstance
from calls.recordings import recording_url
from calls.selectors import call_conversation, calls_by_tools, calls_for_user, calls_search
from outbound.admin import attempts_table
from outbound.selectors import attempts_of_call
from voiceagent.admin import (
    OwnerScopedAdmin,
    ReadOnlyAdmin,
    change_link,
    dollars,
    duration_text,
    pairs_table,
    readable,
)

# Transcript turns and tool invocations have no admin pages of their own: the call page
# shows them as its conversation, and the call list finds calls by transcript text and by
# what their tools did.

SUMMARY_PREVIEW_CHARS = 90

CAPTURED_LABELS = {"name": "Name", "email": "Email", "phone": "Phone"}

SUMMARY_LABELS = {
    "caller_intent": "Caller wanted",
    "follow_up_actions": "Follow-ups",
    "sentiment": "Sentiment",
    "language": "Language",
}
# Shown as fields of their own on the call page.
SUMMARY_SHOWN_ELSEWHERE = {"summary", "outcome"}

USAGE_KINDS = (("Text", "text"), ("Audio", "audio"))


def _other_rows(values: dict[str, Any], known: Any) -> list[tuple[str, Any]]:
    return [
        (key.replace("_", " ").capitalize(), value)
        for key, value in values.items()
        if key not in known
    ]


def _appointment_label(appointment: Appointment, *, compact: bool = False) -> str:
    return f"{appointment.service_name}, {appointment_when(appointment, compact=compact)}"


class ToolsFilter(admin.SimpleListFilter):
    title = "tools"
    parameter_name = "tools"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("failed", "A tool failed"),
            ("used", "Tools used, none failed"),
            ("none", "No tools used"),
        ]

    def queryset(self, request: Any, queryset: QuerySet[CallLog]) -> QuerySet[CallLog]:
        value = self.value()
        if value not in {"failed", "used", "none"}:
            return queryset
        return calls_by_tools(queryset, which=value)


@admin.register(CallLog)
class CallLogAdmin(ReadOnlyAdmin, OwnerScopedAdmin):
    scoped_queryset = staticmethod(calls_for_user)
    list_display = [
        "started_at",
        "agent",
        "channel",
        "status",
        "duration",
        "end_reason",
        "outcome",
        "summary_preview",
        "contact_link",
        "appointment_links",
        "cost",
    ]
    list_filter = [
        ("agent", OwnedAgentFilter),
        "channel",
        "status",
        "direction",
        "end_reason",
        "outcome",
        ToolsFilter,
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
    search_help_text = (
        "Finds calls by caller, contact, summary or what was said in the conversation."
    )
    list_select_related = ["agent", "contact"]

    class Media:
        css = {"all": ["voiceagent/admin/admin.css"]}

    fieldsets = [
        (
            None,
            {
                "fields": [
                    "agent",
                    "channel",
                    "direction",
                    "status",
                    "started_at",
                    "ended_at",
                    "duration_seconds",
                    "end_reason",
                    "error_message",
                ]
            },
        ),
        ("Outcome", {"fields": ["outcome", "summary", "summary_details", "appointments_booked"]}),
        ("Caller", {"fields": ["contact", "caller_number", "captured_info", "caller_ip_hash"]}),
        (
            "Phone line",
            {
                "fields": [
                    "called_number",
                    "provider_status",
                    "provider_duration_seconds",
                    "provider_price_display",
                    "outbound_attempts",
                ],
                "description": "What the phone provider reported of the call (status "
                "callbacks), and for a call the agent placed, every attempt to reach the "
                "person; empty for web calls.",
            },
        ),
        (
            "Transfer to a person",
            {
                "fields": [
                    "transfer_target",
                    "transfer_mode",
                    "transfer_status",
                    "transfer_reason",
                    "transfer_summary",
                    "transfer_error",
                ],
                "classes": ["collapse"],
                "description": "Filled when the agent transferred the call (transfer_call).",
            },
        ),
        ("Conversation", {"fields": ["recording_player", "conversation"]}),
        (
            "Usage and cost",
            {
                "fields": [
                    "usage_breakdown",
                    "conversation_cost",
                    "summary_cost",
                    "latency_p50_ms",
                    "latency_p95_ms",
                ]
            },
        ),
        (
            "How the summary was made",
            {
                "fields": [
                    "summary_status",
                    "summary_model",
                    "summary_attempts",
                    "summary_error",
                ],
                "classes": ["collapse"],
            },
        ),
        (
            "Technical details",
            {
                "fields": [
                    "id",
                    "engine",
                    "realtime_model",
                    "provider_call_id",
                    "provider_stream_id",
                    "server_instance",
                ],
                "classes": ["collapse"],
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CallLog]:
        # One query for the appointments of a whole page of calls (and of the call page).
        return super().get_queryset(request).prefetch_related("appointments")

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return flatten_fieldsets(self.fieldsets)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[CallLog], search_term: str
    ) -> tuple[QuerySet[CallLog], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            results = results | calls_search(queryset, text=search_term)
        return results, may_have_duplicates

    # The list

    @admin.display(description="Duration", ordering="duration_seconds")
    def duration(self, call: CallLog) -> str | None:
        return duration_text(call.duration_seconds)

    @admin.display(description="Summary")
    def summary_preview(self, call: CallLog) -> str | None:
        if not call.summary:
            return None
        return Truncator(call.summary).chars(SUMMARY_PREVIEW_CHARS)

    @admin.display(description="Contact", ordering="contact__name")
    def contact_link(self, call: CallLog) -> str | None:
        return change_link(call.contact) if call.contact is not None else None

    @admin.display(description="Appointment")
    def appointment_links(self, call: CallLog) -> str | None:
        appointments = call.appointments.all()  # prefetched
        if not appointments:
            return None
        return format_html_join(
            mark_safe("<br>"),
            "{}",
            (
                (change_link(appointment, _appointment_label(appointment)),)
                for appointment in appointments
            ),
        )

    @admin.display(description="Cost", ordering="cost_usd")
    def cost(self, call: CallLog) -> str:
        return dollars(call.cost_usd)

    # The call page

    @admin.display(description="Appointments booked")
    def appointments_booked(self, call: CallLog) -> str:
        appointments = call.appointments.all()
        if not appointments:
            return "None in this call."
        return format_html(
            "<ul style='margin:0;padding-left:1.2em'>{}</ul>",
            format_html_join(
                "",
                "<li>{} ({})</li>",
                (
                    (
                        change_link(appointment, _appointment_label(appointment)),
                        appointment.get_status_display(),
                    )
                    for appointment in appointments
                ),
            ),
        )

    @admin.display(description="Captured info")
    def captured_info(self, call: CallLog) -> str:
        info = call.user_info if isinstance(call.user_info, dict) else {}
        if not info:
            return "Nothing was captured."
        rows = [(label, info.get(key)) for key, label in CAPTURED_LABELS.items()]
        return pairs_table(rows + _other_rows(info, CAPTURED_LABELS))

    @admin.display(description="Details")
    def summary_details(self, call: CallLog) -> str:
        data = call.summary_data if isinstance(call.summary_data, dict) else {}
        if not data:
            return "—"
        rows = [(label, data[key]) for key, label in SUMMARY_LABELS.items() if key in data]
        known = SUMMARY_LABELS.keys() | SUMMARY_SHOWN_ELSEWHERE
        return pairs_table(rows + _other_rows(data, known))

    @admin.display(description="Tokens")
    def usage_breakdown(self, call: CallLog) -> str:
        usage = call.usage if isinstance(call.usage, dict) else {}
        if not usage:
            return "No usage was recorded."
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    label,
                    readable(usage.get(f"input_{kind}_tokens", 0)),
                    readable(usage.get(f"cached_{kind}_tokens", 0)),
                    readable(usage.get(f"output_{kind}_tokens", 0)),
                )
                for label, kind in USAGE_KINDS
            ),
        )
        totals = [
            f"{usage[key]:,} {label}"
            for key, label in (("total_tokens", "tokens in all"), ("responses", "responses"))
            if isinstance(usage.get(key), int)
        ]
        return format_html(
            "<table class='va-usage'><thead><tr><th></th><th scope='col'>Input</th>"
            "<th scope='col'>of which cached</th><th scope='col'>Output</th></tr></thead>"
            "<tbody>{}</tbody></table>{}",
            rows,
            format_html("<div class='help'>{}</div>", ", ".join(totals)) if totals else "",
        )

    @admin.display(description="Conversation cost")
    def conversation_cost(self, call: CallLog) -> str:
        return dollars(call.cost_usd)

    @admin.display(description="Summary cost")
    def summary_cost(self, call: CallLog) -> str:
        return dollars(call.summary_cost_usd)

    @admin.display(description="Outbound attempts")
    def outbound_attempts(self, call: CallLog) -> str:
        if call.direction != "outbound" or call.contact_id is None:
            return "—"
        return attempts_table(attempts_of_call(call=call))

    @admin.display(description="Provider price")
    def provider_price_display(self, call: CallLog) -> str | None:
        if call.provider_price is None:
            return None
        return f"{call.provider_price.normalize():f} {call.provider_price_unit}".strip()

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
