"""A fast fake OpenAI Realtime server for the benchmarks (GA event shapes).

Modes (third argument, comma-separated, e.g. ``bargein,echo``):

- ``echo`` (default): every caller audio frame that starts with a bench stamp (magic,
  sequence, send time) is timed (client→upstream latency), re-stamped with this server's
  send time and sent straight back as a ``response.output_audio.delta``. Any audio format
  works: web PCM16 or phone μ-law frames.
- ``greeting``: the greeting response is 3 s of audio sent as fast as the socket takes it
  (as the real service does), with its transcript; nothing else is answered.
- ``bargein``: a caller frame stamped with the trigger magic starts a long spoken response streamed in real time;
  500 ms later the caller "speaks": ``input_audio_buffer.speech_started`` goes out (its
  send time is recorded under the frame's sequence number) while three more deltas of the
  interrupted response follow it, as they do on the real service, then
  ``response.done`` (cancelled) and ``speech_stopped``.
- ``slowconfig``: ``session.updated`` comes ``SLOW_CONFIG_SECONDS`` after the
  ``session.update`` (a service slow to set the session up).

On SIGTERM the recorded times are written as JSON to the path given as the first argument.

Run: python bench/fake_upstream.py STATS.json PORT_FILE [echo,greeting,bargein]
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import signal
import struct
import sys
import time

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

MAGIC = b"VABN"
TRIGGER = b"VABB"  # a caller frame that starts a response to be barged in on
STAMP = struct.Struct("<4sQQ")  # magic, sequence, time.time_ns()
CHUNK_BYTES = 2400  # 50 ms of PCM16 at 24 kHz
SLOW_CONFIG_SECONDS = 0.5

stats: dict[str, list] = {"c2u": [], "speech_started": []}
counter = itertools.count()


def _session(event: dict) -> dict:
    return {
        "type": "realtime",
        "id": "sess_bench",
        "object": "realtime.session",
        "model": "gpt-realtime",
        **(event.get("session") or {}),
    }


def _event(kind: str, **fields: object) -> str:
    return json.dumps({"type": kind, "event_id": f"evt_{next(counter)}", **fields})


def _response(response_id: str, status: str, output: list | None = None, **extra: object) -> dict:
    return {
        "id": response_id,
        "object": "realtime.response",
        "status": status,
        "output": output or [],
        **extra,
    }


def _delta(response_id: str, item_id: str, audio: bytes) -> str:
    return _event(
        "response.output_audio.delta",
        response_id=response_id,
        item_id=item_id,
        output_index=0,
        content_index=0,
        delta=base64.b64encode(audio).decode(),
    )


async def _speak(send, response_id: str, item_id: str, chunks: int, transcript: str) -> None:
    """A whole spoken greeting sent at socket speed: created, deltas, transcript, done."""
    metadata = {"purpose": "greeting"}
    await send(
        _event(
            "response.created",
            response=_response(response_id, "in_progress", metadata=metadata),
        )
    )
    for _ in range(chunks):
        await send(_delta(response_id, item_id, bytes(CHUNK_BYTES)))
    await send(
        _event(
            "response.output_audio_transcript.done",
            response_id=response_id,
            item_id=item_id,
            output_index=0,
            content_index=0,
            transcript=transcript,
        )
    )
    output = [
        {
            "id": item_id,
            "type": "message",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_audio", "transcript": transcript}],
        }
    ]
    await send(_event("response.done", response=_response(response_id, "completed", output)))


async def _barge_in(send, sequence: int) -> None:
    """A response streamed in real time that the caller interrupts after 500 ms."""
    response_id, item_id = f"resp_b{sequence}", f"item_b{sequence}"
    await send(_event("response.created", response=_response(response_id, "in_progress")))
    for _ in range(10):
        await send(_delta(response_id, item_id, bytes(CHUNK_BYTES)))
        await asyncio.sleep(0.05)
    sent_ns = time.time_ns()
    await send(
        _event(
            "input_audio_buffer.speech_started",
            audio_start_ms=500,
            item_id=f"item_u{sequence}",
        )
    )
    stats["speech_started"].append([sequence, sent_ns])
    for _ in range(3):  # late audio of the interrupted response
        await send(_delta(response_id, item_id, bytes(CHUNK_BYTES)))
    await send(_event("response.done", response=_response(response_id, "cancelled")))
    await send(_event("input_audio_buffer.speech_stopped", audio_end_ms=900, item_id="x"))


async def handle(websocket: ServerConnection, modes: set[str]) -> None:
    send = websocket.send
    tasks: set[asyncio.Task] = set()
    try:
        await send(_event("session.created", session=_session({})))
        async for frame in websocket:
            event = json.loads(frame)
            kind = event.get("type")
            if kind == "input_audio_buffer.append":
                audio = base64.b64decode(event["audio"])
                if len(audio) < STAMP.size:
                    continue
                magic, sequence, sent_ns = STAMP.unpack_from(audio)
                if magic == MAGIC and "echo" in modes:
                    now = time.time_ns()
                    stats["c2u"].append([sent_ns, (now - sent_ns) / 1e6])
                    echoed = STAMP.pack(MAGIC, sequence, time.time_ns()) + audio[STAMP.size :]
                    await send(_delta("resp_echo", "item_echo", echoed))
                elif magic == TRIGGER and "bargein" in modes:
                    task = asyncio.ensure_future(_barge_in(send, sequence))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
            elif kind == "session.update":
                if "slowconfig" in modes:
                    await asyncio.sleep(SLOW_CONFIG_SECONDS)
                await send(_event("session.updated", session=_session(event)))
            elif kind == "response.create":
                metadata = (event.get("response") or {}).get("metadata")
                purpose = (metadata or {}).get("purpose")
                if "greeting" in modes and purpose == "greeting":
                    await _speak(send, "resp_greet", "item_greet", 60, "Hello, how can I help?")
                else:
                    # One short empty response, so calls start streaming at once.
                    created = _response("resp_0", "in_progress", metadata=metadata)
                    await send(_event("response.created", response=created))
                    await send(_event("response.done", response=_response("resp_0", "completed")))
    except ConnectionClosed:
        pass
    finally:
        for task in tasks:
            task.cancel()


async def main(stats_path: str, port_path: str, modes: set[str]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    async with serve(
        lambda ws: handle(ws, modes), "127.0.0.1", 0, max_size=None, compression=None
    ) as server:
        port = server.sockets[0].getsockname()[1]
        with open(port_path, "w") as handle_file:
            handle_file.write(str(port))
        await stop.wait()
    with open(stats_path, "w") as out:
        json.dump({**stats, "cpu_seconds": time.process_time()}, out)


if __name__ == "__main__":
    modes = set((sys.argv[3] if len(sys.argv) > 3 else "echo").split(","))
    asyncio.run(main(sys.argv[1], sys.argv[2], modes))
