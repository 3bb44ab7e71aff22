"""REST views of contacts: thin, owner-scoped, writes through contacts.services."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response

from agents.selectors import agents_for_user
from contacts.api.filters import ContactFilter
from contacts.api.serializers import RELATED_LIMIT, ContactDetailSerializer, ContactSerializer
from contacts.models import Contact
from contacts.selectors import contacts_for_user
from contacts.services import contact_create, contact_delete, contact_update
from outbound.api.serializers import CallAttemptSerializer, CallRequestSerializer
from outbound.api.views import owned_choices
from outbound.services import contact_opt_out, outbound_call_request
from voiceagent.api.errors import Conflict, request_user_id
from voiceagent.api.filtering import StrictFilterBackend
from voiceagent.api.pagination import NewestCreatedCursorPagination


@extend_schema_view(
    list=extend_schema(summary="List contacts", description="Newest first; cursor pages."),
    retrieve=extend_schema(
        summary="One contact",
        description=f"With their latest {RELATED_LIMIT} calls and appointments.",
    ),
    create=extend_schema(
        summary="Add a contact",
        description="409 `duplicate_contact` (with `details.existing_id`) when another "
        "contact already has the email or phone number.",
    ),
    update=extend_schema(summary="Replace a contact's editable fields"),
    partial_update=extend_schema(summary="Change a contact"),
    destroy=extend_schema(
        summary="Delete a contact",
        description="Their calls and appointments stay, no longer linked to the contact.",
    ),
)
class ContactViewSet(viewsets.ModelViewSet[Contact]):
    filter_backends = [StrictFilterBackend, OrderingFilter]
    filterset_class = ContactFilter
    ordering_fields = ["created_at", "updated_at", "name"]
    pagination_class = NewestCreatedCursorPagination

    def get_queryset(self) -> QuerySet[Contact]:
        return contacts_for_user(user=self.request.user)

    def get_serializer_class(self) -> type[ContactSerializer]:
        return ContactDetailSerializer if self.action == "retrieve" else ContactSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {
            **super().get_serializer_context(),
            "agents": agents_for_user(user=self.request.user),
        }

    def perform_create(self, serializer: serializers.BaseSerializer[Contact]) -> None:
        data = dict(serializer.validated_data)
        agent = data.pop("agent", None)
        owner_id = agent.owner_id if agent is not None else request_user_id(self.request)
        serializer.instance = contact_create(
            owner_id=owner_id, agent_id=agent.pk if agent else None, **data
        )

    def perform_update(self, serializer: serializers.BaseSerializer[Contact]) -> None:
        data = dict(serializer.validated_data)
        contact = cast(Contact, serializer.instance)
        if "agent" in data:
            agent = data.pop("agent")
            if agent is not None and agent.owner_id != contact.owner_id:
                raise Conflict("The agent belongs to another account than the contact.")
            data["agent_id"] = agent.pk if agent is not None else None
        opting_out = data.get("do_not_call") is True and not contact.do_not_call
        serializer.instance = contact_update(contact=contact, changes=data)
        if opting_out:
            contact_opt_out(contact=serializer.instance)

    def perform_destroy(self, instance: Contact) -> None:
        contact_delete(contact=instance)

    @extend_schema(
        summary="Call this contact",
        description="The agent (default: the contact's) calls the contact now from one of "
        "its numbers; the answer is the call attempt (202), whose progress "
        "`/api/call-attempts/<id>/` shows. 409 with a code when it may not: "
        "`opted_out`, `no_phone`, `no_number`, `number_unavailable`, `lines_busy`, "
        "`already_calling`, or `outside_calling_hours` (with `details.next_window`; "
        "`schedule: true` schedules it for then instead).",
        request=CallRequestSerializer,
        responses={202: CallAttemptSerializer},
    )
    @action(detail=True, methods=["post"])
    def call(self, request: Request, pk: str | None = None) -> Response:
        contact = self.get_object()
        form = CallRequestSerializer(data=request.data, context=owned_choices(request))
        form.is_valid(raise_exception=True)
        agent = form.validated_data.get("agent") or contact.agent
        if agent is None:
            raise ValidationError({"agent": ["The contact has no agent: name one."]})
        attempt = outbound_call_request(
            contact=contact,
            agent=agent,
            phone_number=form.validated_data.get("from_number"),
            requested_by=request.user,
            schedule=form.validated_data["schedule"],
        )
        return Response(CallAttemptSerializer(attempt).data, status=status.HTTP_202_ACCEPTED)
