"""The provider's side of a phone call, one small class per provider: how it answers the
webhook, signs the stream's upgrade, writes its frames and reads ours.

Used by the phone stream simulator (``simulator.py``, over a real WebSocket against a
real server) and by the providers' in-process tests. Signatures are made with each
provider's own package.
"""

from __future__ import annotations

import abc
import base64
import time
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any, ClassVar

from plivo.utils.signature_v3 import construct_get_url, construct_post_url, get_signature_v3
from twilio.request_validator import RequestValidator

from calls.telephony.plivo import stream_token


@dataclass(frozen=True)
class Audio:
    """The agent's audio, to play."""

    data: bytes


@dataclass(frozen=True)
class Mark:
    """Tell us when the audio before this has played."""

    name: str


@dataclass(frozen=True)
class Clear:
    """Drop the audio not played yet."""


Outbound = Audio | Mark | Clear


@dataclass(frozen=True)
class Answer:
    """What the voice webhook answered: where to stream, and the token to present."""

    stream_url: str
    token: str


class ProviderFraming(abc.ABC):
    """One provider's wire format for one call (it numbers the frames it sends)."""

    name: ClassVar[str]
    webhook_prefix: ClassVar[str]

    def __init__(self, auth_token: str, call_id: str, stream_id: str) -> None:
        self.auth_token = auth_token
        self.call_id = call_id
        self.stream_id = stream_id
        self.sequence = 0

    def next_sequence(self) -> int:
        self.sequence += 1
        return self.sequence

    def webhook_path(self, agent: str) -> str:
        return f"/{self.webhook_prefix}/{agent}/"

    @abc.abstractmethod
    def webhook_form(self, caller: str, called: str) -> dict[str, str]:
        """The form the provider POSTs when the call comes in."""

    @abc.abstractmethod
    def webhook_headers(self, url: str, form: dict[str, str]) -> dict[str, str]:
        """The provider's signature headers for that POST to ``url``."""

    @abc.abstractmethod
    def read_answer(self, xml: bytes) -> Answer | None:
        """The stream in the webhook's XML, or None when the call was refused."""

    @abc.abstractmethod
    def handshake_headers(self, stream_url: str) -> dict[str, str]:
        """The signature the provider puts on the stream's upgrade."""

    @abc.abstractmethod
    def opening(self, token: str) -> list[dict[str, Any]]:
        """The frames the provider sends first (``start`` with the token)."""

    @abc.abstractmethod
    def media(self, payload: str, chunk: int) -> str:
        """A 20 ms frame of the caller's audio (``payload``: base64), as text."""

    @abc.abstractmethod
    def dtmf(self, digit: str) -> dict[str, Any]: ...

    @abc.abstractmethod
    def stop(self) -> dict[str, Any]: ...

    @abc.abstractmethod
    def read(self, message: dict[str, Any]) -> Outbound | None:
        """One of our frames, or None for one the provider would ignore."""

    @abc.abstractmethod
    def played(self, name: str) -> dict[str, Any]:
        """The acknowledgement of a mark whose audio has played."""

    @abc.abstractmethod
    def cleared(self, pending: list[str]) -> list[dict[str, Any]]:
        """What the provider sends after dropping its buffer (``pending``: the marks it
        held)."""


class TwilioFraming(ProviderFraming):
    name = "twilio"
    webhook_prefix = "twilio/voice"

    def webhook_form(self, caller: str, called: str) -> dict[str, str]:
        return {
            "CallSid": self.call_id,
            "AccountSid": "AC0001",
            "From": caller,
            "To": called,
            "CallStatus": "ringing",
            "Direction": "inbound",
        }

    def webhook_headers(self, url: str, form: dict[str, str]) -> dict[str, str]:
        signature = RequestValidator(self.auth_token).compute_signature(url, form)
        return {"X-Twilio-Signature": signature}

    def read_answer(self, xml: bytes) -> Answer | None:
        stream = ET.fromstring(xml).find("./Connect/Stream")  # noqa: S314 (our own server)
        if stream is None:
            return None
        parameters = {p.get("name"): p.get("value") for p in stream.findall("Parameter")}
        return Answer(stream.get("url") or "", parameters.get("call_token") or "")

    def handshake_headers(self, stream_url: str) -> dict[str, str]:
        signature = RequestValidator(self.auth_token).compute_signature(stream_url, {})
        return {"X-Twilio-Signature": signature}

    def opening(self, token: str) -> list[dict[str, Any]]:
        start = {
            "streamSid": self.stream_id,
            "accountSid": "AC0001",
            "callSid": self.call_id,
            "tracks": ["inbound"],
            "customParameters": {"call_token": token},
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
        }
        return [
            {"event": "connected", "protocol": "Call", "version": "1.0.0"},
            {
                "event": "start",
                "sequenceNumber": str(self.next_sequence()),
                "streamSid": self.stream_id,
                "start": start,
            },
        ]

    def media(self, payload: str, chunk: int) -> str:
        return (
            '{"event":"media","sequenceNumber":"' + str(self.next_sequence())
            + '","streamSid":"' + self.stream_id
            + '","media":{"track":"inbound","chunk":"' + str(chunk)
            + '","timestamp":"' + str(chunk * 20)
            + '","payload":"' + payload + '"}}'
        )  # fmt: skip

    def dtmf(self, digit: str) -> dict[str, Any]:
        return {
            "event": "dtmf",
            "sequenceNumber": str(self.next_sequence()),
            "streamSid": self.stream_id,
            "dtmf": {"track": "inbound_track", "digit": digit},
        }

    def stop(self) -> dict[str, Any]:
        return {
            "event": "stop",
            "sequenceNumber": str(self.next_sequence()),
            "streamSid": self.stream_id,
            "stop": {"accountSid": "AC0001", "callSid": self.call_id},
        }

    def read(self, message: dict[str, Any]) -> Outbound | None:
        event = message.get("event")
        if event == "media":
            return Audio(base64.b64decode(message["media"]["payload"]))
        if event == "mark":
            return Mark(message["mark"]["name"])
        if event == "clear":
            return Clear()
        return None

    def played(self, name: str) -> dict[str, Any]:
        return {
            "event": "mark",
            "sequenceNumber": str(self.next_sequence()),
            "streamSid": self.stream_id,
            "mark": {"name": name},
        }

    def cleared(self, pending: list[str]) -> list[dict[str, Any]]:
        return [self.played(name) for name in pending]  # Twilio echoes them all at once


