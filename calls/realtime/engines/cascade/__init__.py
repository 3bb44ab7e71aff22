"""The cascaded engine: speech to text → LLM → text to speech, streaming at every stage.

``CascadeEngine.connect`` builds the call's stages (``stt.OpenAITranscription``,
``llm.OpenAIChat``, ``tts.OpenAISpeech`` or ``tts.ElevenLabsSpeech`` when an ElevenLabs
key and voice are set, OpenAI speech then being the fallback voice) and returns the
in-process peer ``upstream.CascadeUpstream``, which speaks the Realtime GA events to the
session as the other engines do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openai import AsyncOpenAI

from calls.realtime.config import AgentSnapshot, AudioFormat
from calls.realtime.engines.base import Engine, EngineSettings
from calls.realtime.engines.cascade.llm import OpenAIChat
from calls.realtime.engines.cascade.stt import OpenAITranscription, transcription_config
from calls.realtime.engines.cascade.tts import ElevenLabsSpeech, OpenAISpeech, SpeechStage
from calls.realtime.engines.cascade.upstream import CascadeStages, CascadeUpstream


class CascadeEngine(Engine):
    name = "cascade"
    label = "Cascade (speech to text, LLM, text to speech)"
    needs_openai_key = True

    async def connect(
        self, agent: AgentSnapshot, settings: EngineSettings, *, call_id: str
    ) -> CascadeUpstream:
        client = AsyncOpenAI(
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url or None,
            max_retries=0,
            timeout=settings.stage_timeout,
        )

        def openai_speech(audio: AudioFormat) -> SpeechStage:
            return OpenAISpeech(
                client=client,
                model=settings.cascade_tts_model,
                voice=agent.voice,
                target=audio,
                first_audio_timeout=settings.stage_timeout,
            )

        speech = openai_speech
        fallback = None
        if settings.elevenlabs_api_key and settings.elevenlabs_voice_id:
            from elevenlabs import AsyncElevenLabs

            eleven = AsyncElevenLabs(
                api_key=settings.elevenlabs_api_key,
                base_url=settings.elevenlabs_base_url or None,
                timeout=settings.stage_timeout,
            )

            def eleven_speech(audio: AudioFormat) -> SpeechStage:
                return ElevenLabsSpeech(
                    client=eleven,
                    voice_id=settings.elevenlabs_voice_id,
                    model_id=settings.elevenlabs_model_id,
                    target=audio,
                    first_audio_timeout=settings.stage_timeout,
                )

            speech, fallback = eleven_speech, openai_speech

        def transcription(audio: AudioFormat, turn_detection: dict[str, Any] | None) -> Any:
            return transcription_config(agent, audio_format=audio, model=settings.cascade_stt_model)

        stages = CascadeStages(
            chat=OpenAIChat(
                client=client,
                model=settings.cascade_llm_model,
                first_token_timeout=settings.stage_timeout,
                token_timeout=settings.stage_timeout,
            ),
            speech=speech,
            transcriber=lambda: OpenAITranscription(
                url=settings.openai_url,
                api_key=settings.openai_api_key,
                connect_timeout=settings.connect_timeout,
                call_id=call_id,
            ),
            transcription=transcription,
            fallback_speech=fallback,
        )
        return CascadeUpstream(stages, language=agent.language or "en")

    def model_name(self, agent: AgentSnapshot) -> str:
        return "cascade"

    def prices(self, agent: AgentSnapshot, settings: EngineSettings) -> Mapping[str, float] | None:
        """The LLM's tokens, speech per character (ElevenLabs' price when it speaks) and
        transcription per minute (``calls.realtime.usage``)."""
        prices = dict(settings.cascade_prices)
        if settings.elevenlabs_api_key and settings.elevenlabs_voice_id:
            eleven = prices.get("elevenlabs_tts_per_1m_characters")
            if eleven is not None:
                prices["tts_per_1m_characters"] = eleven
        return prices or None
