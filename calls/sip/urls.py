"""The SIP connector's routes: OpenAI's webhook (named like every provider's number-routed
voice webhook, so the admin and the API show it on the number). No media stream."""

from django.urls import URLPattern, path

from calls.sip import webhook

urlpatterns = [
    path("openai/sip/webhook/", webhook.incoming, name="openai_sip-voice-number"),
]
websocket_urlpatterns: list[URLPattern] = []
