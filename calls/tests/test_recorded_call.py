"""Recorded calls through the real consumer: the notice before the greeting, and a stereo
WAV with the caller left and the agent right at the times they were heard."""

from __future__ import annotations

import asyncio
import base64
import wave
from pathlib import Path

import numpy as np
import pytest
from pytest_django import Settings

from agents.models import Agent
from calls.models import CallLog
from calls.recordings import recordings_wait_idle
from calls.tests.conftest import CallClient
from calls.tests.fake_openai import FakeRealtimeServer

pytestmark = pytest.mark.django_db(transaction=True)

RATE = 24_000
FRAME_MS = 50


def tone(ms: int, *, rate: int = RATE, hz: float = 440.0) -> bytes:
    t = np.arange(ms * rate // 1000) / rate
    return (0.4 * 32767 * np.sin(2 * np.pi * hz * t)).astype("<i2").tobytes()


def silence(ms: int, *, rate: int = RATE) -> bytes:
    return bytes(ms * rate // 1000 * 2)


async def stored_recording(call_id: str, timeout: float = 10) -> CallLog:
    """The call once its recording is stored (after `ended`, from a thread of its own)."""
    async with asyncio.timeout(timeout):
        while not (call := await CallLog.objects.aget(pk=call_id)).recording:
            await asyncio.sleep(0.05)
    assert await asyncio.to_thread(recordings_wait_idle)
    return call


def read_stereo(path: str) -> tuple[int, np.ndarray]:
    with wave.open(path, "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (2, 2)
        frames = wav.readframes(wav.getnframes())
        return wav.getframerate(), np.frombuffer(frames, dtype="<i2").reshape(-1, 2)


class Channels:
    """Energy per channel per window of the recording, by seconds from the call's start."""

    def __init__(self, rate: int, frames: np.ndarray) -> None:
        self.rate, self.frames = rate, frames

    def loud(self, channel: int, start: float, end: float) -> bool:
        part = self.frames[int(start * self.rate) : int(end * self.rate), channel]
        assert part.size, (start, end, len(self.frames))
        return bool(np.sqrt(np.mean(part.astype(np.float64) ** 2)) > 1000)

    def quiet(self, channel: int, start: float, end: float) -> bool:
        part = self.frames[int(start * self.rate) : int(end * self.rate), channel]
        assert part.size, (start, end, len(self.frames))
        return bool(np.abs(part).max() < 50)


CALLER, AGENT = 0, 1


async def test_a_recorded_web_call_has_each_side_in_its_channel_at_its_time(
    agent: Agent, fake: FakeRealtimeServer
) -> None:
    agent.record_calls = True
    await agent.asave()
    fake.greeting_chunks = [tone(100) for _ in range(3)]  # 300 ms
    loop = asyncio.get_running_loop()
    client = CallClient()
    assert await client.connect()
    ready = await client.until("ready")
    started = loop.time()  # the recording's origin, give or take the ready message's trip
    upstream = await fake.connection()

    # 3.5 s of caller audio in real time: silence, a tone from frame 20 to 29, silence.
    # At frame 40 the agent answers with 2 s of audio (sent at once); at frame 48 the
    # widget reports 300 ms of it played and the caller speaks over it.
    sent_at: dict[int, float] = {}
    response_id = item_id = ""
    for index in range(70):
        frame = tone(FRAME_MS, hz=300) if 20 <= index < 30 else silence(FRAME_MS)
        sent_at[index] = loop.time() - started
        await client.send(type="audio", audio=base64.b64encode(frame).decode())
        if index == 40:
            spoke_at = loop.time() - started
            response_id, item_id = await upstream.speak(
                "A long answer.", [tone(FRAME_MS) for _ in range(40)], finish=False
            )
        if index == 48:
            await client.send(type="playback", item_id=item_id, played_ms=300)
            await asyncio.sleep(0.01)
            await upstream.emit(
                "input_audio_buffer.speech_started", audio_start_ms=2400, item_id="item_u"
            )
            truncate = (await upstream.wait_for("conversation.item.truncate"))[0]
            await upstream.finish_response(response_id, [], status="cancelled")
        await asyncio.sleep(max(0.0, started + (index + 1) * FRAME_MS / 1000 - loop.time()))
    await client.send(type="end")
    await client.until("ended")
    await client.close()

    # The notice came first, in the greeting the model was asked to say.
    instructions = upstream.of_type("response.create")[0]["response"]["instructions"]
    assert f'"This call may be recorded. {agent.greeting}"' in instructions

    call = await stored_recording(ready["call_id"])
    name = call.recording.name or ""
    assert name.startswith("recordings/") and name.endswith(f"{call.pk}.wav")
    rate, frames = await asyncio.to_thread(read_stereo, call.recording.path)
    assert rate == RATE
    assert abs(len(frames) / RATE - (loop.time() - started)) < 0.5
    audio = Channels(rate, frames)

    # The caller's tone, left only, where it was sent (frames are contiguous from the
    # first one, which was placed where it arrived).
    burst = sent_at[0] + 20 * FRAME_MS / 1000
    assert audio.loud(CALLER, burst + 0.05, burst + 0.45)
    assert audio.quiet(CALLER, 0.05, burst - 0.1)
    assert audio.quiet(CALLER, burst + 0.6, len(frames) / RATE - 0.05)
    assert audio.quiet(AGENT, burst, burst + 0.5)

    # The greeting, right only, from the start.
    assert audio.loud(AGENT, 0.05, 0.25) and audio.quiet(CALLER, 0.0, 0.25)
    # The answer: heard from when it was sent up to the barge-in (300 ms and the few ms
    # between the report and the truncation), silent after, though 2 s were sent.
    heard = truncate["audio_end_ms"] / 1000
    assert 0.3 <= heard < 0.4
    assert audio.loud(AGENT, spoke_at + 0.05, spoke_at + heard - 0.05)
    assert audio.quiet(AGENT, spoke_at + heard + 0.05, spoke_at + 2.0)
    assert audio.quiet(CALLER, spoke_at, spoke_at + 1.0)


def _speech(ms: int) -> str:
    return base64.b64encode(tone(ms, hz=300)).decode()


async def test_offline_engine_says_the_notice_and_records(agent: Agent, settings: Settings) -> None:
    settings.VOICEAGENT_ENGINE = "offline"
    settings.OPENAI_API_KEY = ""
    agent.record_calls = True
    agent.recording_notice = "This call is recorded for training."
    await agent.asave()
    client = CallClient()
    assert await client.connect()
    ready = await client.until("ready")
    greeting = await client.until("transcript", role="assistant", final=True, timeout=10)
    assert greeting["text"] == f"This call is recorded for training. {agent.greeting}"
    await client.until("response_done", timeout=10)
    await client.send(type="end")
    await client.until("ended", timeout=10)
    await client.close()
    call = await stored_recording(ready["call_id"])
    rate, frames = await asyncio.to_thread(read_stereo, call.recording.path)
    assert rate == RATE and len(frames) > 0
    # The greeting was sent faster than real time; the call ended before it played out:
    # only what played by then is in the recording, on the agent's side.
    assert Channels(rate, frames).quiet(CALLER, 0, len(frames) / rate)


async def test_calls_of_agents_that_do_not_record_have_no_recording_or_notice(
    agent: Agent, fake: FakeRealtimeServer, settings: Settings
) -> None:
    client = CallClient()
    assert await client.connect()
    ready = await client.until("ready")
    await client.until("response_done")
    await client.send(type="audio", audio=_speech(FRAME_MS))
    await client.send(type="end")
    await client.until("ended")
    await client.close()
    upstream = await fake.connection()
    instructions = upstream.of_type("response.create")[0]["response"]["instructions"]
    assert "recorded" not in instructions
    assert await asyncio.to_thread(recordings_wait_idle)
    call = await CallLog.objects.aget(pk=ready["call_id"])
    assert not call.recording
    assert not (Path(settings.MEDIA_ROOT) / "recordings").exists()


async def test_a_recording_that_cannot_be_stored_loses_nothing_else(
    agent: Agent, fake: FakeRealtimeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.files.storage import FileSystemStorage

    def full_disk(self: FileSystemStorage, name: str, content: object) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", full_disk)
    agent.record_calls = True
    await agent.asave()
    client = CallClient()
    assert await client.connect()
    ready = await client.until("ready")
    await client.until("response_done")
    await client.send(type="text", text="Hello there")
    await client.until("transcript", role="user", final=True)
    await client.send(type="end")
    await client.until("ended")
    await client.close()
    assert await asyncio.to_thread(recordings_wait_idle)
    call = await CallLog.objects.aget(pk=ready["call_id"])
    assert (call.status, call.end_reason) == ("completed", "client_ended")
    assert not call.recording
    texts = [t async for t in call.turns.order_by("seq").values_list("text", flat=True)]
    assert "Hello there" in texts
