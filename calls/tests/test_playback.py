"""The playback position used for truncation never leaves [0, audio sent]."""

import pytest

from calls.realtime.playback import AssistantAudio, base64_decoded_size

pytestmark = pytest.mark.embedded_pass_only  # no database or service: run once


def _audio(sent_ms: int) -> AssistantAudio:
    return AssistantAudio(item_id="i", response_id="r", started_at=100.0, sent_bytes=sent_ms * 48)


def test_wall_clock_estimate_is_clamped_to_the_audio_sent() -> None:
    audio = _audio(1000)
    assert audio.heard_ms(100.25) == 250
    assert audio.heard_ms(105.0) == 1000
    assert audio.heard_ms(99.0) == 0  # a clock behind the first chunk never goes negative


def test_client_reports_win_over_the_wall_clock_and_advance_with_time() -> None:
    audio = _audio(1000)
    audio.reported_ms, audio.reported_at = 300, 100.9
    assert audio.heard_ms(101.0) == 400
    audio.reported_ms = 5000
    assert audio.heard_ms(101.0) == 1000
    assert not audio.still_playing(101.0)


def test_decoded_size_from_base64_length() -> None:
    import base64

    for size in (0, 1, 2, 3, 2400, 2401):
        assert base64_decoded_size(base64.b64encode(b"x" * size).decode()) == size
