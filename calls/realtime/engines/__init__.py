"""The engine registry: every engine a call can run on, by name.

An engine is one module defining an ``Engine`` subclass (see ``base.py``); adding one is
that module and a line here. Engines run in-process or behind a WebSocket, and all speak
the Realtime GA protocol to the session as event dicts (``calls/realtime/upstream.py``).
"""

from __future__ import annotations

from calls.realtime.engines.base import Engine, EngineSettings
from calls.realtime.engines.cascade import CascadeEngine
from calls.realtime.engines.offline import OfflineEngine
from calls.realtime.engines.openai import OpenAIEngine

ENGINES: dict[str, Engine] = {
    engine.name: engine for engine in (OpenAIEngine(), OfflineEngine(), CascadeEngine())
}


def engine_get(name: str) -> Engine:
    try:
        return ENGINES[name]
    except KeyError:
        raise ValueError(f"Unknown engine {name!r}; one of: {', '.join(ENGINES)}") from None


def engine_choices() -> list[tuple[str, str]]:
    """(name, label) pairs, for model and form choices."""
    return [(engine.name, engine.label) for engine in ENGINES.values()]


__all__ = ["ENGINES", "Engine", "EngineSettings", "engine_choices", "engine_get"]
