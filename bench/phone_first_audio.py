"""Phone time to first audio: from the Media Stream's `start` to the first `media` frame.

The product runs as a server process with the offline engine; calls come as Twilio's do
(a signed POST to the voice webhook, then the signed stream with the token). One call
first lets the greeting play to its end, which caches it; then ``--calls`` calls each
send `start` and wait for the first `media` frame, then hang up. With a cached greeting
the first frame is the greeting's (the connection beep's with ``--beep``), sent while
the engine connects. Budget (ARCHITECTURE.md): cached < 100 ms.

``--slow-upstream``: the OpenAI engine instead, against ``fake_upstream.py`` taking
0.5 s to confirm the session's configuration (``slowconfig``): what the caller no longer
waits for.

Run: .venv/bin/python bench/phone_first_audio.py [--calls 20] [--beep] [--slow-upstream]
Prints one JSON object on stdout and a table on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path

from harness import (
    TWILIO_AUTH_TOKEN,
    fake_upstream,
    free_port,
    machine,
    manage,
    prepare_product,
    product_env,
    product_server,
    summary,
)
from loadgen import _twilio_answer

GREETING = "Hello, you have reached the front desk. How can I help?"
QUIET_SECONDS = 1.5  # no frame for this long: the warm-up call's greeting has played


async def phone_call(webhook: str, call_sid: str, *, until_quiet: bool = False) -> float:
    """One call: ms from sending `start` to the first `media` frame."""
    from websockets.asyncio.client import connect

    url, token, signed = await asyncio.to_thread(
        _twilio_answer, webhook, TWILIO_AUTH_TOKEN, call_sid
    )
    stream_sid = "MZ" + call_sid[2:]
    async with connect(
        url,
        max_size=None,
        compression=None,
        open_timeout=30,
        additional_headers=signed,
    ) as ws:
        await ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        start = {
            "streamSid": stream_sid,
            "accountSid": "ACbench",
            "callSid": call_sid,
            "tracks": ["inbound"],
            "customParameters": {"call_token": token},
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
        }
        started = time.perf_counter()
        await ws.send(json.dumps({"event": "start", "sequenceNumber": "1", "start": start}))
        elapsed: float | None = None
        while True:
            try:
                frame = await asyncio.wait_for(ws.recv(), QUIET_SECONDS if elapsed else 30)
            except TimeoutError:
                break
            message = json.loads(frame)
            if message.get("event") == "media" and elapsed is None:
                elapsed = (time.perf_counter() - started) * 1000
                if not until_quiet:
                    break
            elif message.get("event") == "mark":
                await ws.send(frame)  # played, as Twilio echoes it
        await ws.send(json.dumps({"event": "stop", "sequenceNumber": "2", "streamSid": stream_sid}))
        # The server closes the stream once the call has ended; what it sent until then is
        # read, so that its close frame is too.
        async with asyncio.timeout(30):
            async for _ in ws:
                pass
    if elapsed is None:
        raise RuntimeError("no media frame came")
    return elapsed


async def measure(webhook: str, calls: int) -> dict:
    # The first call plays the greeting to its end: the offline engine's speech is cached.
    warm_up = await phone_call(webhook, "CA" + "0" * 32, until_quiet=True)
    await asyncio.sleep(1.0)  # its end (summary, writes) is not the next call's cost
    cached = []
    for index in range(calls):
        cached.append(await phone_call(webhook, f"CA{index + 1:032d}"))
        await asyncio.sleep(0.2)  # one call at a time: the figure is a single call's
    return {
        "uncached_ms": round(warm_up, 2),
        "cached_ms": summary(cached),
        "cached_each_ms": [round(value, 1) for value in cached],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=20, help="calls with the cached greeting")
    parser.add_argument("--beep", action="store_true", help="the agent's connection beep on")
    parser.add_argument(
        "--slow-upstream", action="store_true", help="the openai engine, 0.5 s to configure"
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
        work = Path(folder)
        port = free_port()
        if options.slow_upstream:
            upstream_url = stack.enter_context(
                fake_upstream(work, "phone-first-audio", "greeting,slowconfig")
            ).url
            engine = "openai"
        else:
            upstream_url = "ws://127.0.0.1:9/v1/realtime"  # unused: in-process engine
            engine = "offline"
        env = product_env(
            work,
            upstream_url,
            VOICEAGENT_ENGINE=engine,
            PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        )
        prepare_product(env, greeting=GREETING)
        manage(  # the beep is on by default
            env,
            "shell",
            "-c",
            "from agents.models import Agent; "
            f"Agent.objects.update(connection_beep={options.beep})",
        )
        with product_server(env, port=port):
            webhook = f"http://127.0.0.1:{port}/twilio/voice/front-desk/"
            results = asyncio.run(measure(webhook, options.calls))
    report = {
        "benchmark": "phone_first_audio",
        "machine": machine(),
        "engine": engine,
        "upstream_configures_in_ms": 500 if options.slow_upstream else None,
        "beep": options.beep,
        **results,
        "budget_cached_ms": 100,
    }
    print(json.dumps(report))
    stats = results["cached_ms"]
    print(
        f"stream start → first media frame ({engine} engine"
        f"{', 0.5 s to configure' if options.slow_upstream else ''}, "
        f"beep {'on' if options.beep else 'off'})"
        f"\n  uncached  n=1   {results['uncached_ms']} ms"
        f"\n  cached    n={stats['n']:<3} p50 {stats['p50']} ms  p95 {stats['p95']} ms  "
        f"max {stats['max']} ms",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
