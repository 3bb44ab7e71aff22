"""What a phone provider's media stream tells the call, once its framing is parsed.

Each provider turns its own JSON frames into these (``PhoneMediaConsumer.parse_event``);
the base consumer acts on them the same way for every provider.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StreamStart:
    """The stream begins: the provider's ids for the call and the stream, and the
    single-use token the webhook handed out (``calls.telephony.grants``)."""

    call_id: str
    stream_id: str
    token: str


# Media and marks arrive 50 times a second per call: plain slotted classes, which build
# in half the time of frozen ones.
@dataclass(slots=True)
class StreamMedia:
    """A chunk of the caller's audio, base64 as received (checked by the base)."""

    payload: str
    inbound: bool = True  # False for a track the call must not forward


@dataclass(slots=True)
class StreamMark:
    """A playback mark echoed back: the audio sent before it has played."""

    name: str


@dataclass(frozen=True, slots=True)
class StreamStop:
    """The caller hung up (the provider stopped the stream)."""


@dataclass(frozen=True, slots=True)
class StreamDtmf:
    digit: str


StreamEvent = StreamStart | StreamMedia | StreamMark | StreamStop | StreamDtmf
