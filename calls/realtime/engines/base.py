"""What an engine is: something that opens a Realtime-protocol peer for one call."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from calls.realtime.config import AgentSnapshot
from calls.realtime.upstream import Upstream


@dataclass(frozen=True)
class EngineSettings:
    """The deployment's configuration engines may need, read from Django settings by the
    caller (the bridge itself imports no Django)."""

    openai_url: str = ""
    openai_api_key: str = ""
    connect_timeout: float = 10.0
    # USD per 1M tokens by model, keyed like REALTIME_PRICES (calls/realtime/usage.py).
    prices: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    # The cascade's stages (calls/realtime/engines/cascade): the HTTP API's base URL, the
    # models and voices, ElevenLabs' key and address (empty key: OpenAI speech).
    openai_base_url: str = ""
    cascade_llm_model: str = "gpt-4o-mini"
    cascade_stt_model: str = "gpt-4o-transcribe"
    cascade_tts_model: str = "gpt-4o-mini-tts"
    elevenlabs_api_key: str = ""
    elevenlabs_base_url: str = ""
    elevenlabs_voice_id: str = ""
    elevenlabs_model_id: str = "eleven_flash_v2_5"
    stage_timeout: float = 10.0
    cascade_prices: Mapping[str, float] = field(default_factory=dict)


class Engine(abc.ABC):
    """One module per engine defines a subclass and the registry
    (``calls/realtime/engines/__init__.py``) lists it."""

    name: ClassVar[str]  # stored on call logs and in VOICEAGENT_ENGINE
    label: ClassVar[str]
    needs_openai_key: ClassVar[bool] = False

    @abc.abstractmethod
    async def connect(
        self, agent: AgentSnapshot, settings: EngineSettings, *, call_id: str
    ) -> Upstream:
        """A connected peer that will send ``session.created`` first; raises
        ``UpstreamUnavailable`` when it cannot."""

    def model_name(self, agent: AgentSnapshot) -> str:
        """The model recorded on the call log."""
        return agent.model

    def prices(self, agent: AgentSnapshot, settings: EngineSettings) -> Mapping[str, float] | None:
        """Token prices for the call's cost; None when the engine costs nothing."""
        return None
