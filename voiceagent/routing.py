"""WebSocket routes. The call consumers (web widget, Twilio, Plivo) register here."""

from django.urls import URLPattern, path

from calls.consumers import TwilioMediaConsumer, WebCallConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/calls/<str:agent_public_id>/", WebCallConsumer.as_asgi()),
    path("ws/twilio/media/", TwilioMediaConsumer.as_asgi()),
]
