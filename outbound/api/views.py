"""REST views of outbound calls: campaigns and attempts (the call request itself is an
action on the contact, ``contacts.api.views``). Thin: writes through the services."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agents.selectors import agents_for_user
from contacts.selectors import contacts_for_user
from outbound.api.serializers import CallAttemptSerializer, CampaignSerializer
from outbound.campaign_services import (
    campaign_cancel,
    campaign_pause,
    campaign_save,
    campaign_start,
)
from outbound.models import CallAttempt, Campaign
from outbound.selectors import attempts_for_user, campaigns_for_user
from phone_numbers.selectors import phone_numbers_for_user
from voiceagent.api.filtering import StrictFilterBackend
from voiceagent.api.pagination import NewestCreatedCursorPagination


def owned_choices(request: Request) -> dict[str, Any]:
    """What a requester may name in a call request or a campaign."""
    return {
        "agents": agents_for_user(user=request.user),
        "numbers": phone_numbers_for_user(user=request.user),
        "contacts": contacts_for_user(user=request.user),
    }


@extend_schema_view(
    list=extend_schema(summary="List campaigns", description="Newest first; cursor pages."),
    retrieve=extend_schema(summary="One campaign, with its progress"),
    create=extend_schema(
        summary="Create a campaign",
        description="A draft: start it with `POST /api/campaigns/<id>/start/`. The agent "
        "calls its contacts from `from_number`, within each contact's calling hours, at "
        "most `max_concurrent_calls` at a time.",
    ),
    update=extend_schema(summary="Replace a campaign's settings"),
    partial_update=extend_schema(
        summary="Change a campaign", description="`contacts` given are added to it."
    ),
)
class CampaignViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Campaign],
):
    serializer_class = CampaignSerializer
    pagination_class = NewestCreatedCursorPagination
    filter_backends = [StrictFilterBackend]

    def get_queryset(self) -> QuerySet[Campaign]:
        return campaigns_for_user(user=self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), **owned_choices(self.request)}

    def perform_create(self, serializer: serializers.BaseSerializer[Campaign]) -> None:
        data = dict(serializer.validated_data)
        contacts = data.pop("contacts", [])
        campaign = Campaign(owner_id=data["agent"].owner_id)
        saved = campaign_save(campaign=campaign, changes=data, contacts=contacts)
        serializer.instance = self.get_queryset().get(pk=saved.pk)  # with its counts

    def perform_update(self, serializer: serializers.BaseSerializer[Campaign]) -> None:
        data = dict(serializer.validated_data)
        contacts = data.pop("contacts", [])
        campaign = cast(Campaign, serializer.instance)
        saved = campaign_save(campaign=campaign, changes=data, contacts=contacts)
        serializer.instance = self.get_queryset().get(pk=saved.pk)

    def _respond(self, campaign: Campaign) -> Response:
        fresh = self.get_queryset().get(pk=campaign.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_200_OK)

    @extend_schema(summary="Start (or resume) a campaign", request=None)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        return self._respond(campaign_start(campaign=self.get_object()))

    @extend_schema(summary="Pause a campaign (calls under way go on)", request=None)
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, pk: str | None = None) -> Response:
        return self._respond(campaign_pause(campaign=self.get_object()))

    @extend_schema(summary="Cancel a campaign (its scheduled calls too)", request=None)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        return self._respond(campaign_cancel(campaign=self.get_object()))


@extend_schema_view(
    list=extend_schema(
        summary="List outbound call attempts",
        description="Newest first; every call the agents placed or scheduled, with its "
        "result. Filter with `contact`, `campaign`, `status`, `result`.",
    ),
    retrieve=extend_schema(summary="One outbound call attempt"),
)
class CallAttemptViewSet(viewsets.ReadOnlyModelViewSet[CallAttempt]):
    serializer_class = CallAttemptSerializer
    pagination_class = NewestCreatedCursorPagination
    filter_backends = [StrictFilterBackend]
    filterset_fields = ["contact", "campaign", "status", "result"]

    def get_queryset(self) -> QuerySet[CallAttempt]:
        return attempts_for_user(user=self.request.user)
