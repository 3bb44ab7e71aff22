"""Time to first audio: from `ready` to the first greeting audio frame, at the client.

Ten agents with distinct greetings are called once each (uncached: the greeting is asked
of the model, here a fake that answers at once, so the figure is our own overhead and
the real service's time to first audio comes on top), then one agent is called again and
again (cached: the product plays the stored greeting itself). Optionally beside N calls
streaming audio (``--background``). Budget (ARCHITECTURE.md): cached < 100 ms.

Run: .venv/bin/python bench/first_audio.py [--cached 30] [--background 40]
Prints one JSON object on stdout and a table on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

from harness import (
    background_load,
    fake_upstream,
    machine,
    manage,
    prepare_product,
    product_env,
    product_server,
    settle_background,
    summary,
    wait_for,
)

UNCACHED_AGENTS = 10


async def first_audio_ms(url: str) -> float:
    from websockets.asyncio.client import connect

    async with connect(url, max_size=None, compression=None, open_timeout=30) as ws:
        await wait_for(ws, "ready")
        ready_at = time.perf_counter()
        await wait_for(ws, "audio")
        elapsed = (time.perf_counter() - ready_at) * 1000
        await wait_for(ws, "response_done")
        await ws.send('{"type":"end"}')
        await wait_for(ws, "ended")
    return elapsed


async def measure(base: str, cached_calls: int) -> dict:
    uncached = [await first_audio_ms(f"{base}/ws/calls/bench-{i}/") for i in range(UNCACHED_AGENTS)]
    # bench-0's greeting is in the cache now (stored once its first call's response ended).
    cached = [await first_audio_ms(f"{base}/ws/calls/bench-0/") for _ in range(cached_calls)]
    return {"uncached_ms": summary(uncached), "cached_ms": summary(cached)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cached", type=int, default=30, help="calls with the cached greeting")
    parser.add_argument("--background", type=int, default=0, help="streaming calls beside")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        with fake_upstream(work, "first-audio", "greeting,echo") as upstream:
            env = product_env(work, upstream.url)
            prepare_product(env)
            manage(
                env,
                "shell",
                "-c",
                "from agents.models import Agent\n"
                "template = Agent.objects.get(public_id='front-desk')\n"
                f"for i in range({UNCACHED_AGENTS}):\n"
                "    template.pk = None; template.public_id = f'bench-{i}'; template.name = f'Bench {i}'\n"
                "    template.greeting = f'Hello, this is desk number {i}. How can I help?'\n"
                "    template.save()\n",
            )
            with product_server(env) as (_, port):
                base = f"ws://127.0.0.1:{port}"
                background = background_load(
                    f"{base}/ws/calls/front-desk/", options.background, 600
                )
                try:
                    if background is not None:
                        time.sleep(3 + options.background * 0.02)
                    results = asyncio.run(measure(base, options.cached))
                finally:
                    settle_background(background)
    report = {
        "benchmark": "first_audio",
        "machine": machine(),
        "background_calls": options.background,
        **results,
        "budget_cached_ms": 100,
    }
    print(json.dumps(report))
    print(
        f"ready → first greeting audio, beside {options.background} streaming calls",
        file=sys.stderr,
    )
    for kind in ("uncached", "cached"):
        stats = results[f"{kind}_ms"]
        print(
            f"  {kind:<9} n={stats['n']:<3} p50 {stats['p50']} ms  p95 {stats['p95']} ms  "
            f"max {stats['max']} ms",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
