"""The cascade's three providers as loopback fakes, in a process of their own (so that
they do not compete with the benchmark's clients on one event loop), for
``bench/cascade_latency.py``.

The fakes are the tests' own (``calls/tests/fake_cascade/``: the real wire formats,
checked against the providers' packages), with fixed latencies: the final transcript
``--stt`` seconds after ``speech_stopped``, the LLM's first token ``--first-token`` seconds
after the request and then ``--tps`` tokens a second, the speech's first audio
``--tts`` seconds after the request. Every caller says the same turns (one every
``--period`` ms of audio from ``--first-at`` ms, ``--speech`` ms long), and the LLM always
answers ``--reply`` (default ``REPLY``).

Each provider-side moment is recorded with its wall-clock time (``time.time()``; the
benchmark compares it with its own on the same machine): ``speech_stopped`` and the final
transcript sent, each chat request received and each of its chunks written, each speech
request received and its first audio written. On SIGTERM they are written as JSON, with
the violations the fakes found, to the first argument; the URLs go to the second once
the fakes listen.

Run: python bench/fake_cascade_providers.py STATS.json URLS.json [--stt 0.15 ...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

STT_DONE = "conversation.item.input_audio_transcription.completed"
REPLY = "We are open from nine to five. Is there anything else I can do for you?"


class _Discard(list):
    """What the transcription fake received: not kept (40 calls, 20 frames a second)."""

    def append(self, item: Any) -> None:
        return


def _instrument(stats: dict[str, list]) -> None:
    from calls.tests.fake_cascade import loopback
    from calls.tests.fake_cascade.chat import FakeChat
    from calls.tests.fake_cascade.speech import FakeOpenAISpeech
    from calls.tests.fake_cascade.transcription import TranscriptionConnection

    init, emit = TranscriptionConnection.__init__, TranscriptionConnection.emit

    def connection_init(self: Any, server: Any, websocket: Any) -> None:
        init(self, server, websocket)
        self.received = _Discard()

    async def timed_emit(self: Any, kind: str, **fields: Any) -> None:
        await emit(self, kind, **fields)
        if kind in ("input_audio_buffer.speech_stopped", STT_DONE):
            stats["stt"].append([time.time(), kind, id(self), fields.get("item_id")])

    TranscriptionConnection.__init__ = connection_init  # type: ignore[method-assign]
    TranscriptionConnection.emit = timed_emit  # type: ignore[method-assign]

    write = loopback.Exchange.write

    def timed_write(self: Any, data: bytes) -> bool:
        sent = write(self, data)
        record = getattr(self, "bench_record", None)
        if record is not None and sent:
            record["writes"].append(time.time())
        return sent

    loopback.Exchange.write = timed_write  # type: ignore[method-assign]
    chat, speech = FakeChat.chat, FakeOpenAISpeech.speech

    def timed_chat(self: Any, exchange: Any) -> None:
        exchange.bench_record = {"t": time.time(), "writes": []}
        stats["chat"].append(exchange.bench_record)
        chat(self, exchange)

    def timed_speech(self: Any, exchange: Any) -> None:
        exchange.bench_record = {"t": time.time(), "writes": [], "text": ""}
        stats["speech"].append(exchange.bench_record)
        body = json.loads(exchange.body or b"{}")
        exchange.bench_record["text"] = body.get("input", "") if isinstance(body, dict) else ""
        speech(self, exchange)

    FakeChat.chat = timed_chat  # type: ignore[method-assign]
    FakeOpenAISpeech.speech = timed_speech  # type: ignore[method-assign]


async def main(options: argparse.Namespace) -> None:
    from calls.tests.fake_cascade.chat import FakeChat, Reply
    from calls.tests.fake_cascade.speech import FakeOpenAISpeech
    from calls.tests.fake_cascade.transcription import FakeTranscriptionServer

    stats: dict[str, list] = {"stt": [], "chat": [], "speech": []}
    _instrument(stats)
    stt = FakeTranscriptionServer()
    stt.transcript_latency = options.stt
    for turn in range(options.turns):
        at_ms = options.first_at + turn * options.period
        stt.say("when are you open on monday", at_ms=at_ms, speech_ms=options.speech)
    chat, speech = FakeChat(), FakeOpenAISpeech()
    chat.first_token_latency, chat.tokens_per_second = options.first_token, options.tps
    chat.script = lambda body: Reply(text=options.reply)
    speech.first_byte_latency = options.tts
    chat.mount(speech)
    await stt.start()
    Path(options.urls).write_text(json.dumps({"realtime": stt.url, "base": chat.url}))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    violations = stt.violations + chat.violations + speech.violations
    report = {**stats, "violations": violations[:20], "cpu_seconds": time.process_time()}
    Path(options.stats).write_text(json.dumps(report))
    await stt.stop()
    chat.stop()
    speech.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("stats")
    parser.add_argument("urls")
    parser.add_argument("--stt", type=float, default=0.15)
    parser.add_argument("--first-token", type=float, default=0.3)
    parser.add_argument("--tps", type=float, default=30.0)
    parser.add_argument("--tts", type=float, default=0.15)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--first-at", type=int, default=500)
    parser.add_argument("--period", type=int, default=3000)
    parser.add_argument("--speech", type=int, default=800)
    parser.add_argument("--reply", default=REPLY)
    asyncio.run(main(parser.parse_args()))
