"""What every provider's voice webhook shares: public addresses and the call's answer.

A provider's webhook view checks the provider's signature, then calls
``phone_call_answer`` and renders the result in the provider's XML: a stream to
``stream_url(...)`` carrying the token, or an apology and a hang-up.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit, urlunsplit

from calls import services
from calls.telephony import grants
from calls.telephony.control import TransferLinks
from calls.transfers import TransferReturn
from voiceagent.links import configured_base_url

logger = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = "Sorry, nobody can take your call right now. Please try again later."


def public_url(*, path: str, query: str = "") -> str:
    """A URL as the provider knows it (signatures cover it byte for byte), on
    PUBLIC_BASE_URL, so that a proxy in front of this server does not break them."""
    base = urlsplit(configured_base_url())
    return urlunsplit((base.scheme, base.netloc, path, query, ""))


def stream_url(path: str) -> str:
    """A media stream's URL: wss on an https server (providers need wss)."""
    base = urlsplit(configured_base_url())
    scheme = "wss" if base.scheme == "https" else "ws"
    return urlunsplit((scheme, base.netloc, path, "", ""))


def transfer_links(*, provider: str, call_id: str, warm: bool) -> TransferLinks:
    """Where a provider fetches a transfer's instructions for our call ``call_id``
    (each provider's ``urls`` routes ``<provider>/transfer/<call id>/<step>/``)."""

    def link(step: str) -> str:
        return public_url(path=f"/{provider}/transfer/{call_id}/{step}/")

    return TransferLinks(
        dial=link("dial"),
        result=link("result"),
        whisper=link("whisper") if warm else "",
        hold=link("hold"),
    )


def phone_call_answer(
    *, provider: str, agent_public_id: str, call_id: str, caller: str, called: str
) -> str | services.Refusal:
    """Whether an authenticated incoming call may reach the agent: the stream token to
    hand the media stream, or why not (unknown agent, full line, replayed webhook)."""
    admitted = services.phone_call_admit(public_id=agent_public_id, provider_call_id=call_id)
    if isinstance(admitted, services.Refusal):
        logger.info("Refused %s call %s: %s", provider, call_id, admitted.reason)
        return admitted
    return grants.stream_token(
        provider=provider,
        agent_public_id=admitted.public_id,
        call_id=call_id,
        caller=caller,
        called=called,
    )


def return_stream_token(*, provider: str, back: TransferReturn) -> str:
    """The stream token that brings a caller back to the agent after a transfer nobody
    answered (the stream continues call log ``back.call_id``)."""
    return grants.stream_token(
        provider=provider,
        agent_public_id=back.agent_public_id,
        call_id=back.provider_call_id,
        caller=back.caller_number,
        called=back.called_number,
        resume=back.call_id,
    )
