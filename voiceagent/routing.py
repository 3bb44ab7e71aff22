"""WebSocket routes: the web widget's calls, and each phone provider's media stream
(calls.telephony.registry)."""

from django.urls import URLPattern, path

from calls.consumers import WebCallConsumer
from calls.telephony import registry as telephony

websocket_urlpatterns: list[URLPattern] = [
    path("ws/calls/<str:agent_public_id>/", WebCallConsumer.as_asgi()),
    *telephony.websocket_urlpatterns(),
]
