"""Plivo Audio Streaming framing: ``/ws/plivo/stream/``, a phone call's audio both ways.

Inbound: ``start`` (ids in ``start``; the token in ``extra_headers``), ``media``,
``playedStream`` (a checkpoint's audio has played; one support article calls it
``played``), ``clearedAudio``, ``dtmf``, and ``stop`` if it comes: Plivo may simply close
the socket when the caller hangs up, so a normal close (1000) ends the call as
``caller_hung_up`` too. Outbound: ``playAudio``, ``checkpoint`` and ``clearAudio``.
Checkpoints pending at a ``clearAudio`` are never acknowledged; the base has forgotten
them already, so ``clearedAudio`` itself needs nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from calls.models import Channel
from calls.telephony.base import PhoneMediaConsumer
from calls.telephony.credentials import credentials_for
from calls.telephony.events import (
    StreamDtmf,
    StreamEvent,
    StreamMark,
    StreamMedia,
    StreamStart,
    StreamStop,
)
from calls.telephony.plivo import NAME, signature, stream_token
from calls.telephony.plivo.control import PlivoControl

NORMAL_CLOSURE = 1000

# Built once: every chunk of the agent's audio is this, its base64, and the closing braces.
_PLAY_AUDIO = (
    '{"event":"playAudio","media":{"contentType":"audio/x-mulaw","sampleRate":8000,"payload":"'
)


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class PlivoMediaConsumer(PhoneMediaConsumer):
    provider = NAME
    channel = Channel.PLIVO
    control = PlivoControl()
    hang_up_close_codes: ClassVar[frozenset[int]] = frozenset({NORMAL_CLOSURE})

    def handshake_valid(self, headers: Mapping[str, str]) -> bool:
        # Signed with the token of the account that owns the number: the line's, or the
        # server's.
        credentials = credentials_for(provider=NAME, line=self.line)
        return credentials is not None and signature.stream_signature_valid(
            headers, line=self.line, auth_token=credentials.auth_token
        )

    def parse_event(self, message: dict[str, Any]) -> StreamEvent | None:
        event = message.get("event")
        if event == "media":
            media = _object(message.get("media"))
            payload = media.get("payload")
            return StreamMedia(
                payload=payload if isinstance(payload, str) else "",
                inbound=media.get("track") in (None, "inbound"),
            )
        if event in ("playedStream", "played"):
            name = message.get("name")
            return StreamMark(name=name) if isinstance(name, str) else None
        if event == "start":
            start = _object(message.get("start"))
            extra = message.get("extra_headers")
            return StreamStart(
                call_id=str(start.get("callId") or ""),
                stream_id=str(start.get("streamId") or message.get("streamId") or ""),
                token=stream_token.token_from(extra) if isinstance(extra, str) else "",
            )
        if event == "stop":
            return StreamStop()
        if event == "dtmf":
            return StreamDtmf(digit=str(_object(message.get("dtmf")).get("digit") or ""))
        return None  # `clearedAudio` and anything newer carry nothing a call needs

    def media_frame(self, audio: str) -> str:
        # Built by hand: base64 needs no escaping, and this runs for every chunk.
        return _PLAY_AUDIO + audio + '"}}'

    def mark_frame(self, name: str) -> str:
        return json.dumps({"event": "checkpoint", "streamId": self.stream_id, "name": name})

    def clear_frame(self) -> str:
        return json.dumps({"event": "clearAudio", "streamId": self.stream_id})
