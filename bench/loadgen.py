"""The load generator: N calls from one process, each streaming real-time stamped frames.

Run by bench/load.py in several processes, so that the generator is not the bottleneck:
python bench/loadgen.py URL CALLS SECONDS RAMP > results.json
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import sys
import time

from harness import MAGIC, STAMP

FRAME_BYTES = 2400  # 50 ms of PCM16 at 24 kHz
FRAME_SECONDS = 0.05


async def one_call(url: str, seconds: float, results: dict) -> None:
    from websockets.asyncio.client import connect

    received: list[list[float]] = []  # [upstream send time (ns), latency (ms)]
    order: list[int] = []
    frames = int(seconds / FRAME_SECONDS)
    try:
        async with connect(url, max_size=None, compression=None, open_timeout=60) as ws:
            while json.loads(await ws.recv()).get("type") != "ready":
                pass
            results["ready_ns"].append(time.time_ns())

            async def reader() -> None:
                async for frame in ws:
                    message = json.loads(frame)
                    if message.get("type") != "audio":
                        continue
                    audio = base64.b64decode(message["audio"])
                    if len(audio) < STAMP.size:
                        continue
                    magic, sequence, sent_ns = STAMP.unpack_from(audio)
                    if magic == MAGIC:
                        received.append([sent_ns, (time.time_ns() - sent_ns) / 1e6])
                        order.append(sequence)

            reading = asyncio.ensure_future(reader())
            start = time.monotonic()
            padding = bytes(FRAME_BYTES - STAMP.size)
            for sequence in range(frames):
                delay = start + sequence * FRAME_SECONDS - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                audio = STAMP.pack(MAGIC, sequence, time.time_ns()) + padding
                await ws.send('{"type":"audio","audio":"' + base64.b64encode(audio).decode() + '"}')
            results["sent"] += frames
            results["done_ns"].append(time.time_ns())
            deadline = time.monotonic() + 3
            while len(received) < frames and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            reading.cancel()
            await ws.send('{"type":"end"}')
    except Exception as exc:
        results["errors"].append(type(exc).__name__)
    results["u2c"].extend(received)
    results["received"] += len(received)
    results["reordered"] += sum(1 for a, b in itertools.pairwise(order) if b < a)


async def generate(url: str, calls: int, seconds: float, ramp: float) -> dict:
    results: dict = {
        "sent": 0,
        "received": 0,
        "reordered": 0,
        "errors": [],
        "u2c": [],
        "ready_ns": [],  # when each call got `ready` and starts streaming
        "done_ns": [],  # when each call sent its last frame
    }

    async def staggered(index: int) -> None:
        await asyncio.sleep(ramp * index / max(calls, 1))
        await one_call(url, seconds, results)

    await asyncio.gather(*(staggered(i) for i in range(calls)))
    return results


if __name__ == "__main__":
    url, calls, seconds, ramp = (
        sys.argv[1],
        int(sys.argv[2]),
        float(sys.argv[3]),
        float(sys.argv[4]),
    )
    results = asyncio.run(generate(url, calls, seconds, ramp))
    results["cpu_seconds"] = time.process_time()  # is the generator itself the bottleneck?
    print(json.dumps(results))
