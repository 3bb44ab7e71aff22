"""The recording with a fake clock: where each chunk goes, cuts, and the WAV it makes."""

from __future__ import annotations

import base64
import wave
from pathlib import Path
from typing import BinaryIO

import numpy as np

from calls.realtime.audio import pcm16_to_ulaw
from calls.realtime.recording import CallRecorder, RecordingSetup, RecordingTimeline
from calls.realtime.wav import wav_header

RATE = 24_000
MS = RATE // 1000  # samples per millisecond


def test_caller_audio_is_contiguous_and_resumes_after_a_pause() -> None:
    timeline = RecordingTimeline(sample_rate=RATE, started_at=100.0)
    # The first frame (50 ms) arrives 1 s in: it was captured just before.
    assert timeline.caller(50 * MS, 101.0) == 950 * MS
    # Jitter: the next frames arrive bunched up, and follow on.
    assert timeline.caller(50 * MS, 101.02) == 1000 * MS
    assert timeline.caller(50 * MS, 101.03) == 1050 * MS
    # Nothing for two seconds (a muted microphone): the audio resumes where it arrives.
    assert timeline.caller(50 * MS, 103.2) == 3150 * MS
    # A frame a little late (under the tolerance) still follows on.
    assert timeline.caller(50 * MS, 103.6) == 3200 * MS


def test_the_first_caller_frame_is_placed_where_it_arrives_however_soon() -> None:
    timeline = RecordingTimeline(sample_rate=RATE, started_at=0.0)
    assert timeline.caller(50 * MS, 0.3) == 250 * MS
    timeline = RecordingTimeline(sample_rate=RATE, started_at=0.0)
    assert timeline.caller(50 * MS, 0.01) == 0


def test_agent_audio_queues_like_a_player_and_waits_when_it_runs_dry() -> None:
    timeline = RecordingTimeline(sample_rate=RATE, started_at=0.0)
    # Two seconds of audio sent within 20 ms: it plays from the first chunk on.
    starts = [timeline.agent("item_1", 100 * MS, 1.0 + i * 0.001) for i in range(20)]
    assert starts == [(1000 + 100 * i) * MS for i in range(20)]
    # The next item, sent while the first still plays, follows it.
    assert timeline.agent("item_2", 100 * MS, 1.5) == 3000 * MS
    # Sent after everything played: it starts when it arrives.
    assert timeline.agent("item_3", 100 * MS, 5.0) == 5000 * MS


def test_a_barge_in_silences_what_was_sent_after_the_heard_position() -> None:
    timeline = RecordingTimeline(sample_rate=RATE, started_at=0.0)
    for _ in range(20):  # 2 s from 1 s
        timeline.agent("item_1", 100 * MS, 1.0)
    assert timeline.cut("item_1", 700) == (1700 * MS, 3000 * MS)
    assert timeline.cut("item_1", 100) is None  # once
    # The answer to the barge-in starts when it arrives, not after the unheard audio.
    assert timeline.agent("item_2", 100 * MS, 2.5) == 2500 * MS


def test_a_cut_maps_the_heard_position_through_gaps_in_the_item() -> None:
    timeline = RecordingTimeline(sample_rate=RATE, started_at=0.0)
    timeline.agent("item_1", 500 * MS, 1.0)  # plays 1.0 to 1.5
    timeline.agent("item_1", 500 * MS, 2.0)  # the upstream was slow: plays 2.0 to 2.5
    assert timeline.cut("item_1", 700) == (2200 * MS, 2500 * MS)


def test_a_cut_of_audio_fully_heard_or_of_another_item_is_nothing() -> None:
    timeline = RecordingTimeline(sample_rate=RATE, started_at=0.0)
    timeline.agent("item_1", 500 * MS, 1.0)
    assert timeline.cut("item_0", 100) is None
    assert timeline.cut("item_1", 500) is None


