"""Plivo's routes, included through ``calls.telephony.registry``. The paths are what Plivo
applications are configured with: keep them."""

from django.urls import URLPattern, path

from calls.telephony import hold
from calls.telephony.plivo import STREAM_PATH, outbound, transfer, webhook
from calls.telephony.plivo.consumer import PlivoMediaConsumer
from calls.telephony.plivo.status import urlpatterns_status

urlpatterns: list[URLPattern] = [
    # Calls the agent places (outbound): one attempt's answer, machine verdict, status.
    path("plivo/outbound/<int:attempt_id>/answer/", outbound.answer, name="plivo-outbound-answer"),
    path(
        "plivo/outbound/<int:attempt_id>/machine/",
        outbound.machine,
        name="plivo-outbound-machine",
    ),
    path("plivo/outbound/<int:attempt_id>/status/", outbound.status, name="plivo-outbound-status"),
    path("plivo/answer/", webhook.answer, name="plivo-voice-number"),
    path("plivo/answer/<str:agent_public_id>/", webhook.answer, name="plivo-answer"),
    path("plivo/transfer/<uuid:call_id>/dial/", transfer.dial, name="plivo-transfer-dial"),
    path("plivo/transfer/<uuid:call_id>/whisper/", transfer.whisper, name="plivo-transfer-whisper"),
    path("plivo/transfer/<uuid:call_id>/hold/", transfer.hold, name="plivo-transfer-hold"),
    path(
        "plivo/transfer/<uuid:call_id>/result/",
        transfer.dial_result,
        name="plivo-transfer-result",
    ),
    path("telephony/hold.wav", hold.hold_audio, name="phone-hold-audio"),
    *urlpatterns_status,
]

websocket_urlpatterns: list[URLPattern] = [
    path(STREAM_PATH.lstrip("/"), PlivoMediaConsumer.as_asgi()),
    path(STREAM_PATH.lstrip("/") + "<str:line>/", PlivoMediaConsumer.as_asgi()),
]
