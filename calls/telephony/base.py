"""What every phone provider's media stream shares: ``PhoneMediaConsumer``.

A provider (``calls/telephony/<provider>/``) subclasses it and supplies only its
framing, the methods and attributes under "The provider's framing" below: how to
recognise its signed handshake, how to read its frames into ``calls.telephony.events``
and how to write its media, mark and clear frames. Everything else is here, the same
for every provider:

- the handshake's signature check (before ``accept``: a refused handshake is a 403);
- a stream that sends no valid start within ``start_timeout`` is closed;
- admission on start: the single-use stream token (``calls.telephony.grants``) must be
  genuine, fresh, for this call and unused, and the call must be admitted
  (``services.phone_call_admit``), else the stream closes with 1008; when that cannot be
  checked (Redis or the database down) or the control group cannot be joined, 1013;
- caller audio checked (base64) and forwarded; bad frames counted by the session;
- the agent's audio sent with a playback mark after each chunk, the marks' echoes
  turned into the played position (``calls.telephony.marks``), and on barge-in the
  provider's buffer cleared and the heard position given to the session (CallHooks
  ``send_audio`` and ``stop_playback``);
- the call's JSON events go to its monitors only (providers understand their framing,
  nothing else); stop ends the call as ``caller_hung_up``.
"""

from __future__ import annotations

import abc
import asyncio
import json
import logging
import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

from channels.db import database_sync_to_async

from calls import services
from calls.consumers.base import CallConsumer
from calls.realtime.config import PHONE_AUDIO, AudioFormat
from calls.realtime.hooks import HeardPosition
from calls.realtime.protocol import (
    MAX_FRAME_BYTES,
    ClientAudio,
    ClientPlayback,
    ProtocolError,
    base64_size,
)
from calls.realtime.text import JSON_ERRORS
from calls.telephony import grants
from calls.telephony.events import (
    StreamDtmf,
    StreamEvent,
    StreamMark,
    StreamMedia,
    StreamStart,
    StreamStop,
)
from calls.telephony.marks import PlaybackMarks

logger = logging.getLogger(__name__)

START_TIMEOUT_SECONDS = 10.0  # providers send their start frame at once
POLICY_VIOLATION = 1008
TRY_AGAIN_LATER = 1013


