"""REST views of call logs: thin, owner-scoped through the selectors."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.filters import OrderingFilter

from calls.api.filters import CallLogFilter
from calls.api.serializers import CallLogDetailSerializer, CallLogSerializer
from calls.models import CallLog
from calls.selectors import calls_for_user
from voiceagent.api.filtering import StrictFilterBackend


@extend_schema_view(
    list=extend_schema(summary="List call logs", description="Newest first; cursor pages."),
    retrieve=extend_schema(
        summary="One call log", description="With its transcript and tool invocations."
    ),
)
class CallLogViewSet(viewsets.ReadOnlyModelViewSet[CallLog]):
    filter_backends = [StrictFilterBackend, OrderingFilter]
    filterset_class = CallLogFilter
    ordering_fields = ["started_at", "duration_seconds", "cost_usd"]

    def get_queryset(self) -> QuerySet[CallLog]:
        calls = calls_for_user(user=self.request.user)
        if self.action == "retrieve":
            return calls.prefetch_related("turns", "tool_invocations")
        return calls

    def get_serializer_class(self) -> type[CallLogSerializer]:
        return CallLogDetailSerializer if self.action == "retrieve" else CallLogSerializer
