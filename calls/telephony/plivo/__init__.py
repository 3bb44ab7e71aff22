"""Plivo Voice with bidirectional Audio Streaming.

A call to a Plivo number whose application's answer URL is
``<PUBLIC_BASE_URL>/plivo/answer/<agent>/``:

1. Plivo POSTs the answer URL (``webhook.py``); its ``X-Plivo-Signature-V3`` is checked with
   the plivo package's own ``validate_v3_signature`` (``signature.py``).
2. The answer is ``<Stream bidirectional="true" keepCallAlive="true">`` to
   ``/ws/plivo/stream/`` with the single-use stream token (``calls.telephony.grants``),
   base32-encoded, in ``extraHeaders`` (``token.py``: they allow letters and digits only).
3. Plivo opens the stream (its upgrade is signed too) and sends ``start`` with the token in
   ``extra_headers``; ``consumer.py`` reads and writes Plivo's frames, and
   ``calls.telephony.base.PhoneMediaConsumer`` does the rest.
"""

NAME = "plivo"
STREAM_PATH = "/ws/plivo/stream/"
