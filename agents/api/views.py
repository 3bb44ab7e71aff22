"""REST views of agents and their knowledge sources: thin, owner-scoped, writes through
agents.services (validated as the admin validates)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from agents.api.serializers import (
    AgentSerializer,
    KnowledgeSourceSerializer,
    WebSessionRequestSerializer,
    WebSessionSerializer,
)
from agents.models import Agent, KnowledgeSource
from agents.selectors import agents_for_user
from agents.services import (
    HoursSpec,
    ServiceSpec,
    agent_delete,
    agent_save,
    agent_webhook_secret_rotate,
    knowledge_source_delete,
    knowledge_source_save,
)
from calls.web_sessions import call_websocket_url, web_session_mint
from voiceagent.api.errors import request_user_id
from voiceagent.api.filtering import StrictFilterBackend
from voiceagent.api.pagination import NewestCreatedCursorPagination
from voiceagent.links import public_base_url

AGENT_ID = OpenApiParameter("public_id", str, OpenApiParameter.PATH, description="Agent public id.")


def _specs(data: dict[str, Any]) -> dict[str, Any]:
    """The nested lists of a validated agent, as the service takes them."""
    specs: dict[str, Any] = {}
    if "services" in data:
        specs["services"] = [ServiceSpec(**row) for row in data.pop("services")]
    if "business_hours" in data:
        specs["hours"] = [HoursSpec(**row) for row in data.pop("business_hours")]
    return specs


class WebhookSecretSerializer(serializers.Serializer[Any]):
    webhook_secret = serializers.CharField(
        help_text="Verifies the `Voiceagent-Signature` of webhook deliveries (docs/webhooks.md)."
    )


@extend_schema_view(
    list=extend_schema(summary="List agents"),
    retrieve=extend_schema(summary="One agent", parameters=[AGENT_ID]),
    create=extend_schema(summary="Create an agent"),
    update=extend_schema(summary="Replace an agent's settings", parameters=[AGENT_ID]),
    partial_update=extend_schema(summary="Change an agent's settings", parameters=[AGENT_ID]),
    destroy=extend_schema(
        summary="Delete an agent",
        description="Only an agent without call logs, appointments or phone numbers (409 "
        "`agent_in_use` otherwise: deactivate it instead).",
        parameters=[AGENT_ID],
    ),
)
class AgentViewSet(viewsets.ModelViewSet[Agent]):
    serializer_class = AgentSerializer
    lookup_field = "public_id"
    lookup_value_regex = r"[A-Za-z0-9_-]+"
    pagination_class = NewestCreatedCursorPagination
    filter_backends = [StrictFilterBackend]

    def get_queryset(self) -> QuerySet[Agent]:
        return agents_for_user(user=self.request.user).prefetch_related(
            "services", "business_hours"
        )

    def perform_create(self, serializer: serializers.BaseSerializer[Agent]) -> None:
        data = dict(serializer.validated_data)
        specs = _specs(data)
        serializer.instance = agent_save(
            agent=Agent(owner_id=request_user_id(self.request)), changes=data, **specs
        )

    def perform_update(self, serializer: serializers.BaseSerializer[Agent]) -> None:
        agent = cast(Agent, serializer.instance)
        data = dict(serializer.validated_data)
        specs = _specs(data)
        serializer.instance = agent_save(agent=agent, changes=data, **specs)
        # The nested lists were prefetched before the change.
        serializer.instance._prefetched_objects_cache = {}  # type: ignore[attr-defined]

    def perform_destroy(self, instance: Agent) -> None:
        agent_delete(agent=instance)

    @extend_schema(
        summary="Start a web call from your backend: a session token",
        description="A short-lived token that lets one web call start with this agent "
        "(docs/api.md). With the agent's `require_session_token` on, calls need one.",
        parameters=[AGENT_ID],
        request=WebSessionRequestSerializer,
        responses={201: WebSessionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="web-sessions")
    def web_sessions(self, request: Request, public_id: str | None = None) -> Response:
        agent = self.get_object()
        incoming = WebSessionRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        session = web_session_mint(
            agent_public_id=agent.public_id,
            ttl_seconds=data["ttl_seconds"],
            user_info=data.get("user_info"),
            metadata=data.get("metadata"),
        )
        websocket_url = call_websocket_url(
            base_url=public_base_url(request),
            agent_public_id=agent.public_id,
            session_token=session.token,
        )
        body = {
            "session_token": session.token,
            "expires_at": session.expires_at,
            "websocket_url": websocket_url,
        }
        return Response(WebSessionSerializer(body).data, status=201)

    @extend_schema(
        summary="The agent's webhook signing secret",
        parameters=[AGENT_ID],
        responses={200: WebhookSecretSerializer},
    )
    @action(detail=True, methods=["get"], url_path="webhook-secret")
    def webhook_secret(self, request: Request, public_id: str | None = None) -> Response:
        agent = self.get_object()
        return Response({"webhook_secret": agent.webhook_secret.reveal()})

    @extend_schema(
        summary="Give the agent a new webhook signing secret",
        description="Deliveries from now on are signed with the new secret, returned here.",
        parameters=[AGENT_ID],
        request=None,
        responses={200: WebhookSecretSerializer},
    )
    @webhook_secret.mapping.post
    def webhook_secret_rotate(self, request: Request, public_id: str | None = None) -> Response:
        agent = self.get_object()
        agent_webhook_secret_rotate(agent_ids=[agent.pk])
        agent.refresh_from_db(fields=["webhook_secret"])
        return Response({"webhook_secret": agent.webhook_secret.reveal()})


@extend_schema_view(
    list=extend_schema(summary="List an agent's knowledge sources", parameters=[AGENT_ID]),
    retrieve=extend_schema(summary="One knowledge source", parameters=[AGENT_ID]),
    create=extend_schema(
        summary="Add a knowledge source",
        description="Text, Markdown and HTML take `content`, `url` takes `url`, `pdf` a "
        "`file` (multipart). Ingestion runs in the background: poll `status` "
        "(pending → processing → ready or failed, with `error`).",
        parameters=[AGENT_ID],
    ),
    update=extend_schema(summary="Replace a knowledge source", parameters=[AGENT_ID]),
    partial_update=extend_schema(
        summary="Change a knowledge source (ingested again)", parameters=[AGENT_ID]
    ),
    destroy=extend_schema(summary="Delete a knowledge source", parameters=[AGENT_ID]),
)
class KnowledgeSourceViewSet(viewsets.ModelViewSet[KnowledgeSource]):
    serializer_class = KnowledgeSourceSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    pagination_class = NewestCreatedCursorPagination
    filter_backends = [StrictFilterBackend]

    def agent(self) -> Agent:
        agents = agents_for_user(user=self.request.user)
        return get_object_or_404(agents, public_id=self.kwargs["public_id"])

    def get_queryset(self) -> QuerySet[KnowledgeSource]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no agent
            return KnowledgeSource.objects.none()
        return KnowledgeSource.objects.filter(agent=self.agent())

    def perform_create(self, serializer: serializers.BaseSerializer[KnowledgeSource]) -> None:
        source = KnowledgeSource(agent=self.agent(), **serializer.validated_data)
        source.full_clean()
        serializer.instance = knowledge_source_save(source=source)

    def perform_update(self, serializer: serializers.BaseSerializer[KnowledgeSource]) -> None:
        source = cast(KnowledgeSource, serializer.instance)
        for field, value in serializer.validated_data.items():
            setattr(source, field, value)
        source.full_clean()
        serializer.instance = knowledge_source_save(source=source)

    def perform_destroy(self, instance: KnowledgeSource) -> None:
        knowledge_source_delete(source=instance)

    @extend_schema(
        summary="Ingest a knowledge source again",
        description="E.g. after its web page changed.",
        parameters=[AGENT_ID],
        request=None,
        responses={202: KnowledgeSourceSerializer},
    )
    @action(detail=True, methods=["post"])
    def reingest(self, request: Request, public_id: str, pk: str | None = None) -> Response:
        source = knowledge_source_save(source=self.get_object())
        return Response(self.get_serializer(source).data, status=202)
