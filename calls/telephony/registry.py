"""The phone providers: each is one folder, ``calls/telephony/<provider>/``, whose
``urls`` module holds its HTTP ``urlpatterns`` (the voice webhook) and its
``websocket_urlpatterns`` (the media stream). Adding a provider is one line here.
``voiceagent/urls.py`` and ``voiceagent/routing.py`` include what they list."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from django.urls import URLPattern, URLResolver

if TYPE_CHECKING:
    from calls.telephony.control import CallControl

PROVIDERS: dict[str, str] = {
    "twilio": "calls.telephony.twilio.urls",
    "plivo": "calls.telephony.plivo.urls",
    # A SIP trunk pointed at OpenAI's SIP connector: a webhook, no media stream (calls/sip).
    "openai_sip": "calls.sip.urls",
}
# Labels where the name's title case is not one.
PROVIDER_LABELS = {"openai_sip": "SIP trunk (OpenAI SIP connector)"}


def provider_choices() -> list[tuple[str, str]]:
    """(name, label) pairs, for model and form choices: a callable, so a provider added
    here is offered without touching the models (their check constraints follow the
    list through ``makemigrations``)."""
    return [(name, PROVIDER_LABELS.get(name, name.title())) for name in PROVIDERS]


def http_urlpatterns() -> list[URLPattern | URLResolver]:
    patterns: list[URLPattern | URLResolver] = []
    for module in PROVIDERS.values():
        patterns += import_module(module).urlpatterns
    return patterns


def websocket_urlpatterns() -> list[URLPattern]:
    patterns: list[URLPattern] = []
    for module in PROVIDERS.values():
        patterns += import_module(module).websocket_urlpatterns
    return patterns


def provider_control(name: str) -> CallControl | None:
    """The provider's REST call control (``<provider>/control.py``'s ``CONTROL``), or
    None for a provider without one (it cannot hang up, transfer or place calls)."""
    urls = PROVIDERS.get(name)
    if urls is None:
        return None
    try:
        module = import_module(urls.rsplit(".", 1)[0] + ".control")
    except ModuleNotFoundError:
        return None
    return getattr(module, "CONTROL", None)
