"""REST views of appointments: booking, moving and cancelling go through the same
services the agent's tools use, so the rules (business hours, free slots, the
calendar, the emails and webhooks) are the same whoever books."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response

from agents.selectors import agents_for_user
from appointments.api.filters import AppointmentFilter
from appointments.api.serializers import (
    AppointmentCreateSerializer,
    AppointmentRescheduleSerializer,
    AppointmentSerializer,
)
from appointments.models import Appointment
from appointments.selectors import appointments_for_user
from appointments.services import (
    appointment_book_for_caller,
    appointment_cancel,
    appointment_reschedule,
)
from contacts.selectors import contacts_for_user
from contacts.services import ContactChanges
from voiceagent.api.filtering import StrictFilterBackend
from voiceagent.api.pagination import LatestStartCursorPagination

REFUSALS = "409 `booking_refused` with a message that says why (outside business hours, taken, in the past)."  # noqa: E501


def _aware(start: dt.datetime, zone: str) -> dt.datetime:
    return start if start.tzinfo is not None else start.replace(tzinfo=ZoneInfo(zone))


@extend_schema_view(
    list=extend_schema(summary="List appointments", description="Latest start first."),
    retrieve=extend_schema(summary="One appointment"),
)
class AppointmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Appointment],
):
    filter_backends = [StrictFilterBackend, OrderingFilter]
    filterset_class = AppointmentFilter
    ordering_fields = ["start_at", "created_at"]
    serializer_class = AppointmentSerializer
    pagination_class = LatestStartCursorPagination

    def get_queryset(self) -> QuerySet[Appointment]:
        return appointments_for_user(user=self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        user = self.request.user
        return {
            **super().get_serializer_context(),
            "agents": agents_for_user(user=user),
            "contacts": contacts_for_user(user=user),
        }

    @extend_schema(
        summary="Book an appointment",
        description="Books through the agent's rules and calendar. " + REFUSALS + " A retry "
        "with the same `Idempotency-Key` header returns the first booking.",
        request=AppointmentCreateSerializer,
        responses={201: AppointmentSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="Any unique string (up to 255 characters) per booking.",
            )
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = AppointmentCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        agent = data["agent"]
        contact = data.get("contact")
        details = None
        if data.get("email") or data.get("phone"):
            details = ContactChanges(
                name=data.get("name", "").strip(),
                email=data.get("email", "").strip(),
                phone=data.get("phone", ""),
            )
        booking = appointment_book_for_caller(
            agent_id=agent.pk,
            service_name=data["service"],
            start=_aware(data["start"], agent.timezone),
            details=details,
            contact_id=contact.pk if contact is not None else None,
            request_key=request.headers.get("Idempotency-Key", "")[:255] or uuid.uuid4().hex,
        )
        body = AppointmentSerializer(booking.appointment, context=self.get_serializer_context())
        return Response(body.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Move an appointment",
        description="To a new start, same service. " + REFUSALS,
        request=AppointmentRescheduleSerializer,
        responses={200: AppointmentSerializer},
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request: Request, pk: str | None = None) -> Response:
        appointment = self.get_object()
        incoming = AppointmentRescheduleSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        start = _aware(incoming.validated_data["start"], appointment.timezone)
        moved = appointment_reschedule(appointment=appointment, start=start)
        return Response(AppointmentSerializer(moved).data)

    @extend_schema(
        summary="Cancel an appointment",
        description="Cancelling a cancelled appointment changes nothing.",
        request=None,
        responses={200: AppointmentSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        cancelled = appointment_cancel(appointment=self.get_object())
        return Response(AppointmentSerializer(cancelled).data)
