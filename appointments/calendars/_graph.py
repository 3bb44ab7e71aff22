"""Microsoft Graph over HTTP: one request helper, one error mapping, and the
translation between ``EventDetails`` and Graph's event and schedule JSON.

Kept apart from ``microsoft.py`` (which owns msal and the OAuth flow) so that the
wire format can be read, and tested, without any token machinery.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Collection
from typing import Any

import requests

from appointments.calendars.base import (
    CalendarAuthBroken,
    CalendarError,
    CalendarRejected,
    CalendarRetryable,
    EventDetails,
    EventRef,
    Period,
)
from voiceagent.retry import retry_after_seconds

# (connect, read) in seconds. Graph answers in well under a second when healthy; a
# stuck call would otherwise hold a Celery worker or the booking thread for minutes.
TIMEOUT = (5.0, 10.0)

# UTC in every answer (so nothing has to map Windows zone names back), and ids that
# survive the event being moved between folders (the id is stored with the booking).
PREFER = 'outlook.timezone="UTC", IdType="ImmutableId"'

# Tentative counts as busy: a tentative hold means the owner may well attend, and
# offering a caller that slot risks a double booking, which costs more than a slot
# that stays unoffered. workingElsewhere is free (the owner is working, remotely).
BUSY_STATUSES = frozenset({"busy", "oof", "tentative"})

# transactionId is derived, not stored: the same appointment key always gives the same
# id, so a retried create is recognised by Graph even after a worker crash.
_TRANSACTION_NAMESPACE = uuid.UUID("5b0f6f0e-6d0c-4d84-9a3e-2f6f1c1d7a42")


def transaction_id(key: str) -> str:
    """Graph's idempotency key for ``key``: a UUID, the form Graph's own examples use
    (36 characters, so well inside any length limit)."""
    return str(uuid.uuid5(_TRANSACTION_NAMESPACE, key))


def request(
    method: str,
    url: str,
    *,
    token: str,
    json: dict[str, Any] | None = None,
    allow: Collection[int] = (),
) -> requests.Response:
    """Sends one Graph request; a 2xx, or a status in ``allow``, is returned, anything
    else raised as a ``CalendarError`` (see ``error_for``)."""
    headers = {"Authorization": f"Bearer {token}", "Prefer": PREFER, "Accept": "application/json"}
    try:
        response = requests.request(method, url, headers=headers, json=json, timeout=TIMEOUT)
    except (requests.Timeout, requests.ConnectionError) as exc:
        # The exception text may name the URL, never a header; still, only its class
        # goes into a message staff can read.
        raise CalendarRetryable(f"Microsoft Graph did not answer ({type(exc).__name__}).") from exc
    if response.ok or response.status_code in allow:
        return response
    raise error_for(response)


def error_for(response: requests.Response) -> CalendarError:
    """The one mapping from a failed Graph response to our errors."""
    status = response.status_code
    message = f"Microsoft Graph {status}: {_error_message(response)}"
    if status == 429 or status >= 500:
        # 429 throttling, 503/504 overload and other 5xx are all worth another go.
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        return CalendarRetryable(message, retry_after=retry_after)
    if status == 401:
        # msal hands out only tokens it considers valid, so a 401 means Microsoft no
        # longer honours the grant (revoked, password reset, account disabled).
        return CalendarAuthBroken(message)
    return CalendarRejected(message)


def _error_message(response: requests.Response) -> str:
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        error = None
    if isinstance(error, dict) and error.get("message"):
        code = error.get("code")
        return f"{code}: {error['message']}" if code else str(error["message"])
    return response.reason or "no error message"


def json_of(response: requests.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError as exc:
        # A 2xx that is not JSON comes from something in between (a proxy's page).
        raise CalendarRetryable("Microsoft Graph sent a response that is not JSON.") from exc
    if not isinstance(payload, dict):
        raise CalendarRetryable("Microsoft Graph sent an unexpected response.")
    return payload


def graph_time(moment: dt.datetime) -> dict[str, str]:
    """A ``dateTimeTimeZone`` in UTC. Graph documents Windows zone names for
    ``timeZone``; UTC is valid in every tenant, so the booking's IANA zone is not sent
    (the owner's Outlook shows the event in the owner's own zone either way)."""
    if moment.tzinfo is None:
        raise ValueError("Calendar times must be timezone-aware.")
    utc = moment.astimezone(dt.UTC)
    return {"dateTime": utc.replace(tzinfo=None).isoformat(timespec="seconds"), "timeZone": "UTC"}


def parse_graph_time(value: dict[str, Any]) -> dt.datetime:
    """An aware UTC datetime from Graph's ``dateTimeTimeZone`` (``PREFER`` asks for UTC)."""
    zone_name = value.get("timeZone") or "UTC"
    # Graph writes seven fractional digits; fromisoformat reads them from Python 3.11.
    moment = dt.datetime.fromisoformat(value["dateTime"])
    if moment.tzinfo is None:
        try:
            zone: dt.tzinfo = (
                dt.UTC if zone_name in {"UTC", "Etc/UTC"} else zoneinfo.ZoneInfo(zone_name)
            )
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise CalendarRejected(
                f"Microsoft Graph sent an unknown time zone: {zone_name}"
            ) from exc
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(dt.UTC)


def event_body(event: EventDetails, *, create: bool) -> dict[str, Any]:
    """Graph's event JSON for ``event``. On update, every field we own is sent again
    (PATCH replaces what it names), except the ones Graph fixes at creation."""
    body: dict[str, Any] = {
        "subject": event.title,
        # Plain text: the description is built from what a caller said, and must not
        # be able to inject markup into the owner's mailbox.
        "body": {"contentType": "text", "content": event.description},
        "start": graph_time(event.start),
        "end": graph_time(event.end),
        "location": {"displayName": event.location},
        "attendees": [
            {"emailAddress": {"address": a.email, "name": a.name or a.email}, "type": "required"}
            for a in event.attendees
        ],
    }
    if event.online_meeting:
        # Only ever switched on: Graph refuses to turn an online meeting off again.
        body["isOnlineMeeting"] = True
        body["onlineMeetingProvider"] = "teamsForBusiness"
    if create:
        body["transactionId"] = transaction_id(event.key)
    return body


def event_ref(payload: dict[str, Any]) -> EventRef:
    meeting = payload.get("onlineMeeting") or {}
    return EventRef(
        event_id=str(payload["id"]),
        link=str(payload.get("webLink") or ""),
        meeting_link=str(meeting.get("joinUrl") or ""),
    )


def busy_periods(payload: dict[str, Any], *, start: dt.datetime, end: dt.datetime) -> list[Period]:
    """Busy periods from a getSchedule answer, clipped to the window, in order."""
    periods: list[Period] = []
    for schedule in payload.get("value") or []:
        error = schedule.get("error")
        if error:
            raise CalendarRejected(
                "Microsoft Graph could not read the schedule: "
                f"{error.get('message') or error.get('responseCode') or 'unknown error'}"
            )
        for item in schedule.get("scheduleItems") or []:
            if item.get("status") not in BUSY_STATUSES:
                continue
            item_start = max(parse_graph_time(item["start"]), start)
            item_end = min(parse_graph_time(item["end"]), end)
            if item_start < item_end:
                periods.append((item_start, item_end))
    return sorted(periods)
