"""The dashboard's WebSocket route, with the session user (``AuthMiddlewareStack``)."""

from channels.auth import AuthMiddlewareStack
from django.urls import URLPattern, path

from dashboard.consumers import CallMonitorConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/dashboard/calls/<uuid:call_id>/", AuthMiddlewareStack(CallMonitorConsumer.as_asgi())),
]
