"""What a call session needs to know about its agent, and the GA session.update it sends."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

TRANSCRIPTION_MODEL = "gpt-4o-mini-transcribe"


@dataclass(frozen=True)
class ToolDeclaration:
    name: str
    description: str
    parameters: dict[str, Any]
    guidance: str = ""

    def as_session_tool(self) -> dict[str, Any]:
        return {
            "type": "function",
            "name": self.name,
            "description": self.description,
            # A copy: in-process engines keep what they are sent.
            "parameters": copy.deepcopy(self.parameters),
        }


@dataclass(frozen=True)
class AgentSnapshot:
    """A frozen copy of the agent's settings for one call (no ORM objects in the bridge)."""

    agent_id: int
    public_id: str
    name: str
    greeting: str
    instructions: str
    voice: str
    model: str
    language: str
    timezone: str
    region: str = "US"  # country for phone numbers given without a country code
    locale: str = "en-US"  # how times are read out (12- or 24-hour): language and country
    owner_id: int = 0
    calendar_connected: bool = False  # the booking tools ask its free/busy first
    turn_detection: str = "server_vad"
    vad_threshold: float = 0.5
    vad_prefix_padding_ms: int = 300
    vad_silence_duration_ms: int = 500
    vad_eagerness: str = "auto"
    interrupt_response: bool = True
    noise_reduction: str = "near_field"
    max_call_seconds: int = 600
    idle_seconds: int = 60
    tools: tuple[ToolDeclaration, ...] = field(default_factory=tuple)
    record_calls: bool = False
    # Spoken before the greeting when the call is recorded (empty: none, or not recorded).
    recording_notice: str = ""
    transfer_number: str = ""  # E.164; empty: no transfer_call
    transfer_mode: str = "warm"  # cold / warm (agents.models.TransferMode)
    connection_beep: bool = False  # phone calls: a beep as the line connects
    # False for a greeting made for one call (an outbound call's, with the person's
    # name): it is neither looked up in nor added to the greeting cache.
    greeting_cacheable: bool = True
    # A tool that has not answered after this long gets a filler phrase (fillers.py).
    filler_after_ms: int = 700
    # (tool name, filler category) for the tools that name one (tool_registry's `filler`).
    tool_fillers: tuple[tuple[str, str], ...] = ()

    def filler_category(self, tool_name: str) -> str:
        """The filler category of a tool ("" for the default phrases)."""
        return dict(self.tool_fillers).get(tool_name, "")

    def greeting_cache_key(self, engine: str, audio: str = "pcm24k") -> str:
        parts = [str(self.agent_id), self.greeting, self.voice, self.model, engine, audio]
        if self.recording_notice:
            # Its own entry: the cached audio says the notice first. Appended only when
            # there is one, so that agents that do not record keep their cached greetings.
            parts.append(self.recording_notice)
        material = "\x1f".join(parts)
        return hashlib.sha256(material.encode()).hexdigest()


def full_instructions(agent: AgentSnapshot, now: dt.datetime) -> str:
    local = now.astimezone(ZoneInfo(agent.timezone))
    parts = [
        agent.instructions.strip(),
        f"Current date and time: {local:%A %d %B %Y, %H:%M} ({agent.timezone}).",
    ]
    if agent.language:
        parts.append(f"Speak in the caller's language; expect {agent.language}.")
    guidance = [f"- {tool.name}: {tool.guidance}" for tool in agent.tools if tool.guidance]
    if guidance:
        parts.append("How to use your tools:\n" + "\n".join(guidance))
    return "\n\n".join(part for part in parts if part)


def turn_detection(agent: AgentSnapshot) -> dict[str, Any]:
    if agent.turn_detection == "semantic_vad":
        return {
            "type": "semantic_vad",
            "eagerness": agent.vad_eagerness,
            "create_response": True,
            "interrupt_response": agent.interrupt_response,
        }
    return {
        "type": "server_vad",
        "threshold": agent.vad_threshold,
        "prefix_padding_ms": agent.vad_prefix_padding_ms,
        "silence_duration_ms": agent.vad_silence_duration_ms,
        "create_response": True,
        "interrupt_response": agent.interrupt_response,
    }


def session_update(
    agent: AgentSnapshot, *, now: dt.datetime, audio_format: dict[str, Any] | None
) -> dict[str, Any]:
    """The GA ``session.update`` event (nested ``audio``, ``type: realtime``).

    ``audio_format`` None leaves the format out, both ways: a SIP call's carrier
    negotiates G.711 with OpenAI, and forcing a format there distorts or silences it
    (``session_for_sip_accept``)."""
    transcription: dict[str, Any] = {"model": TRANSCRIPTION_MODEL}
    language = agent.language.split("-")[0]
    if language:
        transcription["language"] = language
    session: dict[str, Any] = {
        "type": "realtime",
        "output_modalities": ["audio"],
        "instructions": full_instructions(agent, now),
        "audio": {
            "input": {
                "transcription": transcription,
                "turn_detection": turn_detection(agent),
                "noise_reduction": None
                if agent.noise_reduction == "off"
                else {"type": agent.noise_reduction},
            },
            "output": {"voice": agent.voice},
        },
        "tools": [tool.as_session_tool() for tool in agent.tools],
        "tool_choice": "auto" if agent.tools else "none",
    }
    if audio_format is not None:
        session["audio"]["input"]["format"] = dict(audio_format)
        session["audio"]["output"]["format"] = dict(audio_format)
    return {"type": "session.update", "session": session}


def session_for_sip_accept(agent: AgentSnapshot, *, now: dt.datetime) -> dict[str, Any]:
    """The session a SIP call is accepted with (``POST /v1/realtime/calls/{id}/accept``):
    what ``session.update`` sets on a media call, from the same builder, plus the model
    (no URL names it), without audio formats."""
    session = session_update(agent, now=now, audio_format=None)["session"]
    return {**session, "model": agent.model}


@dataclass(frozen=True)
class AudioFormat:
    """The audio a call exchanges, both ways, unchanged between client and upstream."""

    name: str  # part of the greeting cache key: a cached greeting is stored in this format
    session_format: dict[str, Any]  # as session.update spells it
    bytes_per_ms: int
    sample_rate: int = 24_000
    bytes_per_sample: int = 2  # 1: G.711 μ-law


WEB_AUDIO = AudioFormat("pcm24k", {"type": "audio/pcm", "rate": 24000}, 48)
# G.711 μ-law at 8 kHz, as Twilio Media Streams carry it: passed through, never transcoded.
PHONE_AUDIO = AudioFormat("pcmu", {"type": "audio/pcmu"}, 8, sample_rate=8_000, bytes_per_sample=1)
WEB_AUDIO_FORMAT: dict[str, Any] = WEB_AUDIO.session_format
