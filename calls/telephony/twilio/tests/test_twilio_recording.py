"""A recorded Twilio call: μ-law both ways, decoded into an 8 kHz stereo WAV."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from calls.models import CallLog
from calls.realtime.audio import pcm16_to_ulaw
from calls.telephony.twilio.tests.test_twilio import (
    TwilioStream,
    _hang_up,
    _token,
    streams_closed,
    twilio_settings,
)
from calls.tests.fake_openai import FakeRealtimeServer
from calls.tests.test_recorded_call import Channels, read_stereo, stored_recording, tone

pytestmark = pytest.mark.django_db(transaction=True)

__all__ = ["streams_closed", "twilio_settings"]  # fixtures this module uses

PHONE_RATE = 8000
FRAME_MS = 20  # what Twilio sends
CALLER, AGENT = 0, 1


def ulaw_tone(ms: int, hz: float = 440.0) -> bytes:
    return pcm16_to_ulaw(tone(ms, rate=PHONE_RATE, hz=hz))


async def test_a_recorded_phone_call_is_decoded_and_placed_in_time(
    agent: Any, twilio_settings: Any, fake: FakeRealtimeServer
) -> None:
    agent.record_calls = True
    await agent.asave()
    fake.greeting_chunks = [ulaw_tone(100) for _ in range(3)]
    loop = asyncio.get_running_loop()
    stream = TwilioStream()
    assert await stream.open(await _token())
    await stream.until("media")  # the greeting: the call is up
    started = loop.time()
    upstream = await fake.connection()

    silent = b"\xff" * (FRAME_MS * PHONE_RATE // 1000)  # μ-law silence
    sent_at: dict[int, float] = {}
    for index in range(125):  # 2.5 s in 20 ms frames; a tone from frame 25 to 49
        frame = ulaw_tone(FRAME_MS, hz=300) if 25 <= index < 50 else silent
        sent_at[index] = loop.time()
        await stream.media(frame, chunk=index)
        if index == 75:
            spoke_at = loop.time()
            await upstream.speak("Sure.", [ulaw_tone(50) for _ in range(10)])
        await asyncio.sleep(max(0.0, started + (index + 1) * FRAME_MS / 1000 - loop.time()))
    await _hang_up(stream)

    call = await CallLog.objects.aget()
    assert call.end_reason == "caller_hung_up"
    call = await stored_recording(str(call.pk))
    rate, frames = await asyncio.to_thread(read_stereo, call.recording.path)
    assert rate == PHONE_RATE
    audio = Channels(rate, frames)
    # The recording's origin is when the call became ready, a few ms before the greeting
    # reached this test (``started``): the windows leave room for that.
    assert audio.loud(AGENT, 0.02, 0.25)  # the greeting
    burst = sent_at[25] - started
    assert audio.loud(CALLER, burst + 0.05, burst + 0.45)
    assert audio.quiet(AGENT, burst + 0.05, burst + 0.45)
    assert audio.quiet(CALLER, 0.05, burst - 0.1)
    answer = spoke_at - started
    assert audio.loud(AGENT, answer + 0.05, answer + 0.45)
    assert audio.quiet(CALLER, answer, answer + 0.45)
    assert audio.quiet(AGENT, answer + 0.6, len(frames) / rate)
