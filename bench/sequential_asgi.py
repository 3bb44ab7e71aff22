"""The product with the seed's sequential cascade, for ``bench/cascade_latency.py
--sequential``: each reply waits for the LLM's whole answer, then has the whole answer
spoken, then sends the audio (the seed's pipeline, each stage waiting for the previous
one). The same stage classes and the same events as the product's streaming ``Reply``;
only the streaming between the stages is taken out. Only the benchmark serves this
module; the product never runs it.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voiceagent.asgi import application  # sets Django up first

# isort: split
from calls.realtime.engines.cascade import upstream
from calls.realtime.engines.cascade.llm import ReplyDone, TextDelta, ToolCall
from calls.realtime.engines.cascade.reply import AUDIO_DELTA_MS, Reply
from calls.realtime.engines.cascade.text import speakable

__all__ = ["application"]


class SequentialReply(Reply):
    async def _generate(self) -> None:
        text: list[str] = []
        calls: tuple[ToolCall, ...] = ()
        async for event in self._chat.reply(messages=self.spec.messages, tools=self.spec.tools):
            if isinstance(event, TextDelta):
                text.append(event.text)
            elif isinstance(event, ReplyDone):
                calls = event.tool_calls
                self.usage.input_tokens += event.input_tokens
                self.usage.output_tokens += event.output_tokens
        whole = speakable("".join(text).strip(), self.spec.language)
        if whole.strip():
            audio = b"".join([chunk async for chunk in self._speech.speak(whole)])
            self._open_message()
            self.usage.characters += len(whole)
            ids, step, spoken_ms = self._ids(), AUDIO_DELTA_MS * self.spec.bytes_per_ms, 0
            self._transcript(ids, whole + " ")
            for start in range(0, len(audio), step):
                spoken_ms += self._audio(ids, audio[start : start + step])
            self.reply.spoken(whole, spoken_ms)
            self.usage.audio_ms += spoken_ms
        self._close_message()
        for index, call in enumerate(calls, start=len(self._output)):
            self._function_call(index, call)


upstream.Reply = SequentialReply  # type: ignore[misc]
