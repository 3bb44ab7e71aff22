"""The greeting of a call: played from the cache at once, or asked of the model and cached."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from calls.realtime.playback import AssistantAudio

if TYPE_CHECKING:
    from calls.realtime.session import CallSession

GREETING_CHUNK_MS = 50


class Greeting:
    async def _greet(self: CallSession) -> None:
        greeting = self.agent.greeting.strip()
        if not greeting:
            await self.request_response(
                instructions="Greet the caller briefly and ask how you can help.",
                metadata={"purpose": "greeting"},
            )
            return
        cached = await self.hooks.greeting_get(
            self.agent.greeting_cache_key(self.engine, self.audio.name)
        )
        if cached is None:
            await self.request_response(
                instructions=(
                    "Start the call by saying exactly this greeting, word for word, "
                    f'and nothing else: "{greeting}"'
                ),
                metadata={"purpose": "greeting"},
            )
            return
        audio, transcript = cached
        item_id = f"greeting_{self.call_id[:8]}"
        self.current_audio = AssistantAudio(
            item_id=item_id,
            response_id=item_id,
            started_at=self._clock(),
            upstream_item=False,
            bytes_per_ms=self.audio.bytes_per_ms,
        )
        chunk_bytes = GREETING_CHUNK_MS * self.audio.bytes_per_ms
        for start in range(0, len(audio), chunk_bytes):
            chunk = audio[start : start + chunk_bytes]
            await self._forward_audio(item_id, base64.b64encode(chunk).decode(), len(chunk))
        await self._assistant_final(item_id, transcript)
        await self.hooks.send_json({"type": "response_done", "item_id": item_id})
        # The model must know it already greeted, without speaking again.
        await self.add_message("assistant", transcript)
