"""WebSocket routes: the web widget's calls, each phone provider's media stream
(calls.telephony.registry), and the dashboard's live calls (staff, session cookie)."""

from django.urls import URLPattern, path

from calls.consumers import WebCallConsumer
from calls.telephony import registry as telephony
from dashboard.routing import websocket_urlpatterns as dashboard_websocket_urlpatterns

websocket_urlpatterns: list[URLPattern] = [
    path("ws/calls/<str:agent_public_id>/", WebCallConsumer.as_asgi()),
    *telephony.websocket_urlpatterns(),
    *dashboard_websocket_urlpatterns,
]
