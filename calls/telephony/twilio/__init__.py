"""Twilio Programmable Voice with bidirectional Media Streams.

A call to a Twilio number configured with ``<PUBLIC_BASE_URL>/twilio/voice/`` (routed
by the number called, ``phone_numbers``) or ``…/twilio/voice/<agent>/``:

1. Twilio POSTs the webhook (``webhook.py``); its ``X-Twilio-Signature`` is checked with
   twilio's own ``RequestValidator`` (``signature.py``) and the token of the account that
   owns the number (``calls.telephony.credentials``).
2. The answer is ``<Connect><Stream>`` to ``/ws/twilio/media/`` (``…/<line>/`` for a
   number with its own credentials) with a single-use stream token
   (``calls.telephony.grants``) as a ``<Parameter>``.
3. Twilio opens the stream (its upgrade is signed too) and sends ``start`` with the token
   in ``customParameters``; ``consumer.py`` reads and writes Twilio's frames, and
   ``calls.telephony.base.PhoneMediaConsumer`` does the rest.
"""

NAME = "twilio"
STREAM_PATH = "/ws/twilio/media/"  # no query string: Twilio refuses one
