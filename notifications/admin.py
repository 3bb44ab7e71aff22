from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from agents.admin import OwnedAgentFilter
from notifications.models import DeliveryAttempt, OutboxMessage, OutboxStatus
from notifications.selectors import outbox_for_user
from notifications.services import outbox_cancel, outbox_resend
from voiceagent.admin import OwnerScopedAdmin


class DeliveryAttemptInline(admin.TabularInline):
    """The delivery log: every try, with the endpoint's answer."""

    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ("started_at", "ok", "status_code", "duration_ms", "error", "response_excerpt")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(OwnerScopedAdmin):
    """Emails and webhooks after calls and bookings; staff send again or cancel here."""

    scoped_queryset = staticmethod(outbox_for_user)
    inlines = [DeliveryAttemptInline]
    list_display = [
        "created_at",
        "topic",
        "kind",
        "recipient_short",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "agent",
    ]
    list_filter = ["status", "kind", "topic", ("agent", OwnedAgentFilter)]
    search_fields = ["=id", "recipient", "topic", "=call__id", "=appointment__id"]
    list_select_related = ["agent"]
    date_hierarchy = "created_at"
    actions = ["send_again", "cancel"]
    fields = (
        "id",
        "topic",
        "kind",
        "recipient",
        "status",
        "attempts",
        "max_attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
        "agent",
        "call",
        "appointment",
        "payload_pretty",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="To", ordering="recipient")
    def recipient_short(self, message: OutboxMessage) -> str:
        return message.recipient if len(message.recipient) < 60 else message.recipient[:57] + "…"

    @admin.display(description="Content")
    def payload_pretty(self, message: OutboxMessage) -> str:
        payload = dict(message.payload)
        if "html" in payload:
            payload["html"] = f"({len(payload['html'])} characters of HTML)"
        return format_html(
            "<pre style='white-space:pre-wrap;max-width:80em'>{}</pre>",
            json.dumps(payload, indent=2, ensure_ascii=False),
        )

    @admin.action(description="Send again")
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = outbox_resend(message_ids=[str(pk) for pk in queryset.values_list("pk", flat=True)])
        self.message_user(request, f"{count} message(s) queued to be sent again.")

    @admin.action(description="Cancel (do not send)")
    def cancel(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = outbox_cancel(
            message_ids=[
                str(pk)
                for pk in queryset.filter(
                    status__in=[OutboxStatus.PENDING, OutboxStatus.FAILED]
                ).values_list("pk", flat=True)
            ]
        )
        self.message_user(request, f"{count} message(s) cancelled.")
