"""A fast fake OpenAI Realtime server for load benchmarks: it answers audio with audio.

Each client audio frame starts with a 20-byte stamp (magic, sequence, send time); the
server records the client→upstream latency, re-stamps the frame with its own send time
and sends it straight back as a ``response.output_audio.delta``. On SIGTERM it writes
its latency samples to the path given as the first argument.

Run: python bench/fake_upstream.py STATS.json PORT_FILE
"""

from __future__ import annotations

import asyncio
import base64
import json
import signal
import struct
import sys
import time

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

MAGIC = b"VABN"
STAMP = struct.Struct("<4sQQ")  # magic, sequence, time.time_ns()

latencies_ms: list[float] = []


def session(event: dict) -> dict:
    return {
        "type": "realtime",
        "id": "sess_bench",
        "object": "realtime.session",
        "model": "gpt-realtime",
        **(event.get("session") or {}),
    }


async def handle(websocket: ServerConnection) -> None:
    send = websocket.send
    try:
        await send(
            json.dumps({"type": "session.created", "event_id": "e0", "session": session({})})
        )
        async for frame in websocket:
            event = json.loads(frame)
            kind = event.get("type")
            if kind == "input_audio_buffer.append":
                audio = base64.b64decode(event["audio"])
                magic, sequence, sent_ns = STAMP.unpack_from(audio)
                if magic != MAGIC:
                    continue
                now = time.time_ns()
                latencies_ms.append((now - sent_ns) / 1e6)
                echoed = STAMP.pack(MAGIC, sequence, time.time_ns()) + audio[STAMP.size :]
                await send(
                    json.dumps(
                        {
                            "type": "response.output_audio.delta",
                            "event_id": "e",
                            "response_id": "resp_echo",
                            "item_id": "item_echo",
                            "output_index": 0,
                            "content_index": 0,
                            "delta": base64.b64encode(echoed).decode(),
                        }
                    )
                )
            elif kind == "session.update":
                await send(
                    json.dumps(
                        {"type": "session.updated", "event_id": "e1", "session": session(event)}
                    )
                )
            elif kind == "response.create":
                # The greeting: one short chunk and done, so calls start streaming at once.
                await send(
                    json.dumps(
                        {
                            "type": "response.created",
                            "event_id": "e2",
                            "response": {
                                "id": "resp_greet",
                                "object": "realtime.response",
                                "status": "in_progress",
                                "output": [],
                                "metadata": (event.get("response") or {}).get("metadata"),
                            },
                        }
                    )
                )
                await send(
                    json.dumps(
                        {
                            "type": "response.done",
                            "event_id": "e3",
                            "response": {
                                "id": "resp_greet",
                                "object": "realtime.response",
                                "status": "completed",
                                "output": [],
                            },
                        }
                    )
                )
    except ConnectionClosed:
        pass


async def main(stats_path: str, port_path: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    async with serve(handle, "127.0.0.1", 0, max_size=None, compression=None) as server:
        port = server.sockets[0].getsockname()[1]
        with open(port_path, "w") as handle_file:
            handle_file.write(str(port))
        await stop.wait()
    with open(stats_path, "w") as out:
        json.dump({"c2u_ms": latencies_ms}, out)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
