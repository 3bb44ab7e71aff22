"""The load generator: N calls from one process, each streaming real-time stamped frames.

Web framing: the widget protocol, 50 ms PCM16 24 kHz frames (2400 bytes) after `ready`.
Twilio framing: the call is set up as Twilio does it (a signed POST to the voice webhook,
then the signed Media Stream upgrade, `connected` and `start` with the token from the
TwiML), then 20 ms μ-law frames (160 bytes) as `media` events; every `mark` the server
sends is echoed back at once, as Twilio does once the audio before it has played.
Plivo framing: the same with Plivo's answer URL (V3-signed), `<Stream>` with the token in
`extraHeaders`, `start`/`media` in, `playAudio`/`checkpoint` out, and `playedStream` for
every checkpoint at once. A phone call has no `ready`: frames sent before the first one
comes back are warm-up, not counted.

Run by bench/load.py in several processes, so that the generator is not the bottleneck:
python bench/loadgen.py URL CALLS SECONDS RAMP [--twilio|--plivo AUTH_TOKEN] > results.json
(for --twilio and --plivo, URL is the agent's voice webhook).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import sys
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from harness import MAGIC, STAMP

WARM_UP = 1 << 40  # sequence numbers of warm-up frames start here


@dataclass(frozen=True)
class Framing:
    frame_bytes: int
    frame_seconds: float
    silence: bytes  # one byte of silence in this format

    def frames(self, seconds: float) -> int:
        return int(seconds / self.frame_seconds)


WEB = Framing(frame_bytes=2400, frame_seconds=0.05, silence=b"\x00")
PHONE = Framing(frame_bytes=160, frame_seconds=0.02, silence=b"\xff")


class Stats:
    def __init__(self) -> None:
        self.received: list[list[float]] = []  # [upstream send time (ns), latency (ms)]
        self.order: list[int] = []

    def audio(self, audio: bytes) -> bool:
        """Records a stamped frame; True if it was one."""
        if len(audio) < STAMP.size:
            return False
        magic, sequence, sent_ns = STAMP.unpack_from(audio)
        if magic != MAGIC:
            return False
        if sequence < WARM_UP:
            self.received.append([sent_ns, (time.time_ns() - sent_ns) / 1e6])
            self.order.append(sequence)
        return True


async def stream(send, framing: Framing, frames: int, encode, stats: Stats) -> None:
    start = time.monotonic()
    padding = framing.silence * (framing.frame_bytes - STAMP.size)
    for sequence in range(frames):
        delay = start + sequence * framing.frame_seconds - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        audio = STAMP.pack(MAGIC, sequence, time.time_ns()) + padding
        await send(encode(base64.b64encode(audio).decode()))
    deadline = time.monotonic() + 3
    while len(stats.received) < frames and time.monotonic() < deadline:
        await asyncio.sleep(0.05)


async def web_call(url: str, seconds: float, results: dict, stats: Stats) -> None:
    from websockets.asyncio.client import connect

    frames = WEB.frames(seconds)
    async with connect(url, max_size=None, compression=None, open_timeout=60) as ws:
        while json.loads(await ws.recv()).get("type") != "ready":
            pass
        results["ready_ns"].append(time.time_ns())

        async def reader() -> None:
            async for frame in ws:
                message = json.loads(frame)
                if message.get("type") == "audio":
                    stats.audio(base64.b64decode(message["audio"]))

        reading = asyncio.ensure_future(reader())
        await stream(
            ws.send, WEB, frames, lambda b64: '{"type":"audio","audio":"' + b64 + '"}', stats
        )
        results["sent"] += frames
        results["done_ns"].append(time.time_ns())
        reading.cancel()
        await ws.send('{"type":"end"}')


def _twilio_answer(webhook: str, auth_token: str, call_sid: str) -> tuple[str, str, dict]:
    """POSTs the voice webhook as Twilio does; returns the stream URL, token and the
    upgrade's signature header."""
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(auth_token)
    form = {
        "CallSid": call_sid,
        "AccountSid": "ACbench",
        "From": "+15550100000",
        "To": "+15550100001",
    }
    twiml = _post(webhook, form, {"X-Twilio-Signature": validator.compute_signature(webhook, form)})
    stream = twiml.find("./Connect/Stream")
    if stream is None:
        raise RuntimeError("the webhook did not answer with a stream")
    url = stream.get("url") or ""
    token = next(
        p.get("value") for p in stream.findall("Parameter") if p.get("name") == "call_token"
    )
    return url, token or "", {"X-Twilio-Signature": validator.compute_signature(url, {})}


