"""Phone calls against a real server process, from the phone network's side: the
simulator (``simulator.py``) speaks Twilio's or Plivo's framing over a real WebSocket,
sends espeak-ng speech in real time and plays the agent's audio in real time; the
server's upstream is the fake Realtime server, in this process.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest

from calls.realtime.audio import connection_beep
from calls.telephony.tests.phone_framing import FRAMINGS
from calls.telephony.tests.simulator import PhoneSimulator, espeak_available, spoken_ulaw
from calls.tests.fake_openai import FakeConnection, FakeRealtimeServer
from voiceagent.tests.server_process import ServerProcess, free_port, start_server

NEEDS_ESPEAK = "espeak-ng is installed by .ci/run (apt-get install espeak-ng)"

pytestmark = [
    pytest.mark.embedded_pass_only,  # its own server, with its own database
    pytest.mark.skipif(
        not espeak_available() and not os.environ.get("VOICEAGENT_REQUIRE_SERVICES"),
        reason=NEEDS_ESPEAK,
    ),
]

AUTH_TOKENS = {"twilio": "sim-twilio-token-not-real", "plivo": "sim-plivo-token-not-real"}
CHUNK_BYTES = 800  # the fake upstream's audio deltas: 100 ms of μ-law


@dataclass
class PhoneServer:
    process: ServerProcess
    upstream_port: int

    def call_log(self, provider_call_id: str) -> dict[str, str]:
        database = sqlite3.connect(self.process.data_dir / "db.sqlite3")
        try:
            database.row_factory = sqlite3.Row
            row = database.execute(
                "SELECT channel, status, end_reason, caller_number, provider_call_id"
                " FROM calls_calllog WHERE provider_call_id = ?",
                [provider_call_id],
            ).fetchone()
        finally:
            database.close()
        return dict(row) if row is not None else {}

    async def ended(self, provider_call_id: str, timeout: float = 15) -> dict[str, str]:
        async with asyncio.timeout(timeout):
            while not (call := self.call_log(provider_call_id)).get("end_reason"):
                await asyncio.sleep(0.1)
        return call


@pytest.fixture(scope="module")
def speech() -> dict[str, bytes]:
    assert espeak_available(), NEEDS_ESPEAK
    greeting = spoken_ulaw("Hello, this is the front desk.")
    return {
        "greeting": greeting,
        # What the caller hears first: the demo agent's connection beep, then the greeting.
        "opening": connection_beep(8000, 1) + greeting,
        "answer": spoken_ulaw("We are open from nine in the morning until six in the evening."),
        "caller": spoken_ulaw("I would like to book a table for two."),
    }


@pytest.fixture(scope="module")
def phone_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PhoneServer]:
    upstream_port, port = free_port(), free_port()
    process = start_server(
        tmp_path_factory.mktemp("phone-server"),
        port=port,
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        TWILIO_AUTH_TOKEN=AUTH_TOKENS["twilio"],
        PLIVO_AUTH_TOKEN=AUTH_TOKENS["plivo"],
        VOICEAGENT_ENGINE="openai",
        OPENAI_API_KEY="sk-test-not-a-real-key",
        OPENAI_REALTIME_URL=f"ws://127.0.0.1:{upstream_port}/v1/realtime",
        OPENAI_BASE_URL="http://127.0.0.1:9/v1",  # nothing leaves loopback
        SUMMARY_MODEL="extractive",
        CALL_RATE_LIMIT_PER_MINUTE="100000",
    )
    try:
        yield PhoneServer(process, upstream_port)
    finally:
        process.stop()


@pytest.fixture
async def realtime(
    phone_server: PhoneServer, speech: dict[str, bytes]
) -> AsyncIterator[FakeRealtimeServer]:
    server = FakeRealtimeServer()
    server.greeting_chunks = chunks(speech["greeting"])
    await server.start(port=phone_server.upstream_port)
    yield server
    await server.stop()
    assert server.violations == [], server.violations


def chunks(audio: bytes) -> list[bytes]:
    return [audio[i : i + CHUNK_BYTES] for i in range(0, len(audio), CHUNK_BYTES)]


def simulator(provider: str, server: PhoneServer) -> tuple[PhoneSimulator, str]:
    call_id = ("CA" + uuid.uuid4().hex) if provider == "twilio" else str(uuid.uuid4())
    stream_id = ("MZ" + uuid.uuid4().hex) if provider == "twilio" else str(uuid.uuid4())
    framing = FRAMINGS[provider](AUTH_TOKENS[provider], call_id, stream_id)
    return PhoneSimulator(framing, base_url=server.process.base_url), call_id


async def greeted(phone: PhoneSimulator, opening: bytes) -> None:
    """The call is up and its opening (beep, greeting) has been heard to the end (every
    mark played)."""
    await phone.dial()
    await phone.until(lambda: len(phone.agent_audio) == len(opening))
    await phone.until(lambda: len(phone.acknowledged) == len(phone.of("mark")))
    assert bytes(phone.agent_audio) == opening
    assert phone.played_bytes == len(opening)


def appended(upstream: FakeConnection) -> bytes:
    events = upstream.of_type("input_audio_buffer.append")
    return b"".join(base64.b64decode(event["audio"]) for event in events)


@pytest.mark.parametrize(("provider", "stop_frame"), [("twilio", True), ("plivo", False)])
async def test_audio_is_relayed_byte_for_byte_in_real_time(
    phone_server: PhoneServer,
    realtime: FakeRealtimeServer,
    speech: dict[str, bytes],
    provider: str,
    stop_frame: bool,
) -> None:
    phone, call_id = simulator(provider, phone_server)
    try:
        await greeted(phone, speech["opening"])
        upstream = await realtime.connection()
        assert upstream.session["audio"]["input"]["format"] == {"type": "audio/pcmu"}

        # The caller speaks, presses a key midway (the model hears of it once the entry
        # ends, after a pause), and speaks on.
        half = len(speech["caller"]) // 2 // 160 * 160
        await phone.say(speech["caller"][:half])
        await phone.press("5")
        await phone.say(speech["caller"][half:])
        sent = bytes(phone.caller_audio)
        await phone.until(lambda: len(appended(upstream)) >= len(sent))
        assert appended(upstream) == sent  # every frame, in order, untouched

        def keypad_told() -> bool:
            """The model was told of the key, then asked to answer (the greeting may have
            come from the cache, with no response asked for)."""
            kinds = [e["type"] for e in upstream.received]
            told = [
                i
                for i, e in enumerate(upstream.received)
                if e["type"] == "conversation.item.create"
                and "pressed 5" in json.dumps(e["item"].get("content", []))
            ]
            return bool(told) and "response.create" in kinds[told[0] :]

        await phone.until(keypad_told, timeout=10)

        # The agent answers: every byte arrives, is played, and its marks acknowledged.
        await upstream.speak("We are open.", chunks(speech["answer"]))
        total = len(speech["opening"]) + len(speech["answer"])
        await phone.until(lambda: len(phone.agent_audio) == total)
        assert bytes(phone.agent_audio) == speech["opening"] + speech["answer"]
        await phone.until(lambda: phone.played_bytes == total, timeout=15)
        await phone.until(lambda: len(phone.acknowledged) == len(phone.of("mark")))
    finally:
        # Twilio says stop; Plivo may just close the socket. Both are the caller hanging up.
        await phone.hang_up(stop_frame=stop_frame)
    call = await phone_server.ended(call_id)
    assert (call["channel"], call["status"], call["end_reason"]) == (
        provider,
        "completed",
        "caller_hung_up",
    )
    assert call["caller_number"] == "+15551230001"


@pytest.mark.parametrize("provider", ["twilio", "plivo"])
async def test_barge_in_clears_the_line_and_truncates_at_what_was_heard(
    phone_server: PhoneServer, realtime: FakeRealtimeServer, speech: dict[str, bytes], provider: str
) -> None:
    phone, call_id = simulator(provider, phone_server)
    try:
        await greeted(phone, speech["opening"])
        greeting_marks = len(phone.of("mark"))
        upstream = await realtime.connection()
        response_id, item_id = await upstream.speak(
            "We are open.", chunks(speech["answer"]), finish=False
        )
        # The whole answer is buffered at the phone network; let part of it play.
        await phone.until(lambda: phone.played_ms >= len(speech["opening"]) / 8 + 700)
        await upstream.emit("input_audio_buffer.speech_started", audio_start_ms=0, item_id="u1")
        await phone.until(lambda: bool(phone.of("clear")))
        clear = phone.of("clear")[0]
        heard_ms = (clear.played - len(speech["opening"])) / 8  # of the answer, at the clear
        truncate = (await upstream.wait_for("conversation.item.truncate"))[0]
        assert truncate["item_id"] == item_id
        # Never more than the caller actually heard; at most a chunk and a moment less.
        assert 0 < truncate["audio_end_ms"] <= heard_ms
        assert heard_ms - truncate["audio_end_ms"] < 100 + 150
        # The line was cleared: the rest of the answer was dropped, not played.
        assert clear.size > 0
        await asyncio.sleep(0.2)
        assert phone.played_bytes == clear.played
        assert len(speech["opening"]) + len(speech["answer"]) - phone.played_bytes >= clear.size
        answer_marks = len(phone.of("mark")) - greeting_marks
        assert 0 < len(phone.acknowledged) - greeting_marks < answer_marks
        await upstream.finish_response(response_id, [], status="cancelled")

        # The call goes on: the caller's words still reach upstream.
        before = len(appended(upstream))
        await phone.say(speech["caller"][:1600])
        await phone.until(lambda: len(appended(upstream)) >= before + 1600)
    finally:
        await phone.hang_up()
    assert (await phone_server.ended(call_id))["end_reason"] == "caller_hung_up"
