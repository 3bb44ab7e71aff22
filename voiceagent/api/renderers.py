from __future__ import annotations

from typing import Any

from rest_framework.renderers import BaseRenderer


class PlainTextRenderer(BaseRenderer):
    """``text/plain`` (``?format=txt``): the view returns a string; an error, its message."""

    media_type = "text/plain"
    format = "txt"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> bytes:
        if isinstance(data, dict) and "error" in data:
            return str(data["error"].get("message", "")).encode()
        return str(data).encode()
