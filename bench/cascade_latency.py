"""The cascade's turn latency: end of caller speech → first agent audio at the client.

The product runs as a server process (uvicorn, ``DJANGO_DEBUG=false``) with its agent on
engine ``cascade``, against the providers' loopback fakes in a process of their own
(``bench/fake_cascade_providers.py``) at fixed latencies: the final transcript 150 ms
after ``speech_stopped``, the LLM's first token 300 ms after the request and then
30 tokens a second, the speech's first audio 150 ms after the request. Web calls (the
widget protocol) stream caller audio in real time, 50 ms frames; the fake transcriber's
VAD ends each turn.

**End of caller speech** is the moment the client sends the frame that completes the VAD
silence (the turn's last spoken audio + the agent's ``vad_silence_duration_ms`` of audio):
the earliest moment a real-time VAD could end the turn. The fake's ``speech_stopped``
follows on that frame's arrival. **First audio** is the first ``audio`` message of the
reply at the client. Both on the client's clock.

**Provider time** is 150 (STT) + 300 (first token) + the first sentence's remaining
tokens at 30/s + 150 (TTS): what a pipeline with no overhead of its own would take. The
product's **overhead** is the measured time minus that; it includes the sentence
splitter's look-ahead (a sentence is cut only once the whole next word has arrived: two
tokens of this reply, 67 ms at 30 tokens/s) and the fakes' own lateness, which the
per-stage breakdown (from the fakes' own timestamps) shows apart. Budget (issue 17):
overhead < 50 ms p95.

``--sequential`` measures the seed's design on the same fakes (bench/sequential_asgi.py:
the whole LLM reply, then the whole reply spoken, then sent). ``--load-calls 40`` also
runs 40 concurrent calls and reports the product's CPU per call-minute (psutil) and the
turn latency under that load.

Run: .venv/bin/python bench/cascade_latency.py [--calls 5 --turns 10] [--sequential]
     [--load-calls 40]
Prints one JSON object on stdout and a table on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import itertools
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from fake_cascade_providers import REPLY
from harness import (
    BIN,
    PYTHON,
    ROOT,
    cpu_seconds,
    machine,
    manage,
    prepare_product,
    product_env,
    product_server,
    stop,
    summary,
    wait_for,
)

FRAME_MS = 50
FRAME = base64.b64encode(b"\x00\x00" * 24 * FRAME_MS).decode()  # silence: the fake's VAD
SILENCE_MS = 500  # the demo agent's vad_silence_duration_ms (checked at start)
FIRST_AT_MS, SPEECH_MS = 500, 800  # each call's first turn starts at 500 ms, 800 ms long
STT_S, FIRST_TOKEN_S, TPS, TTS_S = 0.15, 0.3, 30.0, 0.15


def first_sentence_tokens(reply: str) -> tuple[int, int]:
    """How many tokens of REPLY make its first chunk, and how many the splitter must
    have seen to cut it (the look-ahead: up to the end of the next word)."""
    sys.path.insert(0, str(ROOT))
    from calls.realtime.engines.cascade.text import SentenceSplitter
    from calls.tests.fake_cascade.chat import tokens

    pieces = tokens(reply)
    splitter = SentenceSplitter("en")
    for seen, piece in enumerate(pieces, start=1):
        chunks = splitter.feed(piece)
        if chunks:
            words = "".join(pieces[:seen]).strip()
            sentence = next(
                n for n in range(1, seen + 1) if "".join(pieces[:n]).strip() == chunks[0]
            )
            if not words.startswith(chunks[0]):
                raise RuntimeError(f"the first chunk {chunks[0]!r} is not the reply's start")
            return sentence, seen
    return len(pieces), len(pieces)


@contextlib.contextmanager
def fake_providers(
    work: Path, options: argparse.Namespace, turns: int
) -> Iterator[tuple[dict, Path]]:
    stats, urls = work / "providers.json", work / "urls.json"
    stats.unlink(missing_ok=True)
    urls.unlink(missing_ok=True)
    command = [PYTHON, "bench/fake_cascade_providers.py", str(stats), str(urls)]
    command += ["--turns", str(turns), "--period", str(options.period), "--reply", options.reply]
    command += ["--first-at", str(FIRST_AT_MS), "--speech", str(SPEECH_MS)]
    process = subprocess.Popen(command, cwd=ROOT, env=dict(os.environ))
    try:
        deadline = time.monotonic() + 30
        while not urls.exists() or not urls.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the fake providers did not start")
            time.sleep(0.05)
        yield json.loads(urls.read_text()), stats
    finally:
        stop(process)


async def one_call(url: str, turns: int, period: int, speech: int, delay: float) -> dict:
    """One web call of ``turns`` turns; per turn: end of speech and first audio times."""
    from websockets.asyncio.client import connect

    await asyncio.sleep(delay)
    first_at = FIRST_AT_MS
    ends = [first_at + i * period + speech + SILENCE_MS for i in range(turns)]
    frames = math.ceil((first_at + turns * period) / FRAME_MS)
    eos: list[float | None] = [None] * turns
    first_audio: list[float | None] = [None] * turns
    done = [0] * turns
    async with connect(url, max_size=None, compression=None, open_timeout=30) as ws:
        await wait_for(ws, "ready")

        async def send() -> None:
            start = time.perf_counter()
            for k in range(frames):
                # Real time: the frame of audio [k, k+1) × 50 ms goes when it has been said.
                await asyncio.sleep(
                    max(0.0, start + (k + 1) * FRAME_MS / 1000 - time.perf_counter())
                )
                sent = time.time()
                await ws.send(f'{{"type":"audio","audio":"{FRAME}"}}')
                heard = (k + 1) * FRAME_MS
                for i, end in enumerate(ends):
                    if eos[i] is None and heard >= end:
                        eos[i] = sent

        sender = asyncio.ensure_future(send())
        try:
            while not sender.done():
                try:
                    async with asyncio.timeout(1):
                        message = json.loads(await ws.recv())
                except TimeoutError:
                    continue
                turn = max((i for i, t in enumerate(eos) if t is not None), default=None)
                if turn is None:
                    continue
                if message["type"] == "audio" and first_audio[turn] is None:
                    first_audio[turn] = time.time()
                elif message["type"] == "response_done":
                    done[turn] += 1
        finally:
            sender.cancel()
        await ws.send('{"type":"end"}')
        await wait_for(ws, "ended")
    return {"eos": eos, "first_audio": first_audio, "replies": done}


def stage_breakdown(
    turns: list[tuple[float, float]], providers: dict, sentence: int, seen: int
) -> dict:
    """Per turn, from the fakes' stamps: where the time between end of speech and first
    audio went (only when calls run one at a time, so stamps match turns by time)."""
    parts: dict[str, list[float]] = {}
    stopped = [t for t, kind, *_ in providers["stt"] if kind.endswith("speech_stopped")]
    completed = [t for t, kind, *_ in providers["stt"] if kind.endswith("completed")]

    def within(times: list[float], start: float, end: float) -> float | None:
        return next((t for t in times if start <= t <= end), None)

    for start, end in turns:
        chat = next((c for c in providers["chat"] if start <= c["t"] <= end), None)
        speech = next((s for s in providers["speech"] if start <= s["t"] <= end), None)
        b, c = within(stopped, start - 0.5, end), within(completed, start, end)
        if b is None or c is None or chat is None or speech is None:
            continue
        if len(chat["writes"]) <= seen:
            continue
        stamps = {
            "client_eos": start,
            "speech_stopped": b,
            "transcript_completed": c,
            "chat_request": chat["t"],
            # writes[0] is the role chunk; writes[k] carries token k.
            "sentence_end_token": chat["writes"][sentence],
            "cut_token": chat["writes"][seen],
            "speech_request": speech["t"],
            "speech_first_audio": speech["writes"][0] if speech["writes"] else end,
            "client_first_audio": end,
        }
        names = list(stamps)
        for before, after in itertools.pairwise(names):
            parts.setdefault(f"{before}→{after}", []).append(
                (stamps[after] - stamps[before]) * 1000
            )
        # The product's own share: the four hops between a provider's answer and the next.
        ours = sum(stamps[after] - stamps[before] for before, after in PRODUCT_HOPS)
        parts.setdefault("product (the four hops)", []).append(ours * 1000)
    return {name: summary(values) for name, values in parts.items()}


def fake_lateness(providers: dict, sentence: int, seen: int) -> dict:
    """How late each fake was against its nominal latency, per exchange (no matching to
    turns needed, so it holds under load too): the final transcript after
    ``speech_stopped``, the token that lets the splitter cut after the chat request, the
    first audio after the speech request."""
    stopped: dict[tuple, float] = {}
    stt: list[float] = []
    for at, kind, connection, item in providers.get("stt", []):
        if kind.endswith("speech_stopped"):
            stopped[connection, item] = at
        elif (connection, item) in stopped:
            stt.append((at - stopped[connection, item] - STT_S) * 1000)
    cut_nominal = FIRST_TOKEN_S + (seen - 1) / TPS
    chat = [
        (c["writes"][seen] - c["t"] - cut_nominal) * 1000
        for c in providers.get("chat", [])
        if len(c["writes"]) > seen
    ]
    speech = [
        (s["writes"][0] - s["t"] - TTS_S) * 1000 for s in providers.get("speech", []) if s["writes"]
    ]
    return {
        "stt_final": summary(stt),
        "llm_cut_token": summary(chat),
        "tts_first_audio": summary(speech),
    }


PRODUCT_HOPS = (
    ("client_eos", "speech_stopped"),
    ("transcript_completed", "chat_request"),
    ("cut_token", "speech_request"),
    ("speech_first_audio", "client_first_audio"),
)


async def steady_cpu(pid: int, start: float, end: float, profile: Path | None) -> list[float]:
    """The server's CPU seconds and the wall seconds from ``start`` to ``end`` (seconds
    from now): every call connected and streaming. With ``profile``, py-spy records it."""
    await asyncio.sleep(start)
    before, began = cpu_seconds(pid), time.time()
    profiler = None
    if profile is not None:
        seconds = str(max(1, int(end - start)))
        command = [str(BIN / "py-spy"), "record", "--format", "raw", "--nonblocking"]
        command += ["--rate", "250", "--duration", seconds, "--output", str(profile)]
        profiler = subprocess.Popen(
            [*command, "--pid", str(pid)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    await asyncio.sleep(end - start)
    window = [cpu_seconds(pid) - before, time.time() - began]
    if profiler is not None:
        await asyncio.to_thread(profiler.wait, 60)
    return window


async def run_calls(
    url: str, options: argparse.Namespace, calls: int, pid: int, concurrent: bool
) -> tuple[list, list[float] | None]:
    period = options.period
    if concurrent:
        turns = options.load_turns
        stagger = period / 1000 / max(1, calls)
        audio_s = (FIRST_AT_MS + turns * period) / 1000
        # From every call streaming (the last starts after calls × stagger; connecting
        # takes well under a second) to the first call's last frame, a moment inside each.
        window = asyncio.ensure_future(
            steady_cpu(pid, calls * stagger + 2, audio_s - 0.5, options.profile)
        )
        results = await asyncio.gather(
            *(one_call(url, turns, period, SPEECH_MS, i * stagger) for i in range(calls))
        )
        return list(results), await window
    turns = options.turns
    return [await one_call(url, turns, period, SPEECH_MS, 0) for _ in range(calls)], None


def measure(options: argparse.Namespace, work: Path, *, sequential: bool, calls: int) -> dict:
    concurrent = calls > options.calls
    turns = options.load_turns if concurrent else options.turns
    with fake_providers(work, options, turns) as (urls, stats_path):
        env = product_env(work, urls["realtime"], OPENAI_BASE_URL=urls["base"])
        app = "bench.sequential_asgi:application" if sequential else "voiceagent.asgi:application"
        with product_server(env, app=app) as (server, port):
            url = f"ws://127.0.0.1:{port}/ws/calls/front-desk/"
            started = time.time()
            cpu_before = cpu_seconds(server.pid)
            bench_cpu = time.process_time()
            results, steady = asyncio.run(run_calls(url, options, calls, server.pid, concurrent))
            cpu = cpu_seconds(server.pid) - cpu_before
            seconds = time.time() - started
            bench_cpu = time.process_time() - bench_cpu
    providers = json.loads(stats_path.read_text()) if stats_path.exists() else {}
    pairs = [
        (eos, audio)
        for call in results
        for eos, audio in zip(call["eos"], call["first_audio"], strict=True)
        if eos is not None and audio is not None
    ]
    latency = [(audio - eos) * 1000 for eos, audio in pairs]
    sentence, seen = first_sentence_tokens(options.reply)
    provider_ms = (STT_S + FIRST_TOKEN_S + (sentence - 1) / TPS + TTS_S) * 1000
    lookahead_ms = (seen - sentence) / TPS * 1000
    report: dict = {
        "mode": "sequential" if sequential else "streaming",
        "calls": calls,
        "turns_per_call": turns,
        "concurrent": concurrent,
        "turns_measured": len(latency),
        "turns_without_audio": sum(c["first_audio"].count(None) for c in results),
        "replies_per_turn": sorted({n for c in results for n in c["replies"]}),
        "eos_to_first_audio_ms": summary(latency),
        # A call's first turn opens its HTTP connections to the chat and speech services.
        "first_turn_of_a_call_ms": summary(
            [(c["first_audio"][0] - c["eos"][0]) * 1000 for c in results if c["first_audio"][0]]
        ),
        "provider_ms": round(provider_ms, 1),
        "overhead_ms": summary([value - provider_ms for value in latency]),
        # The splitter's look-ahead (tokens after the sentence's last, at the fake's pace).
        "lookahead_ms": round(lookahead_ms, 1),
        "overhead_without_lookahead_ms": summary(
            [value - provider_ms - lookahead_ms for value in latency]
        ),
        "fake_violations": providers.get("violations"),
        "fakes_cpu_s": round(providers.get("cpu_seconds", 0.0), 1),
        "bench_client_cpu_s": round(bench_cpu, 1),
        "server_cpu_s": round(cpu, 2),
        "wall_s": round(seconds, 1),
    }
    if providers:
        report["fake_lateness_ms"] = fake_lateness(providers, sentence, seen)
    if not concurrent and providers:
        report["stages_ms"] = stage_breakdown(pairs, providers, sentence, seen)
    if steady is not None:
        steady_cpu_s, steady_s = steady
        report["steady_window_s"] = round(steady_s, 1)
        report["steady_server_cpu_s"] = round(steady_cpu_s, 2)
        report["cpu_s_per_call_minute"] = round(steady_cpu_s / (calls * steady_s / 60), 3)
        # The whole run: call set-up and ending included, over the calls' whole length.
        report["cpu_s_per_call_minute_whole_run"] = round(cpu / (calls * seconds / 60), 3)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=5, help="calls one after the other")
    parser.add_argument("--turns", type=int, default=10, help="turns per call")
    parser.add_argument("--period", type=int, default=3000, help="ms of audio per turn")
    parser.add_argument("--sequential", action="store_true", help="also the seed's design")
    parser.add_argument("--load-calls", type=int, default=0, help="concurrent calls for CPU")
    parser.add_argument("--load-turns", type=int, default=8, help="turns per concurrent call")
    parser.add_argument("--reply", default=REPLY, help="what the LLM answers every turn")
    parser.add_argument("--profile", type=Path, help="py-spy raw stacks of the 40-call window")
    options = parser.parse_args()
    sentence, seen = first_sentence_tokens(options.reply)
    report: dict = {
        "benchmark": "cascade_latency",
        "machine": machine(),
        "load_average_at_start": os.getloadavg(),
        "fakes": {
            "stt_final_after_speech_stopped_ms": STT_S * 1000,
            "llm_first_token_ms": FIRST_TOKEN_S * 1000,
            "llm_tokens_per_second": TPS,
            "tts_first_audio_ms": TTS_S * 1000,
            "reply": options.reply,
            "first_sentence_tokens": sentence,
            "tokens_seen_before_the_cut": seen,
        },
        "frame_ms": FRAME_MS,
        "vad_silence_ms": SILENCE_MS,
        "runs": [],
    }
    with tempfile.TemporaryDirectory(prefix="cbench-", dir="/tmp") as folder:
        work = Path(folder)
        env = product_env(work, "ws://127.0.0.1:9/v1/realtime")
        prepare_product(env)
        silence = manage(
            env,
            "shell",
            "-c",
            "from agents.models import Agent; Agent.objects.update(engine='cascade'); "
            "print(Agent.objects.get(public_id='front-desk').vad_silence_duration_ms)",
        )
        if int(silence.strip().splitlines()[-1]) != SILENCE_MS:
            raise SystemExit(f"the demo agent's VAD silence is {silence.strip()}, not 500 ms")
        modes = [False, True] if options.sequential else [False]
        for sequential in modes:
            report["runs"].append(
                measure(options, work, sequential=sequential, calls=options.calls)
            )
        if options.load_calls:
            report["runs"].append(
                measure(options, work, sequential=False, calls=options.load_calls)
            )
    report["load_average_at_end"] = os.getloadavg()
    print(json.dumps(report))
    print(
        f"end of caller speech → first agent audio (provider time {report['runs'][0]['provider_ms']} ms)",
        file=sys.stderr,
    )
    for run in report["runs"]:
        stats, overhead = run["eos_to_first_audio_ms"], run["overhead_ms"]
        print(
            f"  {run['mode']:<10} {run['calls']:>3} calls  n={stats['n']:<4} p50 {stats['p50']}  "
            f"p95 {stats['p95']}  max {stats['max']} ms; overhead p50 {overhead['p50']} "
            f"p95 {overhead['p95']} ms; server CPU {run['server_cpu_s']} s"
            + (
                f", {run['cpu_s_per_call_minute']} s/call-min"
                if "cpu_s_per_call_minute" in run
                else ""
            ),
            file=sys.stderr,
        )
        late = run.get("fake_lateness_ms") or {}
        if late:
            print(
                "      fakes late by p50/p95 (ms): "
                + ", ".join(f"{k} {v['p50']}/{v['p95']}" for k, v in late.items()),
                file=sys.stderr,
            )
        for stage, values in (run.get("stages_ms") or {}).items():
            print(
                f"      {stage:<45} p50 {values['p50']:>8}  p95 {values['p95']:>8}", file=sys.stderr
            )


if __name__ == "__main__":
    main()
