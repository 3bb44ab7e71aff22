"""The greeting of a call: played from the cache at once, or asked of the model and cached
once it has been spoken in full.

When the call is recorded, the agent's recording notice is said first, in the same
utterance: the model is asked to say both, word for word, and the cached audio (keyed
with the notice) says both. One response instead of two keeps the greeting as quick as
without a notice, and works the same for every engine.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from typing import Any

from calls.realtime.config import AgentSnapshot
from calls.realtime.hooks import CallHooks

logger = logging.getLogger(__name__)

GREETING_CHUNK_MS = 50
GREETING_METADATA = {"purpose": "greeting"}


class Greeting:
    def __init__(
        self, *, call_id: str, agent: AgentSnapshot, hooks: CallHooks, cache_key: str
    ) -> None:
        self._call_id = call_id
        self._text = agent.greeting.strip()
        self._notice = agent.recording_notice.strip()
        self._spoken = " ".join(part for part in (self._notice, self._text) if part)
        self._hooks = hooks
        self._cache_key = cache_key
        self._cacheable = agent.greeting_cacheable
        self.item_id = f"greeting_{call_id[:8]}"  # a cached greeting's local item
        self._response_id: str | None = None
        self._chunks: list[str] = []

    async def cached(self) -> tuple[bytes, str] | None:
        """The recorded greeting and its transcript, when this greeting was spoken before."""
        if not self._text or not self._cacheable:
            return None
        return await self._hooks.greeting_get(self._cache_key)

    def instructions(self) -> str:
        """For the model, when nothing is cached."""
        if not self._text:
            if self._notice:
                return (
                    f'Start the call by saying exactly this, word for word: "{self._notice}" '
                    "Then greet the caller briefly and ask how you can help."
                )
            return "Greet the caller briefly and ask how you can help."
        return (
            "Start the call by saying exactly this greeting, word for word, "
            f'and nothing else: "{self._spoken}"'
        )

    @staticmethod
    def chunks(audio: bytes, bytes_per_ms: int) -> Iterator[bytes]:
        size = GREETING_CHUNK_MS * bytes_per_ms
        for start in range(0, len(audio), size):
            yield audio[start : start + size]

    # -- recording the model's greeting

    def response_created(self, response: dict[str, Any]) -> None:
        if (response.get("metadata") or {}).get("purpose") == GREETING_METADATA["purpose"]:
            self._response_id = response.get("id")

    def audio(self, response_id: str, delta: str) -> None:
        if response_id and response_id == self._response_id:
            self._chunks.append(delta)

    async def response_done(self, response: dict[str, Any]) -> None:
        """Caches the greeting when this was its response and it was spoken in full."""
        if not response.get("id") or response.get("id") != self._response_id:
            return
        chunks, self._chunks = self._chunks, []
        self._response_id = None
        if (
            response.get("status") != "completed"
            or not chunks
            or not self._text
            or not self._cacheable
        ):
            return
        transcript = ""
        for item in response.get("output") or []:
            for part in (item or {}).get("content") or []:
                transcript = transcript or (part or {}).get("transcript") or ""
        audio = b"".join(base64.b64decode(chunk) for chunk in chunks)
        try:
            await self._hooks.greeting_put(self._cache_key, audio, transcript or self._spoken)
        except Exception:
            logger.exception("Call %s: caching the greeting failed", self._call_id)
