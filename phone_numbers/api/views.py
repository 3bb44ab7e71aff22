"""REST views of phone numbers: thin, owner-scoped, writes through phone_numbers.services
(validated as the admin validates)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from agents.selectors import agents_for_user
from phone_numbers.api.serializers import PhoneNumberSerializer
from phone_numbers.models import PhoneNumber
from phone_numbers.selectors import phone_numbers_for_user
from phone_numbers.services import phone_number_delete, phone_number_save
from voiceagent.api.filtering import StrictFilterBackend
from voiceagent.api.pagination import NewestCreatedCursorPagination

TAKEN = "409 `number_taken` when the provider's number is already set up on this server."


@extend_schema_view(
    list=extend_schema(summary="List phone numbers", description="Newest first; cursor pages."),
    retrieve=extend_schema(summary="One phone number"),
    create=extend_schema(
        summary="Add a phone number",
        description="Calls to the number (routed by the number called, docs/telephony.md) "
        f"reach the agent. {TAKEN}",
    ),
    update=extend_schema(
        summary="Replace a phone number's settings",
        description=f"`auth_token` left out keeps the stored one. {TAKEN}",
    ),
    partial_update=extend_schema(summary="Change a phone number", description=TAKEN),
    destroy=extend_schema(
        summary="Delete a phone number", description="Calls to it are refused from then on."
    ),
)
class PhoneNumberViewSet(viewsets.ModelViewSet[PhoneNumber]):
    serializer_class = PhoneNumberSerializer
    pagination_class = NewestCreatedCursorPagination
    filter_backends = [StrictFilterBackend]

    def get_queryset(self) -> QuerySet[PhoneNumber]:
        return phone_numbers_for_user(user=self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        agents = agents_for_user(user=self.request.user)
        return {**super().get_serializer_context(), "agents": agents}

    def perform_create(self, serializer: serializers.BaseSerializer[PhoneNumber]) -> None:
        data = dict(serializer.validated_data)
        # The number belongs to its agent's owner (a superuser may add one for any agent).
        number = PhoneNumber(owner_id=data["agent"].owner_id)
        serializer.instance = phone_number_save(phone_number=number, changes=data)

    def perform_update(self, serializer: serializers.BaseSerializer[PhoneNumber]) -> None:
        number = cast(PhoneNumber, serializer.instance)
        data = dict(serializer.validated_data)
        serializer.instance = phone_number_save(phone_number=number, changes=data)

    def perform_destroy(self, instance: PhoneNumber) -> None:
        phone_number_delete(phone_number=instance)
