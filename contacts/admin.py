from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.text import Truncator

from agents.admin import OwnedAgentFilter
from agents.selectors import agents_for_user
from appointments.admin import appointment_when
from calls.selectors import calls_for_user
from contacts.models import Contact, ContactStatus
from contacts.selectors import HistoryEntry, contact_history, contacts_for_user
from contacts.services import contacts_status_set
from outbound.admin import attempts_table
from outbound.services import OutboundRefused, contact_opt_out, outbound_call_request
from voiceagent.admin import OwnerScopedAdmin, change_link, duration_text


def _history_row(entry: HistoryEntry) -> dict[str, Any]:
    """What the contact page's history shows of one call or appointment."""
    if entry.call is not None:
        call = entry.call
        facts = [
            call.agent.name,
            duration_text(call.duration_seconds) or "",
            call.get_outcome_display(),
        ]
        return {
            "kind": "call",
            "when": f"{timezone.localtime(call.started_at):%a %d %b %Y, %H:%M}",
            "link": change_link(call, f"{call.get_channel_display()} call"),
            "facts": " · ".join(fact for fact in facts if fact),
            "text": Truncator(call.summary).chars(160),
        }
    appointment = entry.appointment
    if appointment is None:
        raise ValueError("A history entry is a call or an appointment.")
    facts = [appointment.get_status_display()]
    if appointment.start_at > timezone.now():
        facts.insert(0, "Upcoming")
    return {
        "kind": "appointment",
        "when": appointment_when(appointment),
        "link": change_link(appointment, f"{appointment.service_name} appointment"),
        "facts": " · ".join(facts),
        "text": appointment.notes,
    }


@admin.register(Contact)
class ContactAdmin(OwnerScopedAdmin):
    scoped_queryset = staticmethod(contacts_for_user)
    related_selectors = {"agent": agents_for_user, "source_call": calls_for_user}
    owner_field = "owner"
    list_display = ["__str__", "email", "phone", "status", "agent", "created_at"]
    list_filter = ["status", ("agent", OwnedAgentFilter), "created_at"]
    search_fields = ["name", "email", "phone", "notes"]
    readonly_fields = ["source_call", "opted_out_at", "call_attempts", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "email", "phone", "status", "notes"]}),
        (
            "Calling this contact",
            {"fields": ["timezone", "do_not_call", "opted_out_at", "call_attempts"]},
        ),
        ("Origin", {"fields": ["owner", "agent", "source_call", "created_at", "updated_at"]}),
    ]
    actions = ["call_lead", "mark_contacted", "mark_opted_out"]
    # The contact's calls and appointments follow the fields (contact_history).
    change_form_template = "admin/contacts/contact/change_form.html"

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

    @admin.action(description="Mark selected contacts as opted out (never called again)")
    def mark_opted_out(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        for contact in queryset:
            contact_opt_out(contact=contact)
        self.message_user(
            request, f"{len(queryset)} contact(s) will not be called again.", messages.SUCCESS
        )

    @admin.action(description="Call this lead (their agent calls them now)")
    def call_lead(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        for contact in queryset.select_related("agent"):
            if contact.agent is None:
                self.message_user(request, f"{contact}: no agent to call them.", messages.ERROR)
                continue
            try:
                outbound_call_request(
                    contact=contact, agent=contact.agent, requested_by=request.user
                )
            except OutboundRefused as refused:
                self.message_user(request, f"{contact}: {refused.message}", messages.ERROR)
                continue
            self.message_user(request, f"{contact}: calling now.", messages.SUCCESS)

    @admin.display(description="Outbound calls")
    def call_attempts(self, contact: Contact) -> str:
        if contact.pk is None:
            return "—"
        return attempts_table(list(contact.call_attempts.order_by("-created_at")[:20]))

    def save_model(self, request: HttpRequest, obj: Contact, form: Any, change: bool) -> None:
        opting_out = obj.do_not_call and "do_not_call" in form.changed_data
        super().save_model(request, obj, form, change)
        if opting_out:
            contact_opt_out(contact=obj)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Contact | None = None,
    ) -> HttpResponse:
        if obj is not None and obj.pk is not None:
            history = contact_history(contact=obj, user=request.user)
            context["contact_history"] = [_history_row(entry) for entry in history.entries]
            context["contact_history_truncated"] = history.truncated
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"owner": request.user.pk, **super().get_changeform_initial_data(request)}
