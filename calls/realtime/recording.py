"""A call's recording: the caller's audio and the agent's, placed in time as heard.

``RecordingTimeline`` (pure) decides where each chunk goes, in samples from the moment
the call became ready (the origin of the transcript's ``started_ms`` too):

- the caller's audio is contiguous, as the client captured it (network jitter does not
  move it), from where its first frame arrived; after a pause in what the client sent
  (longer than ``GAP_TOLERANCE_MS``) it resumes where it arrives;
- the agent's audio plays like the caller's player plays it: a chunk starts when the
  one before it ends, or when it arrives if that is later (the upstream sends faster
  than real time, so audio queues); a barge-in cuts the item at the position the
  session truncates it at, and what was sent after that is silenced.

``CallRecorder`` buffers the chunks (base64, as relayed: no decoding on the event loop)
in contiguous runs and hands each run of up to ``RUN_SECONDS`` to a writer task, which
writes them one at a time in a worker thread into the WAV (``wav.py``). Per frame the
call pays a list append and a few integer operations; memory is bounded by the runs
being filled and ``MAX_BACKLOG_SECONDS`` of runs waiting for the disk, beyond which the
recording is given up (the call goes on).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import BinaryIO

from calls.realtime.wav import AGENT, CALLER, WavSpool

logger = logging.getLogger(__name__)

GAP_TOLERANCE_MS = 500
RUN_SECONDS = 2
MAX_BACKLOG_SECONDS = 120


@dataclass(frozen=True, slots=True)
class RecordingSetup:
    """Where recordings are written while calls run: the threads (None: the event
    loop's default executor) and the folder (None: the system's temporary folder)."""

    executor: Executor | None = None
    spool_dir: str | None = None


@dataclass(slots=True)
class RecordedCall:
    """A finished recording: a complete stereo WAV in an unnamed temporary file, which
    whoever receives it must close."""

    file: BinaryIO
    sample_rate: int
    frames: int

    @property
    def duration_ms(self) -> int:
        return self.frames * 1000 // self.sample_rate


class RecordingTimeline:
    """Where each chunk of the call's audio goes, in samples at ``sample_rate``."""

    def __init__(self, *, sample_rate: int, started_at: float) -> None:
        self.sample_rate = sample_rate
        self._started_at = started_at
        self._gap = sample_rate * GAP_TOLERANCE_MS // 1000
        self._caller_end = 0
        self._agent_end = 0  # where the agent's audio, as played, ends so far
        self._item: str | None = None
        self._item_sent = 0  # samples of the current item so far
        # (offset in the item, position in the recording) where each run of the item
        # begins: a run is broken when the player ran dry and waited for audio.
        self._item_runs: list[tuple[int, int]] = []

    def at(self, now: float) -> int:
        """The sample the call is at."""
        return max(0, round((now - self._started_at) * self.sample_rate))

    def caller(self, samples: int, now: float) -> int:
        start = self._caller_end
        captured_from = self.at(now) - samples
        if self._caller_end == 0 or captured_from > start + self._gap:
            # The first audio, or the first after the client sent nothing for a while:
            # it was captured just before it arrived.
            start = max(start, captured_from)
        self._caller_end = start + samples
        return start

    def agent(self, item_id: str, samples: int, now: float) -> int:
        if item_id != self._item:
            self._item, self._item_sent, self._item_runs = item_id, 0, []
        start = max(self._agent_end, self.at(now))
        if not self._item_runs or start != self._agent_end:
            self._item_runs.append((self._item_sent, start))
        self._item_sent += samples
        self._agent_end = start + samples
        return start

    def cut(self, item_id: str, heard_ms: int) -> tuple[int, int] | None:
        """The caller heard ``heard_ms`` of the item: the span of the agent's channel that
        must be silent (what was sent after that), or None when there is none."""
        if item_id != self._item or not self._item_runs:
            return None
        heard = heard_ms * self.sample_rate // 1000
        offset, position = self._item_runs[0]
        for run_offset, run_position in self._item_runs:
            if run_offset > heard:
                break
            offset, position = run_offset, run_position
        cut_at = position + max(0, heard - offset)
        end = self._agent_end
        self._item = None  # anything more of it starts afresh (the session drops it)
        if cut_at >= end:
            return None
        self._agent_end = cut_at
        return cut_at, end


@dataclass(slots=True)
class _Run:
    channel: int
    start: int
    samples: int = 0
    chunks: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Silence:
    channel: int
    start: int
    end: int


