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
- keypad keys (DTMF) checked and handed to the session, which tells the model;
- the connection beep and a cached greeting played at once, while the engine connects
  (the session's ``early_audio``);
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
from calls.realtime.hooks import HeardPosition, ResumedCall, TransferOrder
from calls.realtime.protocol import (
    MAX_FRAME_BYTES,
    ClientAudio,
    ClientPlayback,
    ProtocolError,
    base64_size,
    client_digit,
)
from calls.realtime.text import JSON_ERRORS
from calls.selectors import call_resume_state
from calls.telephony import grants
from calls.telephony.control import Account, CallControl, CallControlError
from calls.telephony.credentials import credentials_for
from calls.telephony.events import (
    StreamDtmf,
    StreamEvent,
    StreamMark,
    StreamMedia,
    StreamStart,
    StreamStop,
)
from calls.telephony.marks import PlaybackMarks
from calls.telephony.webhook import transfer_links
from calls.transfers import call_transfer_begin, call_transfer_fail
from outbound.selectors import OutboundCallContext, outbound_call_context

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

    control: ClassVar[CallControl]
    """The provider's REST API for the live call: hang-up and transfer."""

    hang_up_close_codes: ClassVar[frozenset[int]] = frozenset()
    """Close codes from the provider that mean the caller hung up, for a provider that
    may close the socket without a stop frame (else a close is ``connection_lost``)."""

    early_audio: ClassVar[bool] = True  # the caller hears the beep and a cached greeting at once

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
        self.provider_call_id = ""  # the provider's id for the call (CallSid, CallUUID)
        # The number whose own credentials sign this stream (its id, from the stream's
        # path), "" for the server's; the call's grant must name the same line.
        self.line = ""
        self.marks = PlaybackMarks()
        self._start_watch: asyncio.Task[None] | None = None
        # Set once nothing sent is still to be played (every mark echoed).
        self._played_out = asyncio.Event()
        self._played_out.set()
        # How the stream's end is to be recorded when we caused it (hang-up, transfer):
        # (end reason, status); a stop or close then is not the caller hanging up.
        self.expected_end: tuple[str, str] | None = None

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
                reason, status = self.expected_end or ("caller_hung_up", "completed")
                await self.session.end(reason, status=status)
            else:
                await self.close_client()
        elif isinstance(event, StreamDtmf):
            await self._on_dtmf(event)

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
        resume: ResumedCall | None = None
        outbound: OutboundCallContext | None = None
        try:
            claimed = grant is not None and await grants.stream_grant_claim(
                provider=self.provider, call_id=grant.call_id, nonce=grant.nonce
            )
            admitted = None
            if grant is not None and claimed and grant.resume:
                admitted = await database_sync_to_async(services.phone_call_resume_admit)(
                    call_id=grant.resume, provider_call_id=grant.call_id
                )
                if not isinstance(admitted, services.Refusal):
                    resume = await database_sync_to_async(call_resume_state)(call_id=grant.resume)
            elif grant is not None and claimed:
                admitted = await database_sync_to_async(services.phone_call_admit)(
                    public_id=grant.agent_public_id,
                    provider_call_id=grant.call_id,
                    line_reserved=bool(grant.outbound),
                )
                if grant.outbound and not isinstance(admitted, services.Refusal):
                    outbound = await database_sync_to_async(outbound_call_context)(
                        attempt_id=int(grant.outbound)
                    )
                    if outbound is None:
                        admitted = services.Refusal("the outbound call no longer exists")
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
        call_id = grant.resume or str(uuid.uuid4())
        if not await self.join_control_group(call_id):
            logger.warning(
                "Refused %s call %s: the channel layer is down", self.provider, grant.call_id
            )
            await self._refuse(TRY_AGAIN_LATER)
            return
        self.stream_id = start.stream_id
        self.provider_call_id = grant.call_id
        await self.begin_call(
            call_id=call_id,
            agent=admitted,
            channel=self.channel,
            audio=self.audio,
            phone=True,
            resume=resume,
            outbound=outbound,
            caller_number=grant.caller_number,
            called_number=grant.called_number,
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

    async def _on_dtmf(self, dtmf: StreamDtmf) -> None:
        if self.session is None:
            return
        try:
            key = client_digit(dtmf.digit)
        except ProtocolError as error:
            await self.session.client_error(error)
            return
        await self.session.handle_client(key)

    async def _on_mark(self, mark: StreamMark) -> None:
        """Audio up to this mark has played: the caller has heard that much of the item."""
        if self.session is None:
            return
        played = self.marks.echoed(mark.name)
        if not self.marks.pending:
            self._played_out.set()
        if played is None:
            return  # unknown, or echoed after a clear (cleared, not played)
        await self.session.handle_client(
            ClientPlayback(item_id=played.item_id, played_ms=played.ms)
        )

    async def disconnect(self, code: int) -> None:
        if self._start_watch is not None:
            self._start_watch.cancel()
        if self.session is not None and self.expected_end is not None:
            # The provider closed the stream because we hung up or transferred.
            reason, status = self.expected_end
            await asyncio.shield(self.session.end(reason, status=status))
        elif code in self.hang_up_close_codes and self.session is not None:
            await asyncio.shield(self.session.end("caller_hung_up"))
        await super().disconnect(code)

    # -- CallHooks

    async def send_audio(self, item_id: str, audio: str, end_ms: int) -> None:
        self._played_out.clear()
        name = self.marks.sent(item_id, end_ms)
        await self.send_frame(self.media_frame(audio))
        await self.send_frame(self.mark_frame(name))

    async def stop_playback(self) -> HeardPosition | None:
        """Audio still buffered at the provider is cleared; the caller heard up to the
        last echoed mark of the item playing, no further."""
        heard = self.marks.cleared()
        self._played_out.set()
        if heard is not None:
            await self.send_frame(self.clear_frame())
        return heard

    async def playback_finished(self, timeout: float) -> bool | None:
        """The provider's marks say when the last audio sent has played."""
        try:
            await asyncio.wait_for(self._played_out.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def account(self) -> Account | None:
        """The provider account the call is on (its line's, else the server's): its REST
        credentials, or None where they are not complete."""
        credentials = await database_sync_to_async(credentials_for)(
            provider=self.provider, line=self.line
        )
        if credentials is None or not credentials.account_id:
            return None
        return credentials

    async def hang_up(self) -> str:
        """The provider ends the call (its REST API). If it cannot, closing the stream
        still ends it (nothing follows the stream in our answer); the failure is
        recorded on the call log."""
        self.expected_end = ("agent_ended", "completed")
        account = await self.account()
        if account is None:
            return f"{self.provider} call control is not configured: the stream was closed instead"
        try:
            await self.control.hang_up(account=account, call_id=self.provider_call_id)
        except CallControlError as exc:
            logger.warning(
                "Call %s: hanging up through %s failed: %s", self.call_id, self.provider, exc
            )
            return (
                f"hanging up through {self.provider} failed ({exc}); the stream was closed instead"
            )
        return ""

    async def transfer(self, order: TransferOrder) -> str:
        """The provider takes the call off this stream and dials the person; the stop
        that follows is the transfer, not a hang-up."""
        account = await self.account()
        await database_sync_to_async(call_transfer_begin)(
            call_id=self.call_id,
            target=order.target,
            mode=order.mode,
            reason=order.reason,
            summary=order.summary,
        )
        error = ""
        if account is None:
            error = f"{self.provider} call control is not configured"
        else:
            self.expected_end = ("transferred", "transferred")
            links = transfer_links(
                provider=self.provider, call_id=self.call_id, warm=order.mode == "warm"
            )
            try:
                await self.control.transfer(
                    account=account,
                    call_id=self.provider_call_id,
                    target=order.target,
                    links=links,
                )
            except CallControlError as exc:
                error = str(exc)
        if error:
            self.expected_end = None
            logger.warning("Call %s: transfer failed: %s", self.call_id, error)
            await database_sync_to_async(call_transfer_fail)(call_id=self.call_id, error=error)
            return "the phone system did not accept the transfer"
        logger.info("Call %s: transferred to a person (%s)", self.call_id, order.mode)
        return ""

    async def send_json(self, message: dict[str, Any]) -> None:
        """Providers understand only their framing: the call's events go to monitors."""
        self.publish(message)
