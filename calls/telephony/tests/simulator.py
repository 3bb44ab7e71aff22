"""A phone stream simulator: a provider's side of a call, over a real WebSocket.

It answers the server's voice webhook as the provider does (signed POST), opens the
signed media stream, and then behaves like the phone network:

- the caller speaks in real time: 20 ms μ-law frames of 160 bytes, paced by the event
  loop's clock (``say``), made from espeak-ng speech (``spoken_ulaw``);
- the agent's audio is played in real time, 8 bytes a millisecond of wall time; a mark
  (Twilio ``mark``, Plivo ``checkpoint``) is acknowledged only once the audio sent
  before it has played, and a clear drops what has not played yet (Twilio then echoes
  the pending marks, Plivo sends ``clearedAudio`` and nothing for them);
- everything received is recorded (``received``: audio with its size, marks, clears).

The framing is one small class per provider (``phone_framing.py``).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import json
import shutil
import subprocess
import urllib.request
import wave
from collections import deque
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from calls.realtime.audio import float_to_pcm16, pcm16_to_float, pcm16_to_ulaw, resample
from calls.telephony.tests.phone_framing import (
    Answer,
    Audio,
    Clear,
    Mark,
    ProviderFraming,
    encode_form,
)

FRAME_BYTES = 160  # 20 ms of μ-law at 8 kHz
FRAME_SECONDS = 0.02
BYTES_PER_SECOND = 8000
PLAYER_TICK_SECONDS = 0.005
ULAW_SILENCE = b"\xff"


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def spoken_ulaw(text: str) -> bytes:
    """``text`` spoken by espeak-ng, as 8 kHz μ-law (the numpy codec of the product)."""
    wav = subprocess.run(
        ["espeak-ng", "--stdout", text],
        check=True,
        capture_output=True,
        timeout=30,
    ).stdout
    with wave.open(io.BytesIO(wav)) as reader:
        rate, pcm = reader.getframerate(), reader.readframes(reader.getnframes())
    return pcm16_to_ulaw(float_to_pcm16(resample(pcm16_to_float(pcm), rate, 8000)))


@dataclass(frozen=True)
class Received:
    kind: str  # "audio", "mark" or "clear"
    size: int = 0  # audio: bytes received; clear: unplayed bytes dropped
    name: str = ""  # mark: its name
    played: int = 0  # bytes of the agent's audio played when this arrived


class PhoneSimulator:
    """One call, from the provider's side (``framing``), to the server at ``base_url``."""

    def __init__(self, framing: ProviderFraming, *, base_url: str) -> None:
        self.framing = framing
        self.base_url = base_url.rstrip("/")
        self.received: list[Received] = []
        self.agent_audio = bytearray()  # every byte of the agent's audio, as received
        self.caller_audio = bytearray()  # every byte of the caller's audio, as sent
        self.played_bytes = 0
        self.acknowledged: list[str] = []
        self.close_code: int | None = None
        self.websocket: ClientConnection | None = None
        self._queue: deque[bytes | str] = deque()  # unplayed audio and the marks among it
        self._credit = 0.0
        self._chunk = 0
        self._tasks: list[asyncio.Task[None]] = []

    # -- set-up

    async def answer(
        self, agent: str = "front-desk", caller: str = "+15551230001", called: str = "+15559870002"
    ) -> Answer | None:
        """The voice webhook, POSTed and signed as the provider does."""
        url = self.base_url + self.framing.webhook_path(agent)
        form = self.framing.webhook_form(caller, called)
        request = urllib.request.Request(
            url, data=encode_form(form), headers=self.framing.webhook_headers(url, form)
        )

        def post() -> bytes:
            with urllib.request.urlopen(request, timeout=30) as reply:
                return bytes(reply.read())

        return self.framing.read_answer(await asyncio.to_thread(post))

    async def dial(self, **answer: str) -> None:
        """Answers the webhook, opens the stream and starts it."""
        answered = await self.answer(**answer)
        assert answered is not None, "the webhook refused the call"
        await self.open(answered)

    async def open(self, answered: Answer) -> None:
        self.websocket = await connect(
            answered.stream_url,
            additional_headers=self.framing.handshake_headers(answered.stream_url),
            max_size=None,
            compression=None,
        )
        for frame in self.framing.opening(answered.token):
            await self.websocket.send(json.dumps(frame))
        self._tasks = [asyncio.ensure_future(self._read()), asyncio.ensure_future(self._play())]

    # -- the caller

    async def say(self, ulaw: bytes) -> None:
        """Sends ``ulaw`` in real time, 20 ms frames (the last padded with silence)."""
        assert self.websocket is not None
        loop = asyncio.get_running_loop()
        start = loop.time()
        for index, offset in enumerate(range(0, len(ulaw), FRAME_BYTES)):
            frame = ulaw[offset : offset + FRAME_BYTES].ljust(FRAME_BYTES, ULAW_SILENCE)
            delay = start + index * FRAME_SECONDS - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self._chunk += 1
            await self.websocket.send(
                self.framing.media(base64.b64encode(frame).decode(), self._chunk)
            )
            self.caller_audio += frame

    async def press(self, digit: str) -> None:
        assert self.websocket is not None
        await self.websocket.send(json.dumps(self.framing.dtmf(digit)))

    async def hang_up(self, *, stop_frame: bool = True) -> None:
        """The caller hangs up: the provider's stop frame (unless ``stop_frame`` is
        False: Plivo may just close), then a normal close."""
        if self.websocket is None:
            return
        if stop_frame:
            with contextlib.suppress(ConnectionClosed):
                await self.websocket.send(json.dumps(self.framing.stop()))
        await self.close()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                await task
        if self.websocket is not None:
            await self.websocket.close(code=1000)
            self.close_code = self.websocket.close_code

    # -- waiting for the agent

    @property
    def played_ms(self) -> float:
        return self.played_bytes / (BYTES_PER_SECOND / 1000)

    @property
    def unplayed_bytes(self) -> int:
        return sum(len(item) for item in self._queue if isinstance(item, bytes))

    def of(self, kind: str) -> list[Received]:
        return [item for item in self.received if item.kind == kind]

    async def until(self, condition: Any, timeout: float = 10) -> None:
        """Waits until ``condition()`` is true."""
        async with asyncio.timeout(timeout):
            while not condition():
                await asyncio.sleep(0.01)

    async def until_closed(self, timeout: float = 10) -> int | None:
        assert self.websocket is not None
        async with asyncio.timeout(timeout):
            await self.websocket.wait_closed()
        self.close_code = self.websocket.close_code
        return self.close_code

    # -- the network's side

    async def _read(self) -> None:
        assert self.websocket is not None
        async for frame in self.websocket:
            item = self.framing.read(json.loads(frame))
            if isinstance(item, Audio):
                self.received.append(
                    Received("audio", size=len(item.data), played=self.played_bytes)
                )
                self.agent_audio += item.data
                self._queue.append(item.data)
            elif isinstance(item, Mark):
                self.received.append(Received("mark", name=item.name, played=self.played_bytes))
                self._queue.append(item.name)
            elif isinstance(item, Clear):
                await self._clear()

    async def _clear(self) -> None:
        assert self.websocket is not None
        pending = [item for item in self._queue if isinstance(item, str)]
        self.received.append(Received("clear", size=self.unplayed_bytes, played=self.played_bytes))
        self._queue.clear()
        self._credit = 0.0
        for frame in self.framing.cleared(pending):
            await self.websocket.send(json.dumps(frame))

    async def _play(self) -> None:
        """Plays the queue at 8 bytes a millisecond of the loop's clock."""
        assert self.websocket is not None
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            await asyncio.sleep(PLAYER_TICK_SECONDS)
            now = loop.time()
            self._credit += (now - last) * BYTES_PER_SECOND
            last = now
            while self._queue:
                head = self._queue[0]
                if isinstance(head, str):  # everything before this mark has played
                    self._queue.popleft()
                    self.acknowledged.append(head)
                    await self.websocket.send(json.dumps(self.framing.played(head)))
                    continue
                take = min(len(head), int(self._credit))
                if take == 0:
                    break
                self._credit -= take
                self.played_bytes += take
                if take == len(head):
                    self._queue.popleft()
                else:
                    self._queue[0] = head[take:]
            if not self._queue:
                self._credit = 0.0  # silence does not bank playing time
