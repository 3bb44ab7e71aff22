"""Reads for follow-ups: the outbox as staff see it, and what emails and webhooks say."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.urls import reverse

from agents.models import Agent
from appointments.models import Appointment, AppointmentStatus
from appointments.selectors import appointment_payload
from calls.models import CallLog
from contacts.models import Contact
from notifications.models import OutboxMessage
from voiceagent.links import stored_url
from voiceagent.selectors import owned_by


def outbox_for_user(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[OutboxMessage]:
    messages = OutboxMessage.objects.select_related("agent", "call")
    return owned_by(messages, user=user, owner_lookup="owner")


def admin_url(name: str, *args: object) -> str:
    return stored_url(reverse(name, args=args))


def agent_body(agent: Agent) -> dict[str, Any]:
    return {"id": agent.public_id, "name": agent.name}


def contact_body(contact: Contact | None, user_info: dict[str, Any]) -> dict[str, Any] | None:
    if contact is not None:
        return {
            "id": contact.pk,
            "name": contact.name,
            "email": contact.email,
            "phone": contact.phone,
            "status": contact.status,
        }
    captured = {key: user_info.get(key) for key in ("name", "email", "phone") if user_info.get(key)}
    return captured or None


def appointment_body(appointment: Appointment) -> dict[str, Any]:
    body = appointment_payload(appointment)
    body["call_id"] = str(appointment.call_id) if appointment.call_id else None
    body["contact_id"] = appointment.contact_id
    body["external_event_id"] = appointment.external_event_id or None
    body["last_error"] = appointment.last_error or None
    return body


def call_appointment(call: CallLog) -> Appointment | None:
    """The appointment the call booked and that still stands (the last one, if several)."""
    return (
        Appointment.objects.filter(call=call)
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("agent")
        .order_by("-created_at")
        .first()
    )


def call_body(call: CallLog) -> dict[str, Any]:
    return {
        "id": str(call.pk),
        "channel": call.channel,
        "direction": call.direction,
        "status": call.status,
        "started_at": call.started_at.isoformat(),
        "ended_at": call.ended_at.isoformat() if call.ended_at else None,
        "duration_seconds": call.duration_seconds,
        "end_reason": call.end_reason,
        "caller_number": call.caller_number or None,
        "summary": call.summary,
        "outcome": call.outcome or None,
        "summary_data": call.summary_data,
        "cost_usd": str(call.cost_usd + call.summary_cost_usd),
        "metadata": call.metadata,
        "admin_url": admin_url("admin:calls_calllog_change", call.pk),
    }


@dataclass(frozen=True)
class CallFollowup:
    """What the follow-ups of one summarised call are made from."""

    call: CallLog
    agent: Agent
    contact: Contact | None
    appointment: Appointment | None

    @property
    def caller_email(self) -> str:
        if self.contact is not None and self.contact.email:
            return self.contact.email
        return str((self.call.user_info or {}).get("email") or "")

    @property
    def caller_name(self) -> str:
        if self.contact is not None and self.contact.name:
            return self.contact.name
        return str((self.call.user_info or {}).get("name") or "")

    def webhook_body(self) -> dict[str, Any]:
        return {
            "agent": agent_body(self.agent),
            "call": call_body(self.call),
            "contact": contact_body(self.contact, self.call.user_info or {}),
            "appointment": appointment_body(self.appointment) if self.appointment else None,
        }


def call_followup(*, call_id: str) -> CallFollowup | None:
    call = CallLog.objects.select_related("agent", "contact").filter(pk=call_id).first()
    if call is None:
        return None
    return CallFollowup(
        call=call, agent=call.agent, contact=call.contact, appointment=call_appointment(call)
    )
