"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import os

from channels.routing import ChannelNameRouter, ProtocolTypeRouter, URLRouter
from django.conf import settings
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voiceagent.settings")

# Django must be set up before anything imports models (consumers, routing).
django_asgi_app = get_asgi_application()

from calls.sip.consumer import SidebandWorkerConsumer  # noqa: E402
from voiceagent.daphne_compat import daphne_shutdown_patch  # noqa: E402
from voiceagent.middleware import WebSocketAllowedHostsMiddleware  # noqa: E402
from voiceagent.routing import websocket_urlpatterns  # noqa: E402

daphne_shutdown_patch()

# No AllowedHostsOriginValidator: the widget is embedded on other sites, so each
# call consumer checks the Origin against its agent's allowed origins instead (the
# dashboard's socket, authenticated by the session cookie, accepts only this server's
# own pages: dashboard/consumers.py); the Host header is checked against ALLOWED_HOSTS
# as Django does for HTTP.
application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": WebSocketAllowedHostsMiddleware(URLRouter(websocket_urlpatterns)),
        # Background workers (`manage.py runworker sip-sideband`): SIP calls' sidebands.
        "channel": ChannelNameRouter(
            {settings.SIP_SIDEBAND_CHANNEL: SidebandWorkerConsumer.as_asgi()}
        ),
    }
)
