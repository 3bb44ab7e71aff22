"""Google Calendar: google-api-python-client for the API, google-auth for the tokens,
google-auth-oauthlib's ``Flow`` for the consent.

Every call builds its own service and ``httplib2.Http`` (neither is thread-safe) with
a timeout, and never retries by itself: the task layer decides about retries from
the ``CalendarError`` subclass that ``_google_errors`` maps every failure to.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

import google.auth.exceptions
import httplib2  # type: ignore[import-untyped]  # no stubs
import requests
from django.conf import settings
from google.auth import jwt
from google.oauth2.credentials import Credentials
from google_auth_httplib2 import AuthorizedHttp  # type: ignore[import-untyped]  # no stubs
from google_auth_oauthlib.flow import Flow
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from oauthlib.oauth2 import OAuth2Error  # type: ignore[import-untyped]  # no stubs

from appointments.calendars.base import (
    AuthorizationStart,
    Authorized,
    CalendarAuthBroken,
    CalendarError,
    CalendarRejected,
    CalendarRetryable,
    EventDetails,
    EventRef,
    Period,
    Tokens,
)
from voiceagent.retry import retry_after_seconds

logger = logging.getLogger(__name__)

EVENTS_SCOPE = "https://www.googleapis.com/auth/calendar.events"
FREEBUSY_SCOPE = "https://www.googleapis.com/auth/calendar.freebusy"
# openid + userinfo.email put the account's address in the token response's id_token;
# the full scope name, not "email", because Google answers with the full name and
# oauthlib treats any difference between asked and granted scopes as a change.
SCOPES = ("openid", "https://www.googleapis.com/auth/userinfo.email", EVENTS_SCOPE, FREEBUSY_SCOPE)
REQUIRED_SCOPES = frozenset({EVENTS_SCOPE, FREEBUSY_SCOPE})

# Per request; a call makes at most three (token refresh, insert, get) within
# Celery's soft time limit.
HTTP_TIMEOUT_SECONDS = 15.0
# 403 reasons that Google documents as "back off and retry" rather than a refusal.
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"})
CALENDAR_SERVICE_PATH = "calendar/v3/"


def event_id_for(key: str) -> str:
    """Google's id for the event of ``key``: a sha256 hex digest, whose 0-9a-f
    characters are a subset of the base32hex alphabet Google asks for, 64 long.

    Deterministic, so a retried insert collides (409) instead of duplicating."""
    return hashlib.sha256(key.encode()).hexdigest()


def _http_error(exc: HttpError) -> CalendarError:
    status = exc.status_code
    details = exc.error_details if isinstance(exc.error_details, list) else []
    reasons = {d.get("reason") for d in details if isinstance(d, dict)}
    message = f"Google Calendar answered {status}: {exc.reason}"
    if status == 429 or status >= 500 or (status == 403 and reasons & RATE_LIMIT_REASONS):
        return CalendarRetryable(
            message, retry_after=retry_after_seconds(exc.resp.get("retry-after"))
        )
    if status == 401:
        # google-auth has already refreshed the token and tried again by now.
        return CalendarAuthBroken(message)
    return CalendarRejected(message)


@contextlib.contextmanager
def _google_errors() -> Iterator[None]:
    """Maps every failure of a Google call to a ``CalendarError``. The messages are
    built here, from the status and Google's error message, never from a request."""
    try:
        yield
    except CalendarError:
        raise
    except HttpError as exc:
        raise _http_error(exc) from exc
    except google.auth.exceptions.RefreshError as exc:
        # invalid_grant (revoked, expired, password changed) is final; a 5xx of the
        # token endpoint that google-auth gave up on is not.
        if exc.retryable:
            raise CalendarRetryable("Google's token endpoint is unavailable.") from exc
        raise CalendarAuthBroken("Google refused to refresh the access token.") from exc
    except google.auth.exceptions.TransportError as exc:
        raise CalendarRetryable("Google could not be reached to refresh the token.") from exc
    except (httplib2.HttpLib2Error, requests.RequestException, OSError) as exc:
        # OSError covers socket timeouts, refused connections and TLS failures.
        raise CalendarRetryable(f"Google could not be reached ({type(exc).__name__}).") from exc


def _dt(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value).astimezone(dt.UTC)


