"""The offline engine: a local stand-in for OpenAI Realtime speaking the same GA protocol,
in-process (events are exchanged as dicts, never serialised)."""

from __future__ import annotations

from calls.realtime.config import AgentSnapshot
from calls.realtime.engines.base import Engine, EngineSettings
from calls.realtime.engines.offline.engine import OfflineUpstream


class OfflineEngine(Engine):
    name = "offline"
    label = "Offline engine"

    async def connect(
        self, agent: AgentSnapshot, settings: EngineSettings, *, call_id: str
    ) -> OfflineUpstream:
        return OfflineUpstream(
            language=agent.language,
            timezone=agent.timezone,
            region=agent.region,
            locale=agent.locale,
        )

    def model_name(self, agent: AgentSnapshot) -> str:
        return "offline"
