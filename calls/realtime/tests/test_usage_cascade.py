"""The cascade's usage: its stages' counts summed from response.done, priced per token,
per character of speech and per minute of transcribed audio."""

from __future__ import annotations

import pytest

from calls.realtime.usage import UsageMeter

pytestmark = pytest.mark.embedded_pass_only

PRICES = {
    "text_in": 1.0,
    "text_cached": 0.5,
    "text_out": 2.0,
    "audio_in": 0.0,
    "audio_cached": 0.0,
    "audio_out": 0.0,
    "tts_per_1m_characters": 10.0,
    "stt_per_minute": 0.006,
}


def test_the_stages_are_counted_and_priced() -> None:
    meter = UsageMeter()
    for _ in range(2):
        meter.add(
            {
                "total_tokens": 1500,
                "input_tokens": 1000,
                "output_tokens": 500,
                "input_token_details": {"text_tokens": 1000, "audio_tokens": 0},
                "output_token_details": {"text_tokens": 500, "audio_tokens": 0},
                "cascade": {
                    "tts_characters": 100_000,
                    "tts_audio_ms": 4000,
                    "stt_audio_ms": 30_000,
                },
            }
        )
    totals = meter.totals
    assert (totals["tts_characters"], totals["stt_audio_ms"], totals["tts_audio_ms"]) == (
        200_000,
        60_000,
        8000,
    )
    # 2000 in × $1 + 1000 out × $2 per 1M tokens, 200k characters × $10 per 1M, 1 minute × $0.006.
    assert meter.cost(PRICES) == pytest.approx(0.002 + 0.002 + 2.0 + 0.006)


def test_the_realtime_engines_usage_is_priced_as_before() -> None:
    meter = UsageMeter()
    meter.add(
        {"input_token_details": {"text_tokens": 1_000_000}, "cascade": {"tts_characters": "x"}}
    )
    assert "tts_characters" not in meter.totals
    assert meter.cost(PRICES) == pytest.approx(1.0)
