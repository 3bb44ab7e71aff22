"""Twilio Media Streams framing: ``/ws/twilio/media/`` (``…/<line>/`` for a number with
its own credentials), a phone call's audio both ways.

Inbound: ``connected``, ``start``, ``media``, ``mark``, ``dtmf``, ``stop`` (strings for
numbers; the token in ``start.customParameters``). Outbound: ``media``, ``mark`` and
``clear``, each with the ``streamSid``. Twilio echoes a mark when the audio before it
has played, or when a ``clear`` dropped it (the base ignores those: they are no longer
pending).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

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
from calls.telephony.twilio import NAME, signature
from calls.telephony.twilio.control import TwilioControl


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class TwilioMediaConsumer(PhoneMediaConsumer):
    provider = NAME
    channel = Channel.TWILIO
    control = TwilioControl()

    def handshake_valid(self, headers: Mapping[str, str]) -> bool:
        # Twilio signs the upgrade over the stream URL exactly as the TwiML gave it, with
        # the token of the account that owns the number: the line's, or the server's.
        credentials = credentials_for(provider=NAME, line=self.line)
        return credentials is not None and signature.signature_valid(
            url=signature.media_stream_url(line=self.line),
            params={},
            signature=headers.get("x-twilio-signature", ""),
            auth_token=credentials.auth_token,
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
        if event == "mark":
            name = _object(message.get("mark")).get("name")
            return StreamMark(name=name) if isinstance(name, str) else None
        if event == "start":
            start = _object(message.get("start"))
            parameters = _object(start.get("customParameters"))
            return StreamStart(
                call_id=str(start.get("callSid") or ""),
                stream_id=str(message.get("streamSid") or start.get("streamSid") or ""),
                token=str(parameters.get("call_token") or ""),
            )
        if event == "stop":
            return StreamStop()
        if event == "dtmf":
            return StreamDtmf(digit=str(_object(message.get("dtmf")).get("digit") or ""))
        return None  # `connected` and anything newer carry nothing a call needs

    def media_frame(self, audio: str) -> str:
        # Built by hand: base64 needs no escaping, and this runs for every chunk.
        sid = json.dumps(self.stream_id)
        return '{"event":"media","streamSid":' + sid + ',"media":{"payload":"' + audio + '"}}'

    def mark_frame(self, name: str) -> str:
        return json.dumps({"event": "mark", "streamSid": self.stream_id, "mark": {"name": name}})

    def clear_frame(self) -> str:
        return json.dumps({"event": "clear", "streamSid": self.stream_id})
