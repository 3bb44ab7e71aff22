"""Token usage of a call, accumulated from ``response.done``, and its cost."""

from __future__ import annotations

from typing import Any

# Prices in USD per 1M tokens, keyed like REALTIME_PRICES in settings.
PRICE_KEYS = ("text_in", "text_cached", "text_out", "audio_in", "audio_cached", "audio_out")
# The cascaded engine's own stages (its ``response.done`` usage has a ``cascade`` part):
# the counts summed, and their optional prices (USD per 1M characters, per minute).
CASCADE_COUNTS = ("tts_characters", "tts_audio_ms", "stt_audio_ms")
CASCADE_PRICE_KEYS = ("tts_per_1m_characters", "stt_per_minute")


class UsageMeter:
    def __init__(self) -> None:
        self.totals: dict[str, int] = {
            "responses": 0,
            "input_text_tokens": 0,
            "input_audio_tokens": 0,
            "cached_text_tokens": 0,
            "cached_audio_tokens": 0,
            "output_text_tokens": 0,
            "output_audio_tokens": 0,
            "total_tokens": 0,
        }

    def add(self, usage: dict[str, Any] | None) -> None:
        self.totals["responses"] += 1
        if not usage:
            return
        details_in = usage.get("input_token_details") or {}
        cached = details_in.get("cached_tokens_details") or {}
        details_out = usage.get("output_token_details") or {}
        for key, value in (
            ("input_text_tokens", details_in.get("text_tokens")),
            ("input_audio_tokens", details_in.get("audio_tokens")),
            ("cached_text_tokens", cached.get("text_tokens")),
            ("cached_audio_tokens", cached.get("audio_tokens")),
            ("output_text_tokens", details_out.get("text_tokens")),
            ("output_audio_tokens", details_out.get("audio_tokens")),
            ("total_tokens", usage.get("total_tokens")),
        ):
            if isinstance(value, int) and value > 0:
                self.totals[key] += value
        cascade = usage.get("cascade") or {}
        for key in CASCADE_COUNTS:
            value = cascade.get(key)
            if isinstance(value, int) and value > 0:
                self.totals[key] = self.totals.get(key, 0) + value

    def cost(self, prices: dict[str, float] | None) -> float:
        """Cached tokens are a subset of input tokens and are billed at the cached rate."""
        if not prices:
            return 0.0
        t = self.totals
        dollars = (
            max(t["input_text_tokens"] - t["cached_text_tokens"], 0) * prices["text_in"]
            + t["cached_text_tokens"] * prices["text_cached"]
            + t["output_text_tokens"] * prices["text_out"]
            + max(t["input_audio_tokens"] - t["cached_audio_tokens"], 0) * prices["audio_in"]
            + t["cached_audio_tokens"] * prices["audio_cached"]
            + t["output_audio_tokens"] * prices["audio_out"]
            + t.get("tts_characters", 0) * prices.get("tts_per_1m_characters", 0.0)
        )
        minutes = t.get("stt_audio_ms", 0) / 60_000
        return round(dollars / 1_000_000 + minutes * prices.get("stt_per_minute", 0.0), 6)