class PhoneMediaConsumer(CallConsumer, abc.ABC):
    """A phone provider's bidirectional media stream, bridged to a CallSession.

    A hang-up arrives as a stop event (``caller_hung_up``); a socket that just drops is
    a lost line (``connection_lost``), as for any call.
    """

    # -- The provider's framing: what a subclass defines.

    provider: ClassVar[str]
    """The provider's name: its URLs' prefix, its stream tokens' namespace, its logs."""

    channel: ClassVar[str]
    """The call log's ``calls.models.Channel`` value."""

    audio: ClassVar[AudioFormat] = PHONE_AUDIO
    """The stream's audio, passed through both ways (G.711 μ-law 8 kHz by default)."""

    start_timeout: ClassVar[float] = START_TIMEOUT_SECONDS

    @abc.abstractmethod
    def handshake_valid(self, headers: Mapping[str, str]) -> bool:
        """Whether the WebSocket upgrade comes from the provider: its signature over the
        stream URL, checked with the credentials of ``self.line``
        (``calls.telephony.credentials.credentials_for``). ``headers`` are the
        upgrade's, names lower-case. False when the provider is not configured. Runs in
        a worker thread: it may read the database."""

    @abc.abstractmethod
    def parse_event(self, message: dict[str, Any]) -> StreamEvent | None:
        """One inbound frame (a JSON object) as an event; None for frames the call does
        not need (a provider's ``connected``, acknowledgements, anything newer). A
        malformed frame may raise ``ProtocolError`` (counted, the call goes on); the
        audio itself is checked by the base, so a media frame without a usable payload
        is ``StreamMedia(payload="")``."""

    @abc.abstractmethod
    def media_frame(self, audio: str) -> str:
        """The outbound frame that plays ``audio`` (base64, in ``audio`` format) to the
        caller. Runs for every chunk: build it cheaply (base64 needs no escaping)."""

    @abc.abstractmethod
    def mark_frame(self, name: str) -> str:
        """The outbound frame that asks the provider to echo ``name`` (``StreamMark``)
        once the audio sent before it has played."""

    @abc.abstractmethod
    def clear_frame(self) -> str:
        """The outbound frame that drops the audio the provider still buffers."""

    # -- The rest is the same for every provider.

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        missing = [name for name in ("provider", "channel") if not hasattr(cls, name)]
        if missing and not getattr(cls, "__abstractmethods__", None):
            raise TypeError(f"{cls.__name__} must set {', '.join(missing)}")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stream_id = ""  # the provider's id for this stream, from its start frame
        # The number whose own credentials sign this stream (its id, from the stream's
        # path), "" for the server's; the call's grant must name the same line.
        self.line = ""
        self.marks = PlaybackMarks()
        self._start_watch: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        headers = {k.decode("latin1").lower(): v.decode("latin1") for k, v in self.scope["headers"]}
        self.line = str(self.scope.get("url_route", {}).get("kwargs", {}).get("line", ""))
        try:
            valid = await database_sync_to_async(self.handshake_valid)(headers)
        except Exception:
            logger.exception("%s media stream: the signature could not be checked", self.provider)
            valid = False
        if not valid:
            logger.warning("Refused a %s media stream: bad or missing signature", self.provider)
            await self.close()  # before accept(): the handshake is refused with 403
            return
        await self.accept()
        self._start_watch = asyncio.ensure_future(self._close_without_start())

    async def _close_without_start(self) -> None:
        await asyncio.sleep(self.start_timeout)
        if self.session is None and not self.client_gone:
            logger.warning("%s media stream sent no valid start; closing it", self.provider)
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
        try:
            event = self.parse_event(message)
        except ProtocolError as error:
            await self._bad_frame(error.message, error.code)
            return
        except Exception:
            # A frame the parser did not foresee costs that frame, never the call.
            logger.exception("%s media stream: a frame could not be parsed", self.provider)
            await self._bad_frame("the frame could not be read")
            return
        if isinstance(event, StreamMedia):
            await self._on_media(event)
        elif isinstance(event, StreamMark):
            await self._on_mark(event)
        elif isinstance(event, StreamStart):
            await self._on_start(event)
        elif isinstance(event, StreamStop):
            if self.session is not None:
                await self.session.end("caller_hung_up")
            else:
                await self.close_client()
        elif isinstance(event, StreamDtmf):
            logger.info("Call %s: caller pressed a key (ignored)", self.call_id)

    async def _refuse(self, code: int) -> None:
        """Closes the stream without a call (after accept: the provider gets the code)."""
        await self.close(code=code)
        self.client_gone = True

    async def _bad_frame(self, reason: str, code: str = "bad_request") -> None:
        if self.session is not None:
            await self.session.client_error(ProtocolError(code, reason))
        else:
            logger.warning("%s media stream: %s", self.provider, reason)

    # -- inbound events

    async def _on_start(self, start: StreamStart) -> None:
        if self.session is not None or self.client_gone:
            return
        grant = grants.stream_grant(
            provider=self.provider, token=start.token, call_id=start.call_id
        )
        if grant is not None and grant.line != self.line:
            grant = None  # another line's token: its stream was signed by another account
        try:
            claimed = grant is not None and await grants.stream_grant_claim(
                provider=self.provider, call_id=grant.call_id
            )
            admitted = None
            if grant is not None and claimed:
                admitted = await database_sync_to_async(services.phone_call_admit)(
                    public_id=grant.agent_public_id, provider_call_id=grant.call_id
                )
        except Exception:
            # The shared cache (Redis) or the database is down: try again later, not 1011.
            logger.exception(
                "Refused a %s media stream: admission could not be checked", self.provider
            )
            await self._refuse(TRY_AGAIN_LATER)
            return
        if grant is None or admitted is None:
            logger.warning("Refused a %s media stream: invalid or reused call token", self.provider)
            await self._refuse(POLICY_VIOLATION)
            return
        if isinstance(admitted, services.Refusal):
            logger.info("Refused %s call %s: %s", self.provider, grant.call_id, admitted.reason)
            await self._refuse(POLICY_VIOLATION)
            return
        if self._start_watch is not None:
            self._start_watch.cancel()
        call_id = str(uuid.uuid4())
        if not await self.join_control_group(call_id):
            logger.warning(
                "Refused %s call %s: the channel layer is down", self.provider, grant.call_id
            )
            await self._refuse(TRY_AGAIN_LATER)
            return
        self.stream_id = start.stream_id
        await self.begin_call(
            call_id=call_id,
            agent=admitted,
            channel=self.channel,
            audio=self.audio,
            caller_number=grant.caller_number,
            provider_call_id=grant.call_id,
            provider_stream_id=self.stream_id,
        )

    async def _on_media(self, media: StreamMedia) -> None:
        if self.session is None:
            return
        size = base64_size(media.payload) if media.payload else None
        if size is None:
            await self.session.client_error(
                ProtocolError("bad_audio", "the media payload is not base64 audio")
            )
            return
        if not media.inbound:
            return
        await self.session.handle_client(ClientAudio(audio=media.payload, byte_count=size))

    async def _on_mark(self, mark: StreamMark) -> None:
        """Audio up to this mark has played: the caller has heard that much of the item."""
        if self.session is None:
            return
        played = self.marks.echoed(mark.name)
        if played is None:
            return  # unknown, or echoed after a clear (cleared, not played)
        await self.session.handle_client(
            ClientPlayback(item_id=played.item_id, played_ms=played.ms)
        )

    async def disconnect(self, code: int) -> None:
        if self._start_watch is not None:
            self._start_watch.cancel()
        await super().disconnect(code)

    # -- CallHooks

    async def send_audio(self, item_id: str, audio: str, end_ms: int) -> None:
        name = self.marks.sent(item_id, end_ms)
        await self.send_frame(self.media_frame(audio))
        await self.send_frame(self.mark_frame(name))

    async def stop_playback(self) -> HeardPosition | None:
        """Audio still buffered at the provider is cleared; the caller heard up to the
        last echoed mark of the item playing, no further."""
        heard = self.marks.cleared()
        if heard is not None:
            await self.send_frame(self.clear_frame())
        return heard

    async def send_json(self, message: dict[str, Any]) -> None:
        """Providers understand only their framing: the call's events go to monitors."""
        self.publish(message)
