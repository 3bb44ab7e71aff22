"""What recording a call costs: per frame on the event loop, and per second of audio in the
writer thread.

Per frame: ``CallRecorder.caller_audio`` / ``agent_audio`` (what the session adds to each
caller frame and each agent chunk when the agent records calls), for web frames (50 ms of
PCM16 24 kHz) and Twilio frames (20 ms of μ-law 8 kHz). In the thread: ``WavSpool.write``
of 2 s runs (base64 decode, μ-law decode, read-modify-write of the stereo frames).

    python bench/recording_overhead.py [--frames 20000]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from calls.realtime.recording import CallRecorder
from calls.realtime.wav import AGENT, CALLER, WavSpool

FORMATS = {
    # name: (sample rate, bytes per sample, frame ms)
    "web": (24_000, 2, 50),
    "twilio": (8_000, 1, 20),
}


REPEATS = 7  # the best of: a shared machine's noise only ever adds


def per_frame_ns(name: str, frames: int) -> dict[str, int]:
    rate, width, frame_ms = FORMATS[name]
    size = rate * frame_ms // 1000 * width
    audio = base64.b64encode(os.urandom(size)).decode()
    step = frame_ms / 1000
    results = {}
    for side in ("caller", "agent"):
        best = float("inf")
        for _ in range(REPEATS):
            recorder = CallRecorder(
                call_id="bench", sample_rate=rate, bytes_per_sample=width, started_at=0
            )
            # Runs are dropped instead of queued for a writer task (there is no event loop
            # here): what is measured is what the call's own coroutine pays per frame.
            recorder._send = lambda job: None  # type: ignore[method-assign]
            start = time.perf_counter_ns()
            if side == "caller":
                for index in range(frames):
                    recorder.caller_audio(audio, size, index * step)
            else:
                for index in range(frames):
                    recorder.agent_audio("item", audio, size, index * step)
            best = min(best, (time.perf_counter_ns() - start) / frames)
        results[side] = round(best)
    return results


def writer_ms_per_audio_second(name: str, seconds: int = 60) -> float:
    rate, width, frame_ms = FORMATS[name]
    size = rate * frame_ms // 1000 * width
    per_run = 2000 // frame_ms
    chunks = [base64.b64encode(os.urandom(size)).decode() for _ in range(per_run)]
    best = float("inf")
    for _ in range(REPEATS):
        spool = WavSpool(sample_rate=rate, ulaw=width == 1)
        start = time.perf_counter()
        for run in range(seconds // 2):
            spool.write(CALLER, run * 2 * rate, chunks)
            spool.write(AGENT, run * 2 * rate, chunks)
        best = min(best, time.perf_counter() - start)
        spool.close()
    return best * 1000 / seconds  # both channels, per second of call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=20_000)
    args = parser.parse_args()
    report = {}
    for name in FORMATS:
        frame = per_frame_ns(name, args.frames)
        writer = round(writer_ms_per_audio_second(name), 3)
        report[name] = {"per_frame_ns": frame, "writer_ms_per_call_second": writer}
        print(
            f"{name:7} caller frame {frame['caller']:6d} ns   agent chunk "
            f"{frame['agent']:6d} ns   writer {writer:.3f} ms per second of call (both channels)",
            file=sys.stderr,
        )
    print(json.dumps(report))


if __name__ == "__main__":
    main()