def _tone(ms: int, *, rate: int = RATE, level: float = 0.5) -> bytes:
    t = np.arange(ms * rate // 1000) / rate
    return (level * 32767 * np.sin(2 * np.pi * 440 * t)).astype("<i2").tobytes()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _channels(handle: BinaryIO) -> tuple[int, np.ndarray]:
    with wave.open(handle, "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (2, 2)
        rate = wav.getframerate()
        frames = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").reshape(-1, 2)
    return rate, frames


def _loud(samples: np.ndarray) -> bool:
    return bool(np.sqrt(np.mean(samples.astype(np.float64) ** 2)) > 1000)


async def test_the_wav_has_the_caller_left_and_the_agent_right_where_they_were() -> None:
    recorder = CallRecorder(call_id="c", sample_rate=RATE, bytes_per_sample=2, started_at=0.0)
    recorder.agent_audio("greeting", _b64(_tone(500)), 500 * 2 * MS, 0.1)  # 0.1–0.6 s
    for i in range(10):  # the caller from 1.0 to 1.5 s
        frame = _tone(50)
        recorder.caller_audio(_b64(frame), len(frame), 1.05 + i * 0.05)
    agent = _tone(2000)
    recorder.agent_audio("item_1", _b64(agent), len(agent), 2.0)  # 2.0–4.0 s, sent at once
    recorder.agent_cut("item_1", 500)  # heard up to 2.5 s
    recording = await recorder.finish(5.0)
    assert recording is not None and recording.frames == 5 * RATE
    with recording.file:
        rate, frames = _channels(recording.file)
    assert rate == RATE and len(frames) == 5 * RATE
    caller, agent_channel = frames[:, 0], frames[:, 1]

    def window(channel: np.ndarray, start_ms: int, end_ms: int) -> np.ndarray:
        return channel[start_ms * MS : end_ms * MS]

    assert _loud(window(agent_channel, 150, 550)) and not _loud(window(caller, 0, 950))
    assert _loud(window(caller, 1050, 1450)) and not _loud(window(agent_channel, 650, 1950))
    assert _loud(window(agent_channel, 2050, 2450))
    assert not _loud(window(agent_channel, 2550, 5000))  # cut: never heard
    assert not _loud(window(caller, 1550, 5000))


async def test_phone_audio_is_decoded_from_mu_law_at_8_khz() -> None:
    rate = 8000
    recorder = CallRecorder(call_id="c", sample_rate=rate, bytes_per_sample=1, started_at=0.0)
    caller = pcm16_to_ulaw(_tone(1000, rate=rate))
    recorder.caller_audio(_b64(caller), len(caller), 1.0)  # 0–1 s
    agent = pcm16_to_ulaw(_tone(500, rate=rate))
    recorder.agent_audio("item_1", _b64(agent), len(agent), 1.5)  # 1.5–2 s
    recording = await recorder.finish(2.5)
    assert recording is not None
    with recording.file:
        got_rate, frames = _channels(recording.file)
    assert got_rate == 8000 and len(frames) == 20_000
    assert _loud(frames[:8000, 0]) and not _loud(frames[:8000, 1])
    assert _loud(frames[12_400:15_600, 1]) and not _loud(frames[12_000:, 0])
    # μ-law silence decodes to near zero, not to a loud offset.
    assert np.abs(frames[16_400:, :]).max() < 100


async def test_long_runs_are_written_in_pieces_and_the_end_cuts_what_was_not_played() -> None:
    recorder = CallRecorder(call_id="c", sample_rate=RATE, bytes_per_sample=2, started_at=0.0)
    for i in range(100):  # 5 s of caller audio in 50 ms frames: several runs
        frame = _tone(50)
        recorder.caller_audio(_b64(frame), len(frame), 0.05 * (i + 1))
    agent = _tone(3000)
    recorder.agent_audio("item_1", _b64(agent), len(agent), 4.0)  # would play to 7 s
    recording = await recorder.finish(5.0)  # the caller hung up at 5 s
    assert recording is not None
    with recording.file:
        _, frames = _channels(recording.file)
    assert len(frames) == 5 * RATE
    assert _loud(frames[: 5 * RATE, 0])
    assert _loud(frames[4 * RATE :, 1])


async def test_a_failing_disk_gives_the_recording_up_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    recorder = CallRecorder(
        call_id="c",
        sample_rate=RATE,
        bytes_per_sample=2,
        started_at=0.0,
        setup=RecordingSetup(spool_dir=str(tmp_path / "a-file" / "spool")),
    )
    frame = _tone(50)
    for i in range(60):
        recorder.caller_audio(_b64(frame), len(frame), 0.05 * (i + 1))
    assert await recorder.finish(3.0) is None
    assert recorder.failed
    recorder.caller_audio(_b64(frame), len(frame), 3.1)  # ignored from now on


def test_the_header_is_a_standard_pcm_wav() -> None:
    header = wav_header(sample_rate=24_000, frames=10)
    assert len(header) == 44
    assert header[:4] == b"RIFF" and header[8:16] == b"WAVEfmt "
    assert int.from_bytes(header[40:44], "little") == 40
