"""Where the caller is in the assistant's audio, for truncation on barge-in."""

from __future__ import annotations

from dataclasses import dataclass

BYTES_PER_MS = 48  # PCM16 mono at 24 kHz (the web's format)


def base64_decoded_size(encoded: str) -> int:
    """Size of the decoded bytes, computed from the text alone (no decoding)."""
    padding = 2 if encoded.endswith("==") else 1 if encoded.endswith("=") else 0
    return len(encoded) // 4 * 3 - padding


@dataclass(slots=True)
class AssistantAudio:
    """Audio of one assistant item sent to the caller."""

    item_id: str
    response_id: str
    started_at: float  # monotonic time of the first chunk
    upstream_item: bool = True  # False for a cached greeting played locally
    sent_bytes: int = 0
    reported_ms: int | None = None
    reported_at: float = 0.0
    truncated: bool = False
    bytes_per_ms: int = BYTES_PER_MS

    @property
    def sent_ms(self) -> int:
        return self.sent_bytes // self.bytes_per_ms

    def heard_ms(self, now: float) -> int:
        """The client's report (advanced by the time since it), else wall-clock time,
        clamped to the audio actually sent."""
        if self.reported_ms is not None:
            estimate = self.reported_ms + round((now - self.reported_at) * 1000)
        else:
            estimate = round((now - self.started_at) * 1000)
        return max(0, min(estimate, self.sent_ms))

    def still_playing(self, now: float) -> bool:
        return not self.truncated and self.heard_ms(now) < self.sent_ms

    def remaining_ms(self, now: float) -> int:
        return max(0, self.sent_ms - self.heard_ms(now))
