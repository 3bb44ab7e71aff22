"""REST views of call logs: thin, owner-scoped through the selectors."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from calls.api.filters import CallLogFilter
from calls.api.serializers import (
    CallLogDetailSerializer,
    CallLogSerializer,
    TranscriptTurnSerializer,
)
from calls.models import CallLog
from calls.selectors import calls_csv_rows, calls_for_user, transcript_plain_text
from voiceagent.api.filtering import StrictFilterBackend
from voiceagent.api.renderers import PlainTextRenderer


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

    @extend_schema(
        summary="A call's transcript",
        description="JSON turns, or plain text with `?format=txt` or `Accept: text/plain`.",
        responses={
            (200, "application/json"): TranscriptTurnSerializer(many=True),
            (200, "text/plain"): OpenApiTypes.STR,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[JSONRenderer, PlainTextRenderer],
        pagination_class=None,
        filter_backends=[],
    )
    def transcript(self, request: Request, pk: str | None = None) -> Response:
        call = self.get_object()
        turns = list(call.turns.order_by("seq"))
        if request.accepted_renderer.format == "txt":
            return Response(transcript_plain_text(call=call, turns=turns))
        return Response(TranscriptTurnSerializer(turns, many=True).data)


class CallLogCsvExportView(generics.GenericAPIView[CallLog]):
    """The call-log list as CSV: the same owner scope and filters as ``CallLogViewSet``."""

    filter_backends = [StrictFilterBackend]
    filterset_class = CallLogFilter
    pagination_class = None
    serializer_class = CallLogSerializer  # for the schema's parameters only

    def get_queryset(self) -> QuerySet[CallLog]:
        return calls_for_user(user=self.request.user)

    @extend_schema(
        summary="Export call logs as CSV",
        description="The list's filters apply; streamed, in constant memory.",
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        calls = self.filter_queryset(self.get_queryset()).order_by("-started_at")
        response = StreamingHttpResponse(
            calls_csv_rows(calls=calls), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="calls.csv"'
        return response