def _plivo_signed(auth_token: str, url: str, params: dict, method: str) -> dict:
    """Plivo's V3 signature headers, made with the plivo package's own helpers."""
    from plivo.utils.signature_v3 import construct_get_url, construct_post_url, get_signature_v3

    nonce = str(time.time_ns())
    base = (construct_post_url if method == "POST" else construct_get_url)(url, dict(params))
    signature = get_signature_v3(auth_token.encode(), base.decode(), nonce.encode()).decode()
    return {"X-Plivo-Signature-V3": signature, "X-Plivo-Signature-V3-Nonce": nonce}


def _plivo_answer(webhook: str, auth_token: str, call_uuid: str) -> tuple[str, str, dict]:
    """POSTs the answer URL as Plivo does; returns the stream URL, the ``extraHeaders``
    (given back verbatim on ``start``) and the upgrade's signature headers."""
    form = {"CallUUID": call_uuid, "From": "+15550100000", "To": "+15550100001"}
    answer = _post(webhook, form, _plivo_signed(auth_token, webhook, form, "POST"))
    stream = answer.find("./Stream")
    if stream is None:
        raise RuntimeError("the webhook did not answer with a stream")
    url = (stream.text or "").strip()
    extra = (stream.get("extraHeaders") or "").replace(",", ";")
    return url, extra, _plivo_signed(auth_token, url, {}, "GET")


def _post(webhook: str, form: dict, headers: dict) -> ET.Element:
    if not webhook.startswith(("http://", "https://")):
        raise ValueError("the voice webhook must be an http(s) URL")
    request = urllib.request.Request(  # noqa: S310 (checked just above)
        webhook, data=urllib.parse.urlencode(form).encode(), headers=headers
    )
    with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310
        return ET.fromstring(reply.read())  # noqa: S314 (the product under test)


@dataclass
class PhoneWire:
    """One provider's frames for one call."""

    opening: list[str]
    media_prefix: str  # + base64 + media_suffix: a caller frame
    media_suffix: str
    audio_event: str  # the event that carries the agent's audio in ``media.payload``
    stop: str

    def ack(self, message: dict, frame: str | bytes) -> str | bytes | None:
        """What to send back for a frame of ours: the played mark, at once."""
        raise NotImplementedError


class TwilioWire(PhoneWire):
    def ack(self, message: dict, frame: str | bytes) -> str | bytes | None:
        return frame if message.get("event") == "mark" else None


class PlivoWire(PhoneWire):
    def ack(self, message: dict, frame: str | bytes) -> str | bytes | None:
        if message.get("event") != "checkpoint":
            return None
        return json.dumps(
            {"event": "playedStream", "streamId": message["streamId"], "name": message["name"]}
        )


def _twilio_wire(call_sid: str, token: str) -> PhoneWire:
    stream_sid = "MZ" + call_sid[2:]
    start = {
        "streamSid": stream_sid,
        "accountSid": "ACbench",
        "callSid": call_sid,
        "tracks": ["inbound"],
        "customParameters": {"call_token": token},
        "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
    }
    return TwilioWire(
        opening=[
            json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}),
            json.dumps({"event": "start", "sequenceNumber": "1", "start": start}),
        ],
        media_prefix='{"event":"media","streamSid":"' + stream_sid + '","media":{"payload":"',
        media_suffix='"}}',
        audio_event="media",
        stop=json.dumps({"event": "stop", "sequenceNumber": "2", "streamSid": stream_sid}),
    )


def _plivo_wire(call_uuid: str, extra_headers: str) -> PhoneWire:
    stream_id = "st-" + call_uuid
    start = {
        "callId": call_uuid,
        "streamId": stream_id,
        "accountId": "MAbench",
        "tracks": ["inbound"],
        "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000},
    }
    opening = {
        "event": "start",
        "sequenceNumber": 1,
        "start": start,
        "extra_headers": extra_headers,
    }
    return PlivoWire(
        opening=[json.dumps(opening)],
        # As Plivo sends it (numbers fixed: the product reads none of them), with the
        # extra headers repeated on every frame.
        media_prefix='{"event":"media","sequenceNumber":2,"streamId":"'
        + stream_id
        + '","media":{"track":"inbound","timestamp":"1764403200000","chunk":1,"payload":"',
        media_suffix='"},"extra_headers":' + json.dumps(extra_headers) + "}",
        audio_event="playAudio",
        stop=json.dumps({"event": "stop", "sequenceNumber": 2, "streamId": stream_id}),
    )


