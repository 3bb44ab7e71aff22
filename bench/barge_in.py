"""Barge-in latency: from the upstream's `speech_started` to `listening` at the client,
and until the last audio of the interrupted response arrives.

The fake upstream streams a response in real time; 500 ms in, it sends
``input_audio_buffer.speech_started`` (recording when) and then three more deltas of
the interrupted response, as the real service does. The client records when `listening`
arrives and every audio frame of the interrupted item. Probe calls do several rounds
each, optionally beside N calls streaming audio (``--background 0,40``). Budget
(ARCHITECTURE.md): speech_started → listening < 10 ms server-side; the loopback hop is
included here, so the figure is an upper bound.

Run: .venv/bin/python bench/barge_in.py [--probes 10] [--rounds 5] [--background 0,40]
Prints one JSON object on stdout and a table on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import sys
import tempfile
import time
from pathlib import Path

from harness import (
    STAMP,
    background_load,
    fake_upstream,
    machine,
    prepare_product,
    product_env,
    product_server,
    settle_background,
    summary,
    wait_for,
)

TRIGGER = b"VABB"
FRAME_BYTES = 2400


async def probe_call(url: str, index: int, rounds: int) -> list[dict]:
    from websockets.asyncio.client import connect

    observed = []
    async with connect(url, max_size=None, compression=None, open_timeout=30) as ws:
        await wait_for(ws, "ready")
        await wait_for(ws, "response_done")  # the (empty) greeting
        for round_number in range(rounds):
            sequence = index * 1000 + round_number
            item_id = f"item_b{sequence}"
            audio = STAMP.pack(TRIGGER, sequence, time.time_ns()) + bytes(FRAME_BYTES - 20)
            await ws.send('{"type":"audio","audio":"' + base64.b64encode(audio).decode() + '"}')
            audio_ns: list[int] = []
            listening_ns = 0
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                try:
                    frame = await asyncio.wait_for(ws.recv(), 0.4 if listening_ns else 5)
                except TimeoutError:
                    break  # quiet for 400 ms after `listening`
                message = json.loads(frame)
                if message.get("type") == "audio" and message.get("item_id") == item_id:
                    audio_ns.append(time.time_ns())
                elif message.get("type") == "listening" and not listening_ns:
                    listening_ns = time.time_ns()
            observed.append(
                {
                    "sequence": sequence,
                    "listening_ns": listening_ns,
                    "last_audio_ns": max(audio_ns, default=0),
                    "audio_after_listening": sum(1 for t in audio_ns if t > listening_ns),
                }
            )
            await asyncio.sleep(0.2)
        await ws.send('{"type":"end"}')
    return observed


async def probe(url: str, probes: int, rounds: int) -> list[dict]:
    results = await asyncio.gather(*(probe_call(url, i, rounds) for i in range(probes)))
    return [row for rows in results for row in rows]


def run(background: int, options: argparse.Namespace, work: Path) -> dict:
    with fake_upstream(work, f"bargein-{background}", "bargein,echo") as upstream:
        env = product_env(work, upstream.url)
        with product_server(env) as (_, port):
            url = f"ws://127.0.0.1:{port}/ws/calls/front-desk/"
            loader = background_load(url, background, 600)
            try:
                if loader is not None:
                    time.sleep(3 + background * 0.02)
                observed = asyncio.run(probe(url, options.probes, options.rounds))
            finally:
                settle_background(loader)
        started = dict(map(tuple, upstream.stop_and_read().get("speech_started", [])))
    to_listening, tail = [], []
    for row in observed:
        sent_ns = started.get(row["sequence"])
        if sent_ns is None or not row["listening_ns"]:
            continue
        to_listening.append((row["listening_ns"] - sent_ns) / 1e6)
        tail.append(max(0.0, (row["last_audio_ns"] - sent_ns) / 1e6))
    return {
        "background_calls": background,
        "rounds": len(observed),
        "missing_listening": sum(1 for row in observed if not row["listening_ns"]),
        "speech_started_to_listening_ms": summary(to_listening),
        "interrupted_audio_after_speech_started_ms": summary(tail),
        "interrupted_frames_after_listening": sum(r["audio_after_listening"] for r in observed),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--probes", type=int, default=10, help="concurrent probe calls")
    parser.add_argument("--rounds", type=int, default=5, help="barge-ins per probe call")
    parser.add_argument("--background", default="0,40", help="streaming calls beside (sweep)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        prepare_product(product_env(work, "ws://127.0.0.1:9/v1/realtime"))
        runs = [run(int(n), options, work) for n in options.background.split(",")]
    print(json.dumps({"benchmark": "barge_in", "machine": machine(), "runs": runs}))
    for r in runs:
        listening = r["speech_started_to_listening_ms"]
        tail = r["interrupted_audio_after_speech_started_ms"]
        print(
            f"beside {r['background_calls']:>3} calls, {r['rounds']} barge-ins: "
            f"speech_started → listening p50 {listening['p50']} / p99 {listening['p99']} / "
            f"max {listening['max']} ms; interrupted audio for {tail['max']} ms after it, "
            f"{r['interrupted_frames_after_listening']} frames after `listening`",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