class CallRecorder:
    """Keeps a call's audio while it runs and makes the WAV when it ends.

    ``bytes_per_sample`` is the call's format: 2 for PCM16, 1 for μ-law (decoded to
    PCM16 when written). The writer task is the recorder's own; ``finish`` drains and
    ends it.
    """

    def __init__(
        self,
        *,
        call_id: str,
        sample_rate: int,
        bytes_per_sample: int,
        started_at: float,
        setup: RecordingSetup = RecordingSetup(),  # frozen: safe to share
    ) -> None:
        self._call_id = call_id
        self._bytes_per_sample = bytes_per_sample
        self.timeline = RecordingTimeline(sample_rate=sample_rate, started_at=started_at)
        self._spool = WavSpool(
            sample_rate=sample_rate, ulaw=bytes_per_sample == 1, directory=setup.spool_dir
        )
        self._executor = setup.executor
        self._run_samples = RUN_SECONDS * sample_rate
        self._max_backlog = MAX_BACKLOG_SECONDS * sample_rate
        self._runs: list[_Run | None] = [None, None]  # the run being filled, per channel
        self._queue: asyncio.Queue[_Run | _Silence | None] = asyncio.Queue()
        self._backlog = 0  # samples queued and not yet written
        self._writer: asyncio.Task[None] | None = None
        self.failed = False

    # -- the call's audio (per frame: keep it cheap)

    def caller_audio(self, audio: str, size: int, now: float) -> None:
        samples = size // self._bytes_per_sample
        if samples and not self.failed:
            self._add(CALLER, self.timeline.caller(samples, now), samples, audio)

    def agent_audio(self, item_id: str, audio: str, size: int, now: float) -> None:
        samples = size // self._bytes_per_sample
        if samples and not self.failed:
            self._add(AGENT, self.timeline.agent(item_id, samples, now), samples, audio)

    def agent_cut(self, item_id: str, heard_ms: int) -> None:
        span = self.timeline.cut(item_id, heard_ms)
        if span is not None and not self.failed:
            self._send(self._runs[AGENT])
            self._runs[AGENT] = None
            self._send(_Silence(AGENT, *span))

    def _add(self, channel: int, start: int, samples: int, audio: str) -> None:
        run = self._runs[channel]
        if run is None or run.start + run.samples != start or run.samples >= self._run_samples:
            self._send(run)
            run = self._runs[channel] = _Run(channel, start)
        run.chunks.append(audio)
        run.samples += samples

    def _send(self, job: _Run | _Silence | None) -> None:
        if job is None:
            return
        if isinstance(job, _Run):
            self._backlog += job.samples
            if self._backlog > self._max_backlog:
                self._give_up("the disk is not keeping up")
                return
        if self._writer is None:
            self._writer = asyncio.ensure_future(self._write_all())
            self._writer.set_name(f"call-{self._call_id[:8]}-recording")
        self._queue.put_nowait(job)

    # -- the writer

    async def _write_all(self) -> None:
        loop = asyncio.get_running_loop()
        while (job := await self._queue.get()) is not None:
            if self.failed:
                continue
            try:
                if isinstance(job, _Run):
                    await loop.run_in_executor(
                        self._executor, self._spool.write, job.channel, job.start, job.chunks
                    )
                    self._backlog -= job.samples
                else:
                    await loop.run_in_executor(
                        self._executor, self._spool.silence, job.channel, job.start, job.end
                    )
            except Exception:
                logger.exception("Call %s: writing the recording failed", self._call_id)
                self._give_up("a write failed")

    def _give_up(self, why: str) -> None:
        if not self.failed:
            logger.error("Call %s: the recording is given up (%s)", self._call_id, why)
        self.failed = True
        self._runs = [None, None]

    # -- the end

    async def finish(self, now: float) -> RecordedCall | None:
        """Writes what is left and the header: the finished recording, up to ``now``
        (None when it failed)."""
        frames = self.timeline.at(now)
        for channel in (CALLER, AGENT):
            self._send(self._runs[channel])
            self._runs[channel] = None
        if self._writer is not None:
            self._queue.put_nowait(None)
            await self._writer
        loop = asyncio.get_running_loop()
        if self.failed:
            await loop.run_in_executor(self._executor, self._spool.close)
            return None
        handle = await loop.run_in_executor(self._executor, self._spool.finish, frames)
        return RecordedCall(file=handle, sample_rate=self.timeline.sample_rate, frames=frames)
