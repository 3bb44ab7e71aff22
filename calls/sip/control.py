"""OpenAI's control of a SIP call (``POST /v1/realtime/calls/{call_id}/accept`` | ``reject`` |
``refer`` | ``hangup``) through the ``openai`` package's async client, and the accept body.

Requests run in the event loop (never in the shared database thread) with
``OPENAI_SIP_API_TIMEOUT``; the base URL is ``OPENAI_BASE_URL`` (tests point it at a fake).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from openai import APIConnectionError, APIStatusError, AsyncOpenAI, NotFoundError
from openai.types.realtime.call_accept_params import CallAcceptParams
from pydantic import TypeAdapter, ValidationError

from calls.realtime.config import AgentSnapshot, session_for_sip_accept

logger = logging.getLogger(__name__)

_ACCEPT_BODY = TypeAdapter(CallAcceptParams)
_ACCEPT_KEYS = CallAcceptParams.__required_keys__ | CallAcceptParams.__optional_keys__


class InvalidSession(ValueError):
    """The accept body is not a session OpenAI takes (OpenAI answers 200 to a malformed
    one, then fails the call: it is checked here first)."""


class CallGone(Exception):
    """OpenAI knows no such call any more (404): the caller hung up, or a late retry."""


def openai_client() -> AsyncOpenAI:
    return AsyncOpenAI(
        api_key=settings.OPENAI_API_KEY or "not-configured",
        base_url=settings.OPENAI_BASE_URL,
        webhook_secret=settings.OPENAI_WEBHOOK_SECRET or None,
        timeout=settings.OPENAI_SIP_API_TIMEOUT,
        # Once more on a connection error or a 5xx: a ringing caller cannot wait longer.
        max_retries=1,
    )


def accept_body(agent: AgentSnapshot, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The agent's session for ``accept``: the WebSocket bridge's builder
    (calls/realtime/config.py), without audio formats (the carrier negotiates G.711),
    validated against the ``openai`` package's ``CallAcceptParams``."""
    body = session_for_sip_accept(agent, now=now or dt.datetime.now(dt.UTC))
    accept_body_validate(body)
    return body


def accept_body_validate(body: dict[str, Any]) -> None:
    """Raises ``InvalidSession`` unless ``body`` is a ``CallAcceptParams`` with no key
    the type does not know (pydantic alone lets unknown TypedDict keys through)."""
    unknown = set(body) - _ACCEPT_KEYS
    if unknown:
        raise InvalidSession(f"unknown session fields: {sorted(unknown)}")
    try:
        _ACCEPT_BODY.validate_python(body)
    except ValidationError as exc:
        raise InvalidSession(str(exc)) from None


def _failure(exc: Exception) -> str:
    if isinstance(exc, APIStatusError):
        return f"OpenAI answered {exc.status_code}"
    if isinstance(exc, APIConnectionError):
        return "OpenAI could not be reached" + (" in time" if "timed out" in str(exc) else "")
    return f"{type(exc).__name__}"


async def call_accept(*, sip_call_id: str, body: dict[str, Any]) -> None:
    """Answers the call with the session ``body``; ``CallGone`` on 404; other failures
    raise ``CallControlError``."""
    async with openai_client() as client:
        try:
            await client.realtime.calls.accept(sip_call_id, **body)
        except NotFoundError:
            raise CallGone(sip_call_id) from None
        except (APIStatusError, APIConnectionError) as exc:
            raise CallControlError(_failure(exc)) from exc


async def call_reject(*, sip_call_id: str, status_code: int) -> str:
    """Refuses the call with a SIP status (404 unknown number, 486 busy…): '' when done."""
    return await _control("reject", sip_call_id, status_code=status_code)


async def call_refer(*, sip_call_id: str, target_uri: str) -> str:
    """Blind transfer (a SIP REFER to ``tel:+…`` or ``sip:…``): '' when OpenAI took it."""
    return await _control("refer", sip_call_id, target_uri=target_uri)


async def call_hangup(*, sip_call_id: str) -> str:
    """Ends the call: '' when done or already gone, else what went wrong."""
    return await _control("hangup", sip_call_id)


class CallControlError(Exception):
    pass


async def _control(action: str, sip_call_id: str, **body: Any) -> str:
    async with openai_client() as client:
        try:
            await getattr(client.realtime.calls, action)(sip_call_id, **body)
        except NotFoundError:
            if action == "hangup":
                return ""  # already over
            return "the call is over"
        except (APIStatusError, APIConnectionError) as exc:
            logger.warning("SIP call %s: %s failed (%s)", sip_call_id, action, _failure(exc))
            return _failure(exc)
    return ""
