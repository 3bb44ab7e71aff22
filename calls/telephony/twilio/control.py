"""Twilio's call control: the Call resource of the REST API (2010-04-01).

- hang up: ``POST /Accounts/{AccountSid}/Calls/{CallSid}.json`` with ``Status=completed``;
- transfer: the same request with ``Twiml``: a ``<Dial>`` that replaces the running
  ``<Connect><Stream>`` (Twilio then stops the stream: that stop is not a hang-up);
- dial: ``POST /Accounts/{AccountSid}/Calls.json`` with asynchronous answering-machine
  detection (``AsyncAmd``): the answer URL runs at once, so the agent greets a person
  without dead air, and the verdict arrives on its own callback.
"""

from __future__ import annotations

from django.conf import settings
from twilio.twiml.voice_response import Dial, VoiceResponse

from calls.telephony.control import (
    Account,
    CallControlError,
    DialedCall,
    OutboundDial,
    TransferLinks,
    provider_request,
)

NAME = "Twilio"


def _call_url(account: Account, call_id: str) -> str:
    base = settings.TWILIO_API_BASE_URL.rstrip("/")
    return f"{base}/2010-04-01/Accounts/{account.account_id}/Calls/{call_id}.json"


PROGRESS_EVENTS = ["initiated", "ringing", "answered", "completed"]


def dial_form(order: OutboundDial) -> dict[str, str | list[str]]:
    """What twilio-python sends for ``client.calls.create(...)`` with these arguments."""
    return {
        "To": order.to,
        "From": order.from_,
        "Url": order.links["answer"],
        "Method": "POST",
        "StatusCallback": order.links["status"],
        "StatusCallbackMethod": "POST",
        "StatusCallbackEvent": list(PROGRESS_EVENTS),
        "Timeout": str(order.ring_seconds),
        "TimeLimit": str(order.time_limit_seconds),
        # DetectMessageEnd waits for the beep on a machine (a message can follow);
        # a person is told apart as quickly either way.
        "MachineDetection": "DetectMessageEnd" if order.leave_voicemail else "Enable",
        "AsyncAmd": "true",
        "AsyncAmdStatusCallback": order.links["machine"],
        "AsyncAmdStatusCallbackMethod": "POST",
    }


def dial_twiml(*, target: str, links: TransferLinks, ring_seconds: int) -> str:
    """``<Dial>`` the person; the caller hears ringing until they answer
    (``answerOnBridge``); a warm transfer plays the whisper to the person first
    (``<Number url>``); the outcome goes to ``links.result``."""
    response = VoiceResponse()
    dial = Dial(action=links.result, method="POST", timeout=ring_seconds, answer_on_bridge=True)
    if links.whisper:
        dial.number(target, url=links.whisper, method="POST")
    else:
        dial.number(target)
    response.append(dial)
    return str(response)


class TwilioControl:
    async def dial(self, *, account: Account, order: OutboundDial) -> DialedCall:
        base = settings.TWILIO_API_BASE_URL.rstrip("/")
        response = await provider_request(
            "POST",
            f"{base}/2010-04-01/Accounts/{account.account_id}/Calls.json",
            account=account,
            provider=NAME,
            data=dial_form(order),
        )
        try:
            sid = response.json().get("sid")
        except (ValueError, AttributeError):
            sid = None
        if not isinstance(sid, str) or not sid:
            raise CallControlError(f"{NAME} accepted the call but gave no call id")
        return DialedCall(call_id=sid)

    async def hang_up(self, *, account: Account, call_id: str) -> None:
        await provider_request(
            "POST",
            _call_url(account, call_id),
            account=account,
            provider=NAME,
            data={"Status": "completed"},
        )

    async def transfer(
        self, *, account: Account, call_id: str, target: str, links: TransferLinks
    ) -> None:
        twiml = dial_twiml(target=target, links=links, ring_seconds=settings.TRANSFER_RING_SECONDS)
        await provider_request(
            "POST",
            _call_url(account, call_id),
            account=account,
            provider=NAME,
            data={"Twiml": twiml},
        )


CONTROL = TwilioControl()
