"""Plivo's routes, included through ``calls.telephony.registry``. The paths are what Plivo
applications are configured with: keep them."""

from django.urls import URLPattern, path

from calls.telephony.plivo import STREAM_PATH, webhook
from calls.telephony.plivo.consumer import PlivoMediaConsumer

urlpatterns: list[URLPattern] = [
    path("plivo/answer/<str:agent_public_id>/", webhook.answer, name="plivo-answer"),
]

websocket_urlpatterns: list[URLPattern] = [
    path(STREAM_PATH.lstrip("/"), PlivoMediaConsumer.as_asgi()),
]