def _event_body(event: EventDetails) -> dict[str, Any]:
    def when(moment: dt.datetime) -> dict[str, str]:
        # The UTC offset fixes the instant; timeZone is how Google shows it.
        value = {"dateTime": moment.astimezone(dt.UTC).isoformat()}
        if event.timezone:
            value["timeZone"] = event.timezone
        return value

    body: dict[str, Any] = {
        "summary": event.title,
        "description": event.description,
        "start": when(event.start),
        "end": when(event.end),
        "attendees": [
            {"email": a.email, **({"displayName": a.name} if a.name else {})}
            for a in event.attendees
        ],
    }
    if event.location:
        body["location"] = event.location
    if event.online_meeting:
        body["conferenceData"] = {
            "createRequest": {
                # Google ignores a second request with the same id: a retry cannot
                # create a second Meet.
                "requestId": event_id_for(event.key),
                "conferenceSolutionKey": {"type": "hangoutsMeet"},
            }
        }
    return body


def _event_ref(data: Mapping[str, Any]) -> EventRef:
    meeting_link = data.get("hangoutLink") or ""
    if not meeting_link:
        # Meet creation is asynchronous ("pending"): the link may come later.
        entry_points = (data.get("conferenceData") or {}).get("entryPoints") or []
        meeting_link = next(
            (p.get("uri", "") for p in entry_points if p.get("entryPointType") == "video"), ""
        )
    return EventRef(event_id=data["id"], link=data.get("htmlLink", ""), meeting_link=meeting_link)