def plivo_signature(
    auth_token: str, url: str, params: dict[str, str], nonce: str, method: str = "POST"
) -> str:
    """Plivo's V3 signature, with the plivo package's own helpers."""
    params = dict(params)
    base = construct_post_url(url, params) if method == "POST" else construct_get_url(url, params)
    return str(get_signature_v3(auth_token.encode(), base.decode(), nonce.encode()).decode())


class PlivoFraming(ProviderFraming):
    name = "plivo"
    webhook_prefix = "plivo/answer"

    def __init__(self, auth_token: str, call_id: str, stream_id: str) -> None:
        super().__init__(auth_token, call_id, stream_id)
        self.extra_headers = ""

    @staticmethod
    def nonce() -> str:
        return str(time.time_ns())

    def webhook_form(self, caller: str, called: str) -> dict[str, str]:
        return {
            "CallUUID": self.call_id,
            "From": caller,
            "To": called,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            "Event": "StartApp",
        }

    def webhook_headers(self, url: str, form: dict[str, str]) -> dict[str, str]:
        nonce = self.nonce()
        return {
            "X-Plivo-Signature-V3": plivo_signature(self.auth_token, url, form, nonce),
            "X-Plivo-Signature-V3-Nonce": nonce,
        }

    def read_answer(self, xml: bytes) -> Answer | None:
        stream = ET.fromstring(xml).find("./Stream")  # noqa: S314 (our own server)
        if stream is None:
            return None
        self.extra_headers = (stream.get("extraHeaders") or "").replace(",", ";")
        return Answer((stream.text or "").strip(), stream_token.token_from(self.extra_headers))

    def handshake_headers(self, stream_url: str) -> dict[str, str]:
        nonce = self.nonce()
        signature = plivo_signature(self.auth_token, stream_url, {}, nonce, method="GET")
        return {"X-Plivo-Signature-V3": signature, "X-Plivo-Signature-V3-Nonce": nonce}

    def opening(self, token: str) -> list[dict[str, Any]]:
        if not self.extra_headers or stream_token.token_from(self.extra_headers) != token:
            self.extra_headers = stream_token.extra_headers(token) or ""
        return [
            {
                "event": "start",
                "sequenceNumber": self.next_sequence(),
                "start": {
                    "callId": self.call_id,
                    "streamId": self.stream_id,
                    "accountId": "MA0001",
                    "tracks": ["inbound"],
                    "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000},
                },
                "extra_headers": self.extra_headers,
            }
        ]

    def media(self, payload: str, chunk: int) -> str:
        return (
            '{"event":"media","sequenceNumber":' + str(self.next_sequence())
            + ',"streamId":"' + self.stream_id
            + '","media":{"track":"inbound","timestamp":"' + str(time.time_ns() // 1_000_000)
            + '","chunk":' + str(chunk)
            + ',"payload":"' + payload + '"},"extra_headers":"' + self.extra_headers + '"}'
        )  # fmt: skip

    def dtmf(self, digit: str) -> dict[str, Any]:
        return {
            "event": "dtmf",
            "sequenceNumber": self.next_sequence(),
            "streamId": self.stream_id,
            "dtmf": {"digit": digit, "track": "inbound"},
        }

    def stop(self) -> dict[str, Any]:
        return {"event": "stop", "sequenceNumber": self.next_sequence(), "streamId": self.stream_id}

    def read(self, message: dict[str, Any]) -> Outbound | None:
        event = message.get("event")
        if event == "playAudio":
            return Audio(base64.b64decode(message["media"]["payload"]))
        if event == "checkpoint":
            return Mark(message["name"])
        if event == "clearAudio":
            return Clear()
        return None

    def played(self, name: str) -> dict[str, Any]:
        return {
            "event": "playedStream",
            "sequenceNumber": self.next_sequence(),
            "streamId": self.stream_id,
            "name": name,
        }

    def cleared(self, pending: list[str]) -> list[dict[str, Any]]:
        # Pending checkpoints get no acknowledgement: only clearedAudio.
        return [
            {
                "event": "clearedAudio",
                "sequenceNumber": self.next_sequence(),
                "streamId": self.stream_id,
            }
        ]


FRAMINGS: dict[str, type[ProviderFraming]] = {"twilio": TwilioFraming, "plivo": PlivoFraming}


def encode_form(form: dict[str, str]) -> bytes:
    return urllib.parse.urlencode(form).encode()
