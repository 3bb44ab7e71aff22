"""OpenAI Realtime (GA) over a WebSocket."""

from __future__ import annotations

from collections.abc import Mapping

from calls.realtime.config import AgentSnapshot
from calls.realtime.engines.base import Engine, EngineSettings
from calls.realtime.upstream import WebSocketUpstream, connect_realtime


class OpenAIEngine(Engine):
    name = "openai"
    label = "OpenAI Realtime"
    needs_openai_key = True

    async def connect(
        self, agent: AgentSnapshot, settings: EngineSettings, *, call_id: str
    ) -> WebSocketUpstream:
        return await connect_realtime(
            url=settings.openai_url,
            model=agent.model,
            api_key=settings.openai_api_key,
            timeout=settings.connect_timeout,
            call_id=call_id,
        )

    def prices(self, agent: AgentSnapshot, settings: EngineSettings) -> Mapping[str, float] | None:
        return settings.prices.get(agent.model)
