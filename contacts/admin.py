from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from agents.admin import OwnedAgentFilter
from agents.selectors import agents_for_user
from calls.selectors import calls_for_user
from contacts.models import Contact, ContactStatus
from contacts.selectors import contacts_for_user
from contacts.services import contacts_status_set
from voiceagent.admin import OwnerScopedAdmin


@admin.register(Contact)
class ContactAdmin(OwnerScopedAdmin):
    scoped_queryset = staticmethod(contacts_for_user)
    related_selectors = {"agent": agents_for_user, "source_call": calls_for_user}
    owner_field = "owner"
    list_display = ["__str__", "email", "phone", "status", "agent", "created_at"]
    list_filter = ["status", ("agent", OwnedAgentFilter), "created_at"]
    search_fields = ["name", "email", "phone", "notes"]
    readonly_fields = ["source_call", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "email", "phone", "status", "notes"]}),
        ("Origin", {"fields": ["owner", "agent", "source_call", "created_at", "updated_at"]}),
    ]
    actions = ["mark_contacted", "mark_opted_out"]

    def _set_status(
        self, request: HttpRequest, queryset: QuerySet[Contact], status: ContactStatus
    ) -> None:
        changed = contacts_status_set(contacts=queryset, status=status)
        self.message_user(
            request, f"{changed} contact(s) marked {status.label.lower()}.", messages.SUCCESS
        )

    @admin.action(description="Mark selected contacts as contacted")
    def mark_contacted(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        self._set_status(request, queryset, ContactStatus.CONTACTED)

    @admin.action(description="Mark selected contacts as opted out")
    def mark_opted_out(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        self._set_status(request, queryset, ContactStatus.OPTED_OUT)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"owner": request.user.pk, **super().get_changeform_initial_data(request)}
