"""The web widget's call consumer: ``/ws/calls/<agent_public_id>/`` speaking docs/protocol.md."""

from __future__ import annotations

import json
import logging
import uuid
from urllib.parse import parse_qs

from channels.db import database_sync_to_async

from calls import services
from calls.consumers.base import CallConsumer
from calls.models import Channel
from calls.realtime.config import WEB_AUDIO
from calls.realtime.hooks import HeardPosition
from calls.realtime.protocol import ProtocolError, parse_client_frame

logger = logging.getLogger(__name__)


class WebCallConsumer(CallConsumer):
    async def connect(self) -> None:
        headers = {k.decode("latin1").lower(): v.decode("latin1") for k, v in self.scope["headers"]}
        client = self.scope.get("client") or ("", 0)
        query = parse_qs(self.scope.get("query_string", b"").decode("latin1"))
        try:
            admitted = await database_sync_to_async(services.call_admit)(
                public_id=self.scope["url_route"]["kwargs"]["agent_public_id"],
                origin=headers.get("origin", ""),
                host=headers.get("host", ""),
                client_ip=client[0] or "",
                session_token=(query.get("session_token") or [""])[0],
            )
        except Exception:
            # The database or the shared cache (Redis) is down: a refusal, not a 500.
            logger.exception("Refused a web call: admission could not be checked")
            await self.refuse_unavailable()
            return
        if isinstance(admitted, services.Refusal):
            logger.info("Refused a web call: %s", admitted.reason)
            await self.close()  # before accept(): the handshake is refused with 403
            return
        call_id = str(uuid.uuid4())
        if not await self.join_control_group(call_id):
            await self.refuse_unavailable()
            return
        await self.accept()
        session = admitted.session
        await self.begin_call(
            call_id=call_id,
            agent=admitted.agent,
            channel=Channel.WEB,
            audio=WEB_AUDIO,
            known_caller=session.user_info if session else None,
            metadata=session.metadata if session else None,
            caller_ip=client[0] or "",
        )

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.session is None:
            return
        try:
            message = parse_client_frame(text_data, bytes_data)
        except ProtocolError as error:
            await self.session.client_error(error)
            return
        except Exception:
            # A frame the parser did not foresee costs that frame, never the call.
            logger.exception("Call %s: a client frame could not be parsed", self.call_id)
            await self.session.client_error(
                ProtocolError("bad_request", "the frame could not be read")
            )
            return
        await self.session.handle_client(message)

    async def send_audio(self, item_id: str, audio: str, end_ms: int) -> None:
        # Built by hand: base64 needs no escaping, and this runs 20 times a second.
        await self.send_frame(
            '{"type":"audio","item_id":' + json.dumps(item_id) + ',"audio":"' + audio + '"}'
        )

    async def stop_playback(self) -> HeardPosition | None:
        # The widget stops its own playback on `listening` and reports what it played.
        return None
