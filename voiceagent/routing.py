"""WebSocket routes. The call consumers (web widget, Twilio, Plivo) register here."""

from django.urls import URLPattern

websocket_urlpatterns: list[URLPattern] = []
