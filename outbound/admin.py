"""The admin of outbound calls: each agent's policy (on the agent's page), campaigns with
their contacts and progress, and every call attempt (read-only, written by the calls)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join

from agents.admin import AgentAdmin, OwnedAgentFilter
from agents.selectors import agents_for_user
from outbound.campaign_services import campaign_cancel, campaign_pause, campaign_start
from outbound.models import CallAttempt, Campaign, CampaignContact, OutboundPolicy
from outbound.selectors import attempts_for_user, campaign_progress, campaigns_for_user
from phone_numbers.selectors import phone_numbers_for_user
from voiceagent.admin import OwnerScopedAdmin, ReadOnlyAdmin, change_link


class OutboundPolicyInline(admin.StackedInline):
    model = OutboundPolicy
    can_delete = False
    max_num = 1
    verbose_name = verbose_name_plural = "Outbound calls (calling hours, retries, voicemail)"
    fields = [
        "greeting",
        ("calling_hours_start", "calling_hours_end"),
        "calling_days",
        ("max_attempts", "retry_minutes", "ring_seconds"),
        "voicemail_action",
        "voicemail_message",
    ]


# The agent's page gains its outbound policy: the agents app knows nothing of outbound
# calls, this app adds itself to it.
AgentAdmin.inlines = [*AgentAdmin.inlines, OutboundPolicyInline]


class CampaignContactInline(admin.TabularInline):
    model = CampaignContact
    extra = 0
    raw_id_fields = ["contact"]
    fields = ["contact", "added_at"]
    readonly_fields = ["added_at"]


@admin.register(Campaign)
class CampaignAdmin(OwnerScopedAdmin):
    scoped_queryset = staticmethod(campaigns_for_user)
    related_selectors = {"agent": agents_for_user, "phone_number": phone_numbers_for_user}
    owner_field = "owner"
    inlines = [CampaignContactInline]
    list_display = [
        "name",
        "agent",
        "phone_number",
        "status",
        "contact_count",
        "max_concurrent_calls",
        "starts_at",
        "owner",
    ]
    list_filter = ["status", ("agent", OwnedAgentFilter)]
    search_fields = ["name"]
    readonly_fields = ["status", "progress", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "owner", "agent", "phone_number", "status", "progress"]}),
        ("Schedule", {"fields": ["starts_at", "ends_at", "max_concurrent_calls"]}),
    ]
    actions = ["start", "pause", "cancel"]

    @admin.display(description="Contacts", ordering="contact_count")
    def contact_count(self, campaign: Campaign) -> int:
        return int(getattr(campaign, "contact_count", 0))

    @admin.display(description="Progress")
    def progress(self, campaign: Campaign) -> str:
        if campaign.pk is None:
            return "—"
        counts = campaign_progress(campaign=campaign)
        parts = [f"{status}: {n}" for status, n in sorted(counts["attempts"].items())]
        parts += [
            f"{result or 'no result'}: {n}" for result, n in sorted(counts["results"].items())
        ]
        return ", ".join(parts) or "No call yet"

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"owner": request.user.pk, **super().get_changeform_initial_data(request)}

    @admin.action(description="Start (or resume) the selected campaigns")
    def start(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        for campaign in queryset:
            campaign_start(campaign=campaign)
        self.message_user(request, "Started; calls go out within seconds.", messages.SUCCESS)

    @admin.action(description="Pause the selected campaigns")
    def pause(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        for campaign in queryset:
            campaign_pause(campaign=campaign)
        self.message_user(request, "Paused (calls under way go on).", messages.SUCCESS)

    @admin.action(description="Cancel the selected campaigns")
    def cancel(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        for campaign in queryset:
            campaign_cancel(campaign=campaign)
        self.message_user(request, "Cancelled.", messages.SUCCESS)


@admin.register(CallAttempt)
class CallAttemptAdmin(ReadOnlyAdmin, OwnerScopedAdmin):
    scoped_queryset = staticmethod(attempts_for_user)
    list_display = [
        "created_at",
        "contact",
        "agent",
        "number",
        "status",
        "result",
        "scheduled_for",
        "answered_by",
        "conversation",
    ]
    list_filter = ["status", "result", ("agent", OwnedAgentFilter), "campaign"]
    list_select_related = ["contact", "agent", "call"]
    search_fields = ["to_number", "contact__name", "provider_call_id"]

    @admin.display(description="Conversation")
    def conversation(self, attempt: CallAttempt) -> str | None:
        return change_link(attempt.call, "Call log") if attempt.call is not None else None


def attempts_table(attempts: list[CallAttempt]) -> str:
    """A few attempts as lines (the contact's and the call log's pages)."""
    if not attempts:
        return "—"
    return format_html_join(
        "",
        "<div>{} · attempt {} · {} · {}</div>",
        (
            (
                change_link(attempt, f"{attempt.created_at:%d %b %Y %H:%M}"),
                attempt.number,
                attempt.get_status_display(),
                attempt.get_result_display() if attempt.result else "—",
            )
            for attempt in attempts
        ),
    )