ANSWERS = {"twilio": _twilio_answer, "plivo": _plivo_answer}
WIRES = {"twilio": _twilio_wire, "plivo": _plivo_wire}


async def phone_call(
    framing: str,
    webhook: str,
    auth_token: str,
    call_id: str,
    seconds: float,
    results: dict,
    stats: Stats,
) -> None:
    from websockets.asyncio.client import connect

    headers: dict[str, str] = {}
    if webhook.startswith("ws"):  # the bare relay: no webhook, straight to the stream
        url, token = webhook, "baseline"
    else:
        url, token, headers = await asyncio.to_thread(
            ANSWERS[framing], webhook, auth_token, call_id
        )
    wire = WIRES[framing](call_id, token)
    frames = PHONE.frames(seconds)
    async with connect(
        url, max_size=None, compression=None, open_timeout=60, additional_headers=headers
    ) as ws:
        for frame in wire.opening:
            await ws.send(frame)
        ready = asyncio.Event()

        async def reader() -> None:
            async for frame in ws:
                message = json.loads(frame)
                if message.get("event") == wire.audio_event:
                    if stats.audio(base64.b64decode(message["media"]["payload"])):
                        ready.set()
                elif (ack := wire.ack(message, frame)) is not None:
                    await ws.send(ack)  # "played"

        reading = asyncio.ensure_future(reader())
        warm_up = WARM_UP
        padding = PHONE.silence * (PHONE.frame_bytes - STAMP.size)
        while not ready.is_set():  # until the bridge relays: the upstream session is up
            audio = STAMP.pack(MAGIC, warm_up, time.time_ns()) + padding
            await ws.send(wire.media_prefix + base64.b64encode(audio).decode() + wire.media_suffix)
            warm_up += 1
            try:
                await asyncio.wait_for(ready.wait(), PHONE.frame_seconds)
            except TimeoutError:
                pass
        results["ready_ns"].append(time.time_ns())
        await stream(
            ws.send, PHONE, frames, lambda b64: wire.media_prefix + b64 + wire.media_suffix, stats
        )
        results["sent"] += frames
        results["done_ns"].append(time.time_ns())
        reading.cancel()
        await ws.send(wire.stop)


async def one_call(
    url: str, index: int, seconds: float, results: dict, phone: tuple[str, str] | None
) -> None:
    stats = Stats()
    try:
        if phone is None:
            await web_call(url, seconds, results, stats)
        else:
            framing, auth_token = phone
            prefix = "CAbench" if framing == "twilio" else "bench-"
            call_id = f"{prefix}{time.time_ns()}{index:05d}"
            await phone_call(framing, url, auth_token, call_id, seconds, results, stats)
    except Exception as exc:
        results["errors"].append(type(exc).__name__)
    results["u2c"].extend(stats.received)
    results["received"] += len(stats.received)
    results["reordered"] += sum(1 for a, b in itertools.pairwise(stats.order) if b < a)


async def generate(
    url: str, calls: int, seconds: float, ramp: float, phone: tuple[str, str] | None = None
) -> dict:
    results: dict = {
        "sent": 0,
        "received": 0,
        "reordered": 0,
        "errors": [],
        "u2c": [],
        "ready_ns": [],  # when each call was relaying and started its measured stream
        "done_ns": [],  # when each call sent its last frame
    }

    async def staggered(index: int) -> None:
        await asyncio.sleep(ramp * index / max(calls, 1))
        await one_call(url, index, seconds, results, phone)

    await asyncio.gather(*(staggered(i) for i in range(calls)))
    return results


if __name__ == "__main__":
    url, calls, seconds, ramp = (
        sys.argv[1],
        int(sys.argv[2]),
        float(sys.argv[3]),
        float(sys.argv[4]),
    )
    phone = None
    if len(sys.argv) > 6 and sys.argv[5] in ("--twilio", "--plivo"):
        phone = (sys.argv[5][2:], sys.argv[6])
    results = asyncio.run(generate(url, calls, seconds, ramp, phone))
    results["cpu_seconds"] = time.process_time()  # is the generator itself the bottleneck?
    print(json.dumps(results))
