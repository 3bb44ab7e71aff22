"""Loopback fakes of the cascade's providers (test-only), each speaking the real wire
format and checking what we send against the provider's own package types. Each has
``url``, records what it received, and a ``violations`` list tests assert is empty.

- ``transcription.FakeTranscriptionServer`` (``await start()/stop()``, WebSocket):
  OpenAI realtime transcription, ``url`` = ``ws://…/v1/realtime?intent=transcription``.
  ``say(text, at_ms=, speech_ms=0, fail=None|"failed"|"error"|"stall")`` scripts a turn
  on the audio clock (ms of audio received); ``stop_delay_ms`` (None: the session's VAD
  ``silence_duration_ms``) until ``speech_stopped``; ``transcript_latency`` seconds from
  ``speech_stopped`` to ``completed`` (deltas spread within it).
- ``chat.FakeChat`` (threads, sync or async tests): ``fake_chat.FakeChatCompletions`` (the
  summary's non-streamed answers, unchanged) plus ``stream: true``. ``url`` = an
  ``OPENAI_BASE_URL``. ``replies`` (queue of ``Reply(text, tool_calls=[ToolCall(name,
  arguments)], fault=Fault(...))``) or ``script(body) -> Reply``; ``first_token_latency``
  (s), ``tokens_per_second`` (0: unpaced); ``streamed`` = the streamed request bodies.
- ``speech.FakeOpenAISpeech``: ``POST /v1/audio/speech``, pcm only; ``chat.mount(speech)``
  serves it on the chat fake's port (one ``OPENAI_BASE_URL``). ``first_byte_latency``,
  ``chunk_interval`` (s between 100 ms chunks), ``ms_per_char`` (60), ``faults`` queue.
- ``speech.FakeElevenLabs``: ``POST /v1/text-to-speech/{voice}/stream`` (``xi-api-key``,
  ``output_format`` pcm_* or ulaw_8000); ``url`` is ``AsyncElevenLabs(base_url=…)``.
  Same knobs as the OpenAI speech fake, plus ``chunk_ms``.
- ``elevenlabs_ws.FakeElevenLabsWS`` (``await start()/stop()``): ``…/stream-input``,
  ``url`` = the ws base; buffers by ``chunk_length_schedule``/``flush``/``auto_mode``;
  ``first_byte_latency``; ``sockets[i].spoken`` / ``.audio`` = what it said.

Audio is ``speech.synth(text, rate)``: a tone ``len(text) * ms_per_char`` long, so the
same text gives the same bytes. ``loopback.Fault(status=, stall_after=, drop_after=)``:
an HTTP error, or a stream that hangs (until ``release_stalls()``) or breaks after that
many chunks.
"""
