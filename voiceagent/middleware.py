"""HTTP and WebSocket safeguards of the product's own pages and sockets."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port, validate_host

logger = logging.getLogger(__name__)

# The demo page, the admin and the widget (Shadow DOM styles, an AudioWorklet module
# from this origin) work under it; inline scripts do not run. Styles may be inline:
# the admin and the widget's shadow root use style attributes and <style> elements.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; media-src 'self' blob:; worker-src 'self' blob:; "
    "connect-src 'self' {websockets}; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class ContentSecurityPolicyMiddleware:
    """Adds the policy to every response that has none; ``connect-src`` names this
    host's ws:// and wss:// explicitly, for browsers whose 'self' does not cover them."""

    sync_capable = True
    async_capable = True  # no thread hop in front of async views (/healthz)

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if iscoroutinefunction(self):
            return self._acall(request)
        return self._add_policy(request, self.get_response(request))

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        return self._add_policy(request, await self.get_response(request))

    @staticmethod
    def _add_policy(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if "Content-Security-Policy" not in response:
            host = request.get_host()
            response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.format(
                websockets=f"ws://{host} wss://{host}"
            )
        return response


def allowed_hosts() -> list[str]:
    """Django's own rule: with DEBUG and no ALLOWED_HOSTS, the local names only."""
    if settings.ALLOWED_HOSTS:
        return list(settings.ALLOWED_HOSTS)
    return [".localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else []


class WebSocketAllowedHostsMiddleware:
    """Refuses WebSocket handshakes whose Host is not in ALLOWED_HOSTS, as Django does
    for HTTP. Without it, a page on another domain that resolves to this server (DNS
    rebinding) could open calls, since an agent with no allowed origins accepts pages
    from the socket's own host. (Channels' AllowedHostsOriginValidator checks Origin,
    which the widget, embedded on other sites, must be free to send.)"""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            host = next(
                (value.decode("latin1") for name, value in scope["headers"] if name == b"host"),
                "",
            )
            domain, _port = split_domain_port(host)
            if not domain or not validate_host(domain, allowed_hosts()):
                logger.warning("Refused a WebSocket for host %r (not in ALLOWED_HOSTS)", host[:100])
                await receive()  # websocket.connect
                await send({"type": "websocket.close", "code": 1008})  # before accept: 403
                return
        await self.app(scope, receive, send)
