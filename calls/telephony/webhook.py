"""What every provider's voice webhook shares: public addresses and the call's answer.

A provider's webhook view checks the provider's signature, then calls
``phone_call_answer`` (which routes by the number called when the webhook's address
names no agent) and renders the result in the provider's XML: a stream to
``stream_url(...)`` carrying the token, or an apology and a hang-up.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit, urlunsplit

from agents.models import Agent
from calls import services
from calls.models import CallLog
from calls.selectors import AgentResolver
from calls.telephony import grants
from calls.telephony.control import TransferLinks
from calls.telephony.credentials import credentials_line
from calls.transfers import TransferReturn
from phone_numbers.selectors import phone_number_agent, phone_number_find
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
    *,
    provider: str,
    call_id: str,
    caller: str,
    called: str,
    agent_public_id: str | None = None,
    line: str = "",
) -> str | services.Refusal:
    """Whether an authenticated incoming call may reach an agent: the stream token to
    hand the media stream, or why not (unknown or inactive number or agent, full line,
    replayed webhook).

    Without ``agent_public_id`` the call goes to the agent of the provider's active
    number ``called``. ``line`` is the number whose own credentials signed the webhook
    (``calls.telephony.credentials``): the stream's grant carries it.
    """
    if agent_public_id is None:
        number = phone_number_find(provider=provider, number=called)
        if number is None or not number.is_active:
            reason = "unknown number" if number is None else "inactive number"
            logger.info("Refused %s call %s to %s: %s", provider, call_id, called, reason)
            return services.Refusal(reason)
        agent_public_id = number.agent.public_id
    admitted = services.phone_call_admit(public_id=agent_public_id, provider_call_id=call_id)
    if isinstance(admitted, services.Refusal):
        logger.info("Refused %s call %s to %s: %s", provider, call_id, called, admitted.reason)
        return admitted
    return grants.stream_token(
        provider=provider,
        agent_public_id=admitted.public_id,
        call_id=call_id,
        caller=caller,
        called=called,
        line=line,
    )


def return_stream_token(*, provider: str, back: TransferReturn, line: str) -> str:
    """The stream token that brings a caller back to the agent after a transfer nobody
    answered (the stream continues call log ``back.call_id``, on the call's ``line``)."""
    return grants.stream_token(
        provider=provider,
        agent_public_id=back.agent_public_id,
        call_id=back.provider_call_id,
        caller=back.caller_number,
        called=back.called_number,
        line=line,
        resume=back.call_id,
    )


def call_line(*, provider: str, call_id: str) -> str:
    """The line (``calls.telephony.credentials``) of our call ``call_id``: the number
    called, when it has its own credentials; "" for the server's account."""
    called = (
        CallLog.objects.filter(pk=call_id).values_list("called_number", flat=True).first() or ""
    )
    return credentials_line(provider=provider, called=called) if called else ""


def number_agent(provider: str) -> AgentResolver:
    """Routing by number for status callbacks: our number → its agent."""

    def resolve(number: str) -> Agent | None:
        return phone_number_agent(provider=provider, number=number)

    return resolve
