"""Twilio Media Streams consumer: ``/ws/twilio/media/``, a phone call's audio both ways.

μ-law 8 kHz passes through untouched (``audio/pcmu`` on the Realtime side). Playback
position comes from marks: one after each chunk of assistant audio, echoed by Twilio when
that audio has played (or been cleared). On barge-in (`listening`) the consumer sends
``clear``, so Twilio drops what it has buffered, and forgets the pending marks.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections import OrderedDict
from typing import Any

from channels.db import database_sync_to_async

from calls import services, twilio
from calls.consumers.base import CallConsumer
from calls.models import Channel
from calls.realtime.config import PHONE_AUDIO
from calls.realtime.hooks import HeardPosition
from calls.realtime.protocol import (
    MAX_FRAME_BYTES,
    ClientAudio,
    ClientPlayback,
    ProtocolError,
    base64_size,
)
from calls.realtime.text import JSON_ERRORS

logger = logging.getLogger(__name__)

START_TIMEOUT_SECONDS = 10.0  # Twilio sends `connected` and `start` at once
POLICY_VIOLATION = 1008
TRY_AGAIN_LATER = 1013


class TwilioMediaConsumer(CallConsumer):
    """A hang-up arrives as `stop` (caller_hung_up); a socket that just drops is a lost line."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stream_sid = ""
        self._start_watch: asyncio.Task[None] | None = None
        # Marks sent after each audio chunk: name -> (item id, ms of the item sent by then).
        self._pending_marks: OrderedDict[str, tuple[str, int]] = OrderedDict()
        self._mark_seq = 0
        self._played: tuple[str, int] = ("", 0)  # the last mark Twilio echoed: (item, ms)

    async def connect(self) -> None:
        headers = {k.decode("latin1").lower(): v.decode("latin1") for k, v in self.scope["headers"]}
        # Twilio signs the upgrade over the stream URL exactly as the TwiML gave it.
        if not twilio.signature_valid(
            url=twilio.stream_url(), params={}, signature=headers.get("x-twilio-signature", "")
        ):
            logger.warning("Refused a Twilio media stream: bad or missing signature")
            await self.close()  # before accept(): the handshake is refused with 403
            return
        await self.accept()
        self._start_watch = asyncio.ensure_future(self._close_without_start())

    async def _close_without_start(self) -> None:
        await asyncio.sleep(START_TIMEOUT_SECONDS)
        if self.session is None and not self.client_gone:
            logger.warning("Twilio media stream sent no valid `start`; closing it")
            await self.close_client()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None or len(text_data) > MAX_FRAME_BYTES:
            await self._bad_frame("frames must be JSON text of at most 256 KiB")
            return
        try:
            message = json.loads(text_data)
        except JSON_ERRORS:
            await self._bad_frame("the frame is not valid JSON")
            return
        if not isinstance(message, dict):
            await self._bad_frame("the frame must be a JSON object")
            return
        event = message.get("event")
        if event == "media":
            await self._on_media(message.get("media"))
        elif event == "mark":
            await self._on_mark(message.get("mark"))
        elif event == "start":
            await self._on_start(message)
        elif event == "stop":
            if self.session is not None:
                await self.session.end("caller_hung_up")
            else:
                await self.close_client()
        elif event == "dtmf":
            logger.info("Call %s: caller pressed a key (ignored)", self.call_id)
        # `connected` and anything newer carry nothing a call needs.

    async def _refuse(self, code: int) -> None:
        """Closes the stream without a call (after accept: Twilio gets the close code)."""
        await self.close(code=code)
        self.client_gone = True

    async def _bad_frame(self, reason: str) -> None:
        if self.session is not None:
            await self.session.client_error(ProtocolError("bad_request", reason))
        else:
            logger.warning("Twilio media stream: %s", reason)

    # -- inbound events

    async def _on_start(self, message: dict[str, Any]) -> None:
        if self.session is not None or self.client_gone:
            return
        start = message.get("start") if isinstance(message.get("start"), dict) else {}
        parameters = start.get("customParameters")
        parameters = parameters if isinstance(parameters, dict) else {}
        grant = twilio.stream_grant(
            token=str(parameters.get("call_token") or ""), call_sid=str(start.get("callSid") or "")
        )
        try:
            claimed = grant is not None and await twilio.stream_grant_claim(call_sid=grant.call_sid)
            admitted = None
            if grant is not None and claimed:
                admitted = await database_sync_to_async(services.phone_call_admit)(
                    public_id=grant.agent_public_id, provider_call_id=grant.call_sid
                )
        except Exception:
            # The shared cache (Redis) or the database is down: try again later, not 1011.
            logger.exception("Refused a Twilio media stream: admission could not be checked")
            await self._refuse(TRY_AGAIN_LATER)
            return
        if grant is None or admitted is None:
            logger.warning("Refused a Twilio media stream: invalid or reused call token")
            await self._refuse(POLICY_VIOLATION)
            return
        if isinstance(admitted, services.Refusal):
            logger.info("Refused Twilio call %s: %s", grant.call_sid, admitted.reason)
            await self._refuse(POLICY_VIOLATION)
            return
        if self._start_watch is not None:
            self._start_watch.cancel()
        call_id = str(uuid.uuid4())
        if not await self.join_control_group(call_id):
            logger.warning("Refused Twilio call %s: the channel layer is down", grant.call_sid)
            await self._refuse(TRY_AGAIN_LATER)
            return
        self.stream_sid = str(message.get("streamSid") or start.get("streamSid") or "")
        await self.begin_call(
            call_id=call_id,
            agent=admitted,
            channel=Channel.TWILIO,
            audio=PHONE_AUDIO,
            caller_number=grant.caller_number,
            provider_call_id=grant.call_sid,
            provider_stream_id=self.stream_sid,
        )

    async def _on_media(self, media: Any) -> None:
        if self.session is None:
            return
        payload = media.get("payload") if isinstance(media, dict) else None
        size = base64_size(payload) if isinstance(payload, str) and payload else None
        if size is None:
            await self.session.client_error(
                ProtocolError("bad_audio", "'media.payload' is not base64 μ-law")
            )
            return
        if isinstance(media, dict) and media.get("track") not in (None, "inbound"):
            return
        await self.session.handle_client(ClientAudio(audio=payload, byte_count=size))

    async def _on_mark(self, mark: Any) -> None:
        """Audio up to this mark has played: the caller has heard that much of the item."""
        name = mark.get("name") if isinstance(mark, dict) else None
        if self.session is None or not isinstance(name, str) or name not in self._pending_marks:
            return  # unknown, or echoed after a `clear` (cleared, not played)
        while self._pending_marks:
            pending_name, (item_id, sent_ms) = self._pending_marks.popitem(last=False)
            if pending_name == name:
                break
        self._played = (item_id, sent_ms)
        await self.session.handle_client(ClientPlayback(item_id=item_id, played_ms=sent_ms))

    async def disconnect(self, code: int) -> None:
        if self._start_watch is not None:
            self._start_watch.cancel()
        await super().disconnect(code)

    # -- CallHooks

    async def send_audio(self, item_id: str, audio: str, end_ms: int) -> None:
        self._mark_seq += 1
        name = f"{item_id}:{self._mark_seq}"
        self._pending_marks[name] = (item_id, end_ms)
        sid = json.dumps(self.stream_sid)
        await self.send_frame(
            '{"event":"media","streamSid":' + sid + ',"media":{"payload":"' + audio + '"}}'
        )
        await self.send_frame(
            json.dumps({"event": "mark", "streamSid": self.stream_sid, "mark": {"name": name}})
        )

    async def stop_playback(self) -> HeardPosition | None:
        """Audio still queued at Twilio is cleared; the caller heard up to the last echoed
        mark, no further."""
        if not self._pending_marks:
            return None
        self._pending_marks.clear()
        await self.send_frame(json.dumps({"event": "clear", "streamSid": self.stream_sid}))
        played_item, played_ms = self._played
        return HeardPosition(item_id=played_item, ms=played_ms)

    async def send_json(self, message: dict[str, Any]) -> None:
        """Twilio only understands media, mark and clear: the call's events go to monitors."""
        self.publish(message)
