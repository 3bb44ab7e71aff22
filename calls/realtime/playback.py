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


@dataclass(frozen=True, slots=True)
class Cut:
    """An assistant item the caller interrupted, and how much of it they heard."""

    item_id: str
    response_id: str
    heard_ms: int
    upstream_item: bool


class Playback:
    """The assistant audio the caller is hearing: what was sent, what the transport or
    the client reported as played, and where to cut it when the caller speaks over it."""

    def __init__(self, *, bytes_per_ms: int) -> None:
        self._bytes_per_ms = bytes_per_ms
        self.current: AssistantAudio | None = None

    def chunk_sent(
        self, item_id: str, response_id: str, size: int, now: float, *, upstream_item: bool = True
    ) -> int:
        """Counts a chunk into its item (a new item starts the count); returns the ms of
        the item sent so far."""
        audio = self.current
        if audio is None or audio.item_id != item_id:
            audio = self.current = AssistantAudio(
                item_id=item_id,
                response_id=response_id,
                started_at=now,
                upstream_item=upstream_item,
                bytes_per_ms=self._bytes_per_ms,
            )
        audio.sent_bytes += size
        return audio.sent_ms

    def reported(self, item_id: str, played_ms: int, now: float) -> None:
        """The client or transport says how much of the item has played."""
        audio = self.current
        if audio is not None and audio.item_id == item_id:
            audio.reported_ms, audio.reported_at = played_ms, now

    def transport_heard(self, item_id: str, ms: int, now: float) -> None:
        """A transport that buffers audio (a phone line) knows what was played: an item
        it never reported on was not heard at all."""
        audio = self.current
        if audio is not None and not audio.truncated:
            audio.reported_ms = ms if item_id == audio.item_id else 0
            audio.reported_at = now

    def cut(self, now: float, *, played_ms: int | None = None) -> Cut | None:
        """The caller spoke over the agent: the current item stops where they are, if it is
        still playing (once)."""
        audio = self.current
        if audio is None or audio.truncated:
            return None
        if played_ms is not None:
            audio.reported_ms, audio.reported_at = played_ms, now
        if not audio.still_playing(now):
            return None
        audio.truncated = True
        return Cut(
            item_id=audio.item_id,
            response_id=audio.response_id,
            heard_ms=audio.heard_ms(now),
            upstream_item=audio.upstream_item,
        )

    def playing(self, now: float) -> bool:
        return self.current is not None and self.current.still_playing(now)

    def remaining_ms(self, now: float) -> int:
        return self.current.remaining_ms(now) if self.current is not None else 0

    def started_ms_ago(self, item_id: str, now: float) -> int | None:
        """How long ago the item's first chunk went out (None for another item)."""
        audio = self.current
        if audio is None or audio.item_id != item_id:
            return None
        return int((now - audio.started_at) * 1000)
