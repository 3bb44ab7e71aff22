"""Twilio's routes, included through ``calls.telephony.registry``. The paths are what
Twilio numbers are configured with: keep them."""

from django.urls import URLPattern, path

from calls.telephony.twilio import STREAM_PATH, webhook
from calls.telephony.twilio.consumer import TwilioMediaConsumer

urlpatterns: list[URLPattern] = [
    # A number set up on this server (phone_numbers): routed by the number called.
    path("twilio/voice/", webhook.voice, name="twilio-voice-number"),
    # Straight to one agent, on the server's Twilio account.
    path("twilio/voice/<str:agent_public_id>/", webhook.voice, name="twilio-voice"),
]

websocket_urlpatterns: list[URLPattern] = [
    path(STREAM_PATH.lstrip("/"), TwilioMediaConsumer.as_asgi()),
    # The stream of a number with its own credentials: the line names it.
    path(STREAM_PATH.lstrip("/") + "<str:line>/", TwilioMediaConsumer.as_asgi()),
]
