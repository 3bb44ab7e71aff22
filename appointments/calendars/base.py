"""What a calendar provider does for us, and the errors it may raise.

A provider module (``google.py``, ``microsoft.py``) implements ``CalendarBackend``
with the provider's own library; the registry in ``appointments.calendars`` maps
``CalendarProvider`` values to them. Backends are synchronous and do network I/O:
they run in Celery tasks or in a worker thread (``asyncio.to_thread``), never in
the shared database thread and never in the event loop. They never touch the
database: what they need comes in as arguments, refreshed tokens go out through
``Tokens.save``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

Period = tuple[dt.datetime, dt.datetime]


class CalendarError(Exception):
    """A provider call failed. The message is safe to show staff (no token in it)."""


class CalendarRetryable(CalendarError):
    """Worth trying again later: 429, 5xx, a timeout or a connection error.

    ``retry_after`` is the provider's Retry-After in seconds when it sent one.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class CalendarRejected(CalendarError):
    """The provider refused the request itself (a 4xx other than 401/429): retrying
    the same request cannot help."""


class CalendarAuthBroken(CalendarError):
    """The connection no longer works (revoked, expired refresh token, 401 after a
    refresh): the owner must connect the calendar again."""


@dataclass
class Tokens:
    """A connection's stored token data (``CalendarConnection.token_data``, decrypted).

    ``data`` is the provider's own serialisation (Google: ``Credentials.to_json()``
    as a dict; Microsoft: ``{"cache": SerializableTokenCache.serialize(), ...}``).
    A backend that refreshes or rotates tokens calls ``save`` with the new data;
    the caller persists it encrypted.
    """

    data: Mapping[str, Any]
    save: Callable[[dict[str, Any]], None] = field(default=lambda data: None)
    account_email: str = ""
    calendar_id: str = "primary"


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str = ""


@dataclass(frozen=True)
class EventDetails:
    """An appointment as a calendar event."""

    key: str  # deterministic per appointment: the provider's idempotency key
    title: str
    description: str
    start: dt.datetime  # aware (UTC)
    end: dt.datetime
    timezone: str  # IANA zone the appointment was booked in
    attendees: tuple[Attendee, ...] = ()
    location: str = ""
    online_meeting: bool = False  # ask for a Meet / Teams link


@dataclass(frozen=True)
class EventRef:
    event_id: str
    link: str = ""  # the event in the provider's web calendar
    meeting_link: str = ""  # Meet / Teams join link, when one was asked for


@dataclass(frozen=True)
class AuthorizationStart:
    """Where to send the owner to consent, and what the callback will need.

    ``pending`` is kept server-side (the session) until the callback: state, PKCE
    verifier, nonce. It never goes to the browser.
    """

    url: str
    state: str
    pending: dict[str, Any]


@dataclass(frozen=True)
class Authorized:
    account_email: str
    token_data: dict[str, Any]
    scopes: tuple[str, ...]
    expires_at: dt.datetime | None = None


class CalendarBackend(Protocol):
    provider: str  # a CalendarProvider value

    def configured(self) -> bool:
        """The server has this provider's client id and secret."""
        ...

    def authorization_start(self, *, redirect_uri: str) -> AuthorizationStart: ...

    def authorization_finish(
        self, *, pending: Mapping[str, Any], params: Mapping[str, str], redirect_uri: str
    ) -> Authorized:
        """Exchanges the callback's code for tokens. Raises ``CalendarRejected`` on a
        state mismatch, a denied consent or a refused code."""
        ...

    def event_create(self, *, tokens: Tokens, event: EventDetails) -> EventRef:
        """Creates the event; creating the same ``event.key`` again returns the
        existing event instead of a second one."""
        ...

    def event_update(self, *, tokens: Tokens, event_id: str, event: EventDetails) -> EventRef: ...

    def event_id_for_key(self, key: str) -> str | None:
        """The id an event created with ``key`` has, when the provider lets us choose it
        (Google); ``None`` when only the provider knows it (Microsoft)."""
        ...

    def event_delete(self, *, tokens: Tokens, event_id: str) -> None:
        """Deletes the event; an event already gone is not an error."""
        ...

    def busy(self, *, tokens: Tokens, start: dt.datetime, end: dt.datetime) -> list[Period]:
        """Busy periods of the connected calendar between ``start`` and ``end`` (aware, UTC)."""
        ...

    def revoke(self, *, tokens: Tokens) -> None:
        """Best effort: tells the provider we no longer hold the grant."""
        ...