class GoogleCalendar:
    provider = "google"

    def __init__(self, *, http_factory: Callable[[], Any] | None = None) -> None:
        # A seam for googleapiclient's HttpMock*: everything else uses a fresh
        # httplib2.Http per call.
        self._http_factory = http_factory or (lambda: httplib2.Http(timeout=HTTP_TIMEOUT_SECONDS))

    def configured(self) -> bool:
        return bool(settings.GOOGLE_CLIENT_ID and settings.GOOGLE_CLIENT_SECRET)

    # OAuth ------------------------------------------------------------------------

    def _flow(self, *, redirect_uri: str, scopes: tuple[str, ...] | None, **kwargs: Any) -> Flow:
        client_config = {
            "web": {
                "client_id": settings.GOOGLE_CLIENT_ID,
                "client_secret": settings.GOOGLE_CLIENT_SECRET,
                "auth_uri": settings.GOOGLE_OAUTH_AUTH_URI,
                "token_uri": settings.GOOGLE_OAUTH_TOKEN_URI,
            }
        }
        return Flow.from_client_config(
            client_config, scopes=scopes, redirect_uri=redirect_uri, **kwargs
        )

    def authorization_start(self, *, redirect_uri: str) -> AuthorizationStart:
        flow = self._flow(redirect_uri=redirect_uri, scopes=SCOPES)
        # Flow adds access_type=offline and a PKCE S256 challenge; prompt=consent makes
        # Google issue a refresh token even to an account that consented before.
        url, state = flow.authorization_url(prompt="consent")
        return AuthorizationStart(
            url=url, state=state, pending={"state": state, "code_verifier": flow.code_verifier}
        )

    def authorization_finish(
        self, *, pending: Mapping[str, Any], params: Mapping[str, str], redirect_uri: str
    ) -> Authorized:
        expected_state = str(pending.get("state") or "")
        if not expected_state or not hmac.compare_digest(
            str(params.get("state", "")), expected_state
        ):
            raise CalendarRejected("The Google sign-in does not match this session; try again.")
        if params.get("error"):
            raise CalendarRejected(f"Google sign-in was not completed ({params['error']}).")
        if not params.get("code"):
            raise CalendarRejected("Google sent no authorization code.")

        # No scopes here: oauthlib would raise if the granted set differs from the
        # asked one (Google lets the owner untick scopes); the check below is ours.
        flow = self._flow(
            redirect_uri=redirect_uri,
            scopes=None,
            state=expected_state,
            code_verifier=pending.get("code_verifier"),
            autogenerate_code_verifier=False,
        )
        flow.oauth2session.register_compliance_hook("access_token_response", _raise_for_5xx)
        with _google_errors():
            try:
                token = flow.fetch_token(code=params["code"], timeout=HTTP_TIMEOUT_SECONDS)
            except OAuth2Error as exc:
                raise CalendarRejected(
                    f"Google refused the authorization code ({exc.error})."
                ) from exc

        # oauthlib hands the scope back as a list; Google sent a string.
        scope = token.get("scope") or []
        granted = tuple(scope.split() if isinstance(scope, str) else scope)
        if not REQUIRED_SCOPES <= set(granted):
            raise CalendarRejected(
                "Google did not grant calendar access; allow both calendar permissions."
            )
        if not token.get("refresh_token"):
            raise CalendarRejected("Google sent no refresh token; connect the calendar again.")
        # requests-oauthlib always sets expires_at (from expires_in).
        expires_at = dt.datetime.fromtimestamp(float(token["expires_at"]), dt.UTC)
        creds = Credentials(
            token["access_token"],
            refresh_token=token["refresh_token"],
            token_uri=settings.GOOGLE_OAUTH_TOKEN_URI,
            client_id=settings.GOOGLE_CLIENT_ID,
            scopes=list(granted),
            expiry=expires_at.replace(tzinfo=None),  # google-auth wants naive UTC
        )
        return Authorized(
            account_email=_id_token_email(token.get("id_token")),
            token_data=_token_data(creds),
            scopes=granted,
            expires_at=expires_at,
        )

    # Calendar API -----------------------------------------------------------------

    def _credentials(self, tokens: Tokens) -> Credentials:
        # The client and the token endpoint come from settings, not from the stored
        # data, so a rotated client secret applies to every connection.
        info = {
            **tokens.data,
            "client_id": settings.GOOGLE_CLIENT_ID,
            "client_secret": settings.GOOGLE_CLIENT_SECRET,
        }
        try:
            creds = Credentials.from_authorized_user_info(info)
        except ValueError as exc:
            raise CalendarAuthBroken("The stored Google token data is incomplete.") from exc
        # from_authorized_user_info always sets Google's own token endpoint (google-auth
        # ignores a stored token_uri), so an override needs its own step, and that copy
        # drops the expiry, without which an expired token would never be refreshed
        # before the request.
        if creds.token_uri != settings.GOOGLE_OAUTH_TOKEN_URI:
            expiry = creds.expiry
            creds = creds.with_token_uri(settings.GOOGLE_OAUTH_TOKEN_URI)
            creds.expiry = expiry
        return creds

    @contextlib.contextmanager
    def _service(self, tokens: Tokens) -> Iterator[Any]:
        """A calendar service for one call; saves the token if google-auth refreshed it."""
        creds = self._credentials(tokens)
        token_before = creds.token
        client_options = None
        if settings.GOOGLE_API_ENDPOINT:
            # api_endpoint replaces rootUrl + servicePath, so the path goes back on.
            root = settings.GOOGLE_API_ENDPOINT.rstrip("/") + "/"
            client_options = {"api_endpoint": root + CALENDAR_SERVICE_PATH}
        http = AuthorizedHttp(creds, http=self._http_factory())
        try:
            with _google_errors():
                yield build(
                    "calendar",
                    "v3",
                    http=http,
                    static_discovery=True,
                    cache_discovery=False,
                    client_options=client_options,
                )
        finally:
            # Also after a failed call: the refreshed token is good for an hour.
            if creds.token and creds.token != token_before:
                tokens.save(_token_data(creds))

    def event_create(self, *, tokens: Tokens, event: EventDetails) -> EventRef:
        event_id = event_id_for(event.key)
        body = {"id": event_id, **_event_body(event)}
        with self._service(tokens) as service:
            events = service.events()
            try:
                created = _run(events.insert(body=body, **_write_args(tokens, event)))
            except HttpError as exc:
                if exc.status_code != 409:
                    raise
                # An earlier attempt created it (its answer was lost). The booking may have
                # moved since, and a deleted event keeps its id: write it as it is now.
                logger.info("Google event %s already exists; bringing it up to date", event_id)
                body["status"] = "confirmed"
                created = _run(
                    events.update(eventId=event_id, body=body, **_write_args(tokens, event))
                )
        return _event_ref(created)

    def event_id_for_key(self, key: str) -> str | None:
        return event_id_for(key)

    def event_update(self, *, tokens: Tokens, event_id: str, event: EventDetails) -> EventRef:
        with self._service(tokens) as service:
            # patch, not update: what the owner set in Google (reminders, colour) stays.
            request = service.events().patch(
                eventId=event_id, body=_event_body(event), **_write_args(tokens, event)
            )
            return _event_ref(_run(request))

    def event_delete(self, *, tokens: Tokens, event_id: str) -> None:
        with self._service(tokens) as service:
            request = service.events().delete(
                calendarId=tokens.calendar_id, eventId=event_id, sendUpdates="all"
            )
            try:
                _run(request)
            except HttpError as exc:
                # 404: never there or removed by hand; 410: deleted before.
                if exc.status_code not in (404, 410):
                    raise
                logger.info("Google event %s was already gone (%s)", event_id, exc.status_code)

    def busy(self, *, tokens: Tokens, start: dt.datetime, end: dt.datetime) -> list[Period]:
        body = {
            "timeMin": start.astimezone(dt.UTC).isoformat(),
            "timeMax": end.astimezone(dt.UTC).isoformat(),
            "timeZone": "UTC",
            "items": [{"id": tokens.calendar_id}],
        }
        with self._service(tokens) as service:
            answer = _run(service.freebusy().query(body=body))
        calendar = (answer.get("calendars") or {}).get(tokens.calendar_id) or {}
        # A calendar's own failure arrives inside a 200, not as an HttpError.
        reasons = {e.get("reason", "") for e in calendar.get("errors") or []}
        if reasons & {"backendError", "internalError"}:
            raise CalendarRetryable("Google could not read the calendar's free/busy times.")
        if reasons:
            reason = ", ".join(sorted(reasons))
            raise CalendarRejected(
                f"Google could not read the calendar's free/busy times ({reason})."
            )
        return [(_dt(p["start"]), _dt(p["end"])) for p in calendar.get("busy") or []]

    def revoke(self, *, tokens: Tokens) -> None:
        token = tokens.data.get("refresh_token") or tokens.data.get("token")
        uri = settings.GOOGLE_OAUTH_REVOKE_URI
        if not token or not uri:
            logger.info("Google grant not revoked: no token or no revoke endpoint")
            return
        try:
            # The token goes in the form body, not the URL, which proxies log.
            response, _ = self._http_factory().request(
                uri,
                "POST",
                body=urlencode({"token": token}),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        except (httplib2.HttpLib2Error, OSError) as exc:
            logger.warning("Google grant not revoked: %s", type(exc).__name__)
            return
        if response.status != 200:
            # 400 invalid_token: the grant was already gone, which is the goal.
            logger.info("Google revoke answered %s", response.status)


def _run(request: Any) -> Any:
    # No retry here (googleapiclient would sleep in the worker): the task layer
    # retries with its own backoff.
    return request.execute(num_retries=0)


def _write_args(tokens: Tokens, event: EventDetails) -> dict[str, Any]:
    return {
        "calendarId": tokens.calendar_id,
        # Without 1, Google silently ignores conferenceData.
        "conferenceDataVersion": 1 if event.online_meeting else 0,
        "sendUpdates": "all",
    }


def _raise_for_5xx(response: requests.Response) -> requests.Response:
    # requests-oauthlib parses any body as a token response, so an outage would
    # look like a refused code.
    if response.status_code == 429 or response.status_code >= 500:
        raise CalendarRetryable(
            f"Google's token endpoint answered {response.status_code}.",
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )
    return response


def _token_data(creds: Credentials) -> dict[str, Any]:
    # The client secret comes from settings on every load; no need to store a copy
    # of it in every connection.
    data: dict[str, Any] = json.loads(creds.to_json(strip=["client_secret"]))
    return data


def _id_token_email(id_token: str | None) -> str:
    """The account's address from the id_token. Unverified on purpose: it came straight
    from the token endpoint over TLS (OpenID Connect core 3.1.3.7), and is only
    shown to the owner."""
    if not id_token:
        return ""
    try:
        claims = jwt.decode(id_token, verify=False)
    except ValueError:
        logger.warning("Google sent an id_token that does not parse")
        return ""
    if claims.get("aud") != settings.GOOGLE_CLIENT_ID:
        logger.warning("Google id_token is for another client; ignoring its email")
        return ""
    return str(claims.get("email", ""))
