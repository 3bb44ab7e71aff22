"""Call recordings: storing them after the call, and serving them to their owner.

Recording itself is the bridge's (``calls/realtime/recording.py``); this module is the
Django side:

- the threads: spool writes during calls (``SPOOL_EXECUTOR``) and the storage write at
  the end (``recording_store_later``), each a pool of its own, never the shared
  database thread and never the event loop's default executor, where slow HTTP
  (calendars, embeddings) could hold them;
- links: ``recording_url`` signs a call's id with an expiry (``django.core.signing``,
  a salt of its own); ``recording_token_call_id`` reads one back;
- serving: ``recording_response`` streams the file from the storage API, with HTTP
  ranges (an ``<audio>`` element seeks with them), reading in a worker thread.
  Django's ``FileResponse`` is not used: under ASGI it reads a file's whole content
  into memory, on the shared database thread, before sending any of it.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import AsyncIterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO, Any

from asgiref.sync import sync_to_async
from django.core import signing
from django.db import close_old_connections, connections
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.urls import reverse

from calls import services
from calls.models import CallLog
from calls.realtime.recording import RecordedCall

logger = logging.getLogger(__name__)

URL_TTL_SECONDS = 3600
MAX_URL_TTL_SECONDS = 7 * 24 * 3600
_SALT = "calls.recording"  # a namespace for signing, not a secret
CHUNK_BYTES = 256 * 1024

SPOOL_EXECUTOR = ThreadPoolExecutor(max_workers=2, thread_name_prefix="recording-spool")
# One at a time: an upload of a long call must not starve the disk of the live calls'
# spool writes; calls that end together wait their turn (nothing else waits on them).
_store_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recording-store")
_pending: set[Future[None]] = set()
_lock = threading.Lock()


# -- storing, after the call


def recording_store_later(*, call_id: str, recording: RecordedCall) -> None:
    """Stores the recording in the background (``services.call_recording_store``)."""
    future = _store_executor.submit(_store, call_id, recording)
    with _lock:
        _pending.add(future)
    future.add_done_callback(_forget)


def _forget(future: Future[None]) -> None:
    with _lock:
        _pending.discard(future)


def _store(call_id: str, recording: RecordedCall) -> None:
    close_old_connections()
    try:
        services.call_recording_store(call_id=call_id, recording=recording)
    except Exception:
        # The call log and transcript are stored already; only the recording is lost.
        logger.exception("Call %s: storing the recording failed", call_id)
    finally:
        # This thread lives on: its connections must not outlive the work (CONN_MAX_AGE=0).
        connections.close_all()


def recordings_wait_idle(timeout: float = 30.0) -> bool:
    """Waits until every recording handed over so far is stored (tests, shutdown)."""
    deadline = time.monotonic() + timeout
    while True:
        with _lock:
            pending = list(_pending)
        if not pending:
            return True
        for future in pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                future.result(timeout=remaining)
            except Exception:
                return False


# -- links


def recording_url(
    *, call: CallLog, ttl_seconds: int = URL_TTL_SECONDS, for_user_id: int | None = None
) -> str:
    """A link to the call's recording that works for ``ttl_seconds`` and only for the
    owner of the call's agent (the view checks both); "" when the call has none.

    Without ``for_user_id`` the link needs the owner's signed-in session (admin,
    dashboard). With it, the link itself carries that user (the REST API hands it to a
    client with no session): it plays for as long as it lives and that user still
    owns the call, like a pre-signed storage URL, so its lifetime should be short.
    """
    if not call.recording:
        return ""
    if not 0 < ttl_seconds <= MAX_URL_TTL_SECONDS:
        raise ValueError(f"ttl_seconds must be in (0, {MAX_URL_TTL_SECONDS}]")
    payload: dict[str, Any] = {"c": str(call.pk), "t": ttl_seconds}
    if for_user_id is not None:
        payload["u"] = for_user_id
    token = signing.TimestampSigner(salt=_SALT).sign_object(payload)
    return reverse("call-recording", args=[token])


def recording_token_call_id(token: str) -> str | None:
    """The call a recording link is for, or None when it is forged or expired."""
    grant = recording_token_grant(token)
    return grant[0] if grant is not None else None


def recording_token_grant(token: str) -> tuple[str, int | None] | None:
    """(call id, the user the link was made for or None), or None when the link is
    forged or expired."""
    signer = signing.TimestampSigner(salt=_SALT)
    try:
        payload = signer.unsign_object(token)  # the signature, before trusting the ttl
        if not isinstance(payload, dict):
            return None
        ttl = payload.get("t")
        if not isinstance(ttl, int) or not 0 < ttl <= MAX_URL_TTL_SECONDS:
            return None
        signer.unsign_object(token, max_age=ttl)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    call_id, user_id = payload.get("c"), payload.get("u")
    if not isinstance(call_id, str):
        return None
    return call_id, user_id if isinstance(user_id, int) else None


# -- serving

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RangeNotSatisfiable(Exception):
    pass


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The ``(first, last)`` bytes of a single-range ``Range`` header; None when the
    header is absent or not one this serves (the whole file is sent, as RFC 9110
    allows). Raises ``RangeNotSatisfiable`` for a range outside the file (416)."""
    match = _RANGE.match(header.strip()) if header else None
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise RangeNotSatisfiable
        return max(0, size - length), size - 1
    start = int(first)
    if start >= size or (last and int(last) < start):
        raise RangeNotSatisfiable
    return start, min(int(last), size - 1) if last else size - 1


async def recording_response(*, call: CallLog, range_header: str = "") -> HttpResponseBase:
    """The call's recording as ``audio/wav``, whole or the range asked for."""
    storage = call.recording.storage
    name = call.recording.name or ""
    size = await sync_to_async(storage.size, thread_sensitive=False)(name)
    try:
        wanted = byte_range(range_header, size)
    except RangeNotSatisfiable:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        return refused
    first, last = wanted if wanted is not None else (0, size - 1)
    handle = await sync_to_async(storage.open, thread_sensitive=False)(name, "rb")
    response = StreamingHttpResponse(
        _chunks(handle, first, last - first + 1),
        status=200 if wanted is None else 206,
        content_type="audio/wav",
    )
    response["Content-Length"] = str(max(0, last - first + 1))
    if wanted is not None:
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = f'inline; filename="call-{call.pk}.wav"'
    response["Cache-Control"] = "private, no-store"
    return response


async def _chunks(handle: IO[Any], start: int, length: int) -> AsyncIterator[bytes]:
    """Reads in a worker thread (with S3-compatible storage each read is a request)."""
    read = sync_to_async(_read_at, thread_sensitive=False)
    try:
        position, remaining = start, length
        while remaining > 0:
            chunk = await read(handle, position, min(CHUNK_BYTES, remaining))
            if not chunk:
                return
            position += len(chunk)
            remaining -= len(chunk)
            yield chunk
    finally:
        await sync_to_async(handle.close, thread_sensitive=False)()


def _read_at(handle: IO[Any], position: int, size: int) -> bytes:
    handle.seek(position)
    data: bytes = handle.read(size)
    return data
