"""Twilio's routes, included through ``calls.telephony.registry``. The paths are what
Twilio numbers are configured with: keep them."""

from django.urls import URLPattern, path

from calls.telephony.twilio import NAME, STREAM_PATH, outbound, status, transfer, webhook
from calls.telephony.twilio.consumer import TwilioMediaConsumer
from calls.telephony.webhook import number_agent

urlpatterns: list[URLPattern] = [
    # Calls the agent places (outbound): one attempt's answer, machine verdict, status.
    path(
        "twilio/outbound/<int:attempt_id>/answer/", outbound.answer, name="twilio-outbound-answer"
    ),
    path(
        "twilio/outbound/<int:attempt_id>/machine/",
        outbound.machine,
        name="twilio-outbound-machine",
    ),
    path(
        "twilio/outbound/<int:attempt_id>/status/", outbound.status, name="twilio-outbound-status"
    ),
    # A number set up on this server (phone_numbers): routed by the number called.
    path("twilio/voice/", webhook.voice, name="twilio-voice-number"),
    # Straight to one agent, on the server's Twilio account.
    path("twilio/voice/<str:agent_public_id>/", webhook.voice, name="twilio-voice"),
    path(
        "twilio/transfer/<uuid:call_id>/whisper/",
        transfer.whisper,
        name="twilio-transfer-whisper",
    ),
    path(
        "twilio/transfer/<uuid:call_id>/result/",
        transfer.dial_result,
        name="twilio-transfer-result",
    ),
    path(
        "twilio/status/",
        status.status,
        {"agent_resolver": number_agent(NAME)},
        name="twilio-status",
    ),
    path("twilio/status/<str:agent_public_id>/", status.status, name="twilio-status-agent"),
]

websocket_urlpatterns: list[URLPattern] = [
    path(STREAM_PATH.lstrip("/"), TwilioMediaConsumer.as_asgi()),
    # The stream of a number with its own credentials: the line names it.
    path(STREAM_PATH.lstrip("/") + "<str:line>/", TwilioMediaConsumer.as_asgi()),
]
