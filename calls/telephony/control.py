"""Call control: what the bridge asks of a provider's REST API during a call.

Each provider implements ``CallControl`` in ``<provider>/control.py`` (hang up the
live call; put it through to a person), and its consumer names it. Requests are async,
from the call's event loop, with ``TELEPHONY_API_TIMEOUT``: the shared database
thread never waits on a provider. A failure is a ``CallControlError`` whose message
is safe to store and to say (no credentials, the provider's own words cut short).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

import httpx2
from django.conf import settings

from calls.telephony.credentials import ProviderCredentials

# The account a call is on, as call control sees it (its REST API's id and token).
Account = ProviderCredentials

logger = logging.getLogger(__name__)


class CallControlError(Exception):
    """A provider refused or did not answer a call-control request."""


@dataclass(frozen=True, slots=True)
class TransferLinks:
    """Where the provider fetches a transfer's instructions (our signed webhooks), all
    absolute on PUBLIC_BASE_URL; ``whisper`` only for warm transfers."""

    dial: str  # the XML that dials the person (providers that fetch it: Plivo)
    result: str  # the dial's outcome (answered, or back to the agent)
    whisper: str  # what the person hears first ("" for a cold transfer)
    hold: str  # what the caller hears while the person's phone rings ("": ringback)


@dataclass(frozen=True, slots=True)
class OutboundDial:
    """A call the agent places (``outbound``): to whom, from which of our numbers, and
    where the provider reports (``links``: ``answer``, ``status`` and ``machine``, our
    signed webhooks for the attempt)."""

    to: str
    from_: str
    links: dict[str, str]
    ring_seconds: int
    time_limit_seconds: int
    # Answering-machine detection that waits for the end of the greeting (the beep)
    # where the provider can, so that a message can follow; else a quick verdict.
    leave_voicemail: bool


@dataclass(frozen=True, slots=True)
class DialedCall:
    call_id: str  # the provider's call id when it gives one at once (Twilio's CallSid)
    request_id: str = ""  # the request's id when the call's comes later (Plivo)


class CallControl(Protocol):
    async def hang_up(self, *, account: Account, call_id: str) -> None:
        """Ends the live call ``call_id``."""

    async def transfer(
        self, *, account: Account, call_id: str, target: str, links: TransferLinks
    ) -> None:
        """Takes the live call off the media stream and dials ``target`` for it."""

    async def dial(self, *, account: Account, order: OutboundDial) -> DialedCall:
        """Places an outbound call; the provider fetches ``order.links["answer"]`` once
        it is answered."""


async def provider_request(
    method: str,
    url: str,
    *,
    account: Account,
    provider: str,
    data: dict[str, str | list[str]] | None = None,
    json: dict[str, Any] | None = None,
    ok: tuple[int, ...] = (200, 201, 202, 204),
) -> httpx2.Response:
    """One authenticated request (HTTP basic with the account), or CallControlError."""
    try:
        async with httpx2.AsyncClient(
            timeout=settings.TELEPHONY_API_TIMEOUT, trust_env=False
        ) as client:
            response = await client.request(
                method,
                url,
                data=data,
                json=json,
                auth=(account.account_id, account.auth_token),
            )
    except httpx2.TimeoutException:
        raise CallControlError(f"{provider} did not answer in time") from None
    except httpx2.HTTPError as exc:
        raise CallControlError(f"{provider} could not be reached ({type(exc).__name__})") from None
    if response.status_code not in ok:
        raise CallControlError(
            f"{provider} answered {response.status_code}: {_provider_message(response)}"
        )
    return response


def _provider_message(response: httpx2.Response) -> str:
    """The provider's own explanation, short (Twilio: ``message``; Plivo: ``error``)."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        for key in ("message", "error", "detail"):
            if isinstance(body.get(key), str):
                return str(body[key])[:200]
    return str(body)[:200]
