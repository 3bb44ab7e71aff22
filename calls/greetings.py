"""The greeting cache: audio and transcript of an agent's greeting, kept after the first call.

Files under MEDIA_ROOT/greetings (shared by every process on the host), fronted by
a small in-process LRU so that a cached greeting starts playing without disk I/O.
"""

from __future__ import annotations

import os
import tempfile
from collections import OrderedDict
from pathlib import Path

from django.conf import settings

MEMORY_ENTRIES = 32
_memory: OrderedDict[str, tuple[bytes, str]] = OrderedDict()


def _folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "greetings"


def greeting_get(key: str) -> tuple[bytes, str] | None:
    if key in _memory:
        _memory.move_to_end(key)
        return _memory[key]
    audio_path, text_path = _folder() / f"{key}.pcm", _folder() / f"{key}.txt"
    try:
        entry = (audio_path.read_bytes(), text_path.read_text())
    except OSError:
        return None
    _remember(key, entry)
    return entry


def greeting_put(key: str, audio: bytes, transcript: str) -> None:
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    # Write-then-rename so that a concurrent reader never sees half a file.
    for suffix, data in ((".txt", transcript.encode()), (".pcm", audio)):
        descriptor, temporary = tempfile.mkstemp(dir=folder)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, folder / f"{key}{suffix}")
    _remember(key, (audio, transcript))


def greeting_cache_clear() -> None:
    _memory.clear()


def _remember(key: str, entry: tuple[bytes, str]) -> None:
    _memory[key] = entry
    _memory.move_to_end(key)
    while len(_memory) > MEMORY_ENTRIES:
        _memory.popitem(last=False)
