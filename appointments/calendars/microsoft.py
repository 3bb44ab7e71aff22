"""Microsoft 365 / Outlook calendars: Microsoft Graph, with delegated OAuth through msal.

A connection is one Microsoft account. Its token data is msal's own
``SerializableTokenCache`` (access, refresh and id tokens, the account) plus the
account's ``home_account_id``: ``{"cache": "...", "home_account_id": "..."}``. Every
call restores the cache into a fresh ``ConfidentialClientApplication`` (msal's app is
per process and per cache, and a backend instance is shared between threads), and a
cache msal changed (a refresh) goes back through ``Tokens.save``.

Graph requests, the error mapping and the event JSON live in ``_graph``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import warnings
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

import msal
import requests
from django.conf import settings
from msal.exceptions import MsalServiceError

from appointments.calendars import _graph
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

logger = logging.getLogger(__name__)

# msal adds openid, profile and offline_access itself (and refuses them if given).
SCOPES = ["Calendars.ReadWrite"]

# Token-endpoint errors that a new consent cannot fix: this server's client id or
# secret is wrong or expired. Marking every connection broken would make every owner
# reconnect for nothing, so they are reported as rejected instead.
_CLIENT_ERRORS = frozenset({"invalid_client", "unauthorized_client"})
_TRANSIENT_ERRORS = frozenset({"temporarily_unavailable", "server_error"})

# The callback receives the code in the query string (response_mode="query"), not as a
# cross-site form POST: the flow is kept in the Django session, and a session cookie
# with SameSite=Lax (Django's default) is not sent on a POST coming from
# login.microsoftonline.com, so a form_post callback would find no flow to finish. The
# code in the URL is single-use and worthless without the PKCE verifier and the client
# secret, both of which stay on the server. msal warns about every query-mode URL it
# builds; the choice is deliberate, so that one warning is silenced.
warnings.filterwarnings(
    "ignore",
    message=r"response_mode='form_post' is recommended",
    category=UserWarning,
    module=r"msal\.oauth2cli\.oauth2",
)


class MicrosoftCalendar:
    provider = "microsoft"

    def configured(self) -> bool:
        return bool(settings.MICROSOFT_CLIENT_ID and settings.MICROSOFT_CLIENT_SECRET)

    # --- OAuth ----------------------------------------------------------------------

    def authorization_start(self, *, redirect_uri: str) -> AuthorizationStart:
        app = self._app(msal.SerializableTokenCache())
        flow = app.initiate_auth_code_flow(
            scopes=SCOPES, redirect_uri=redirect_uri, response_mode="query"
        )
        # The whole flow (state, nonce, PKCE verifier, redirect URI, scopes) is needed
        # again by acquire_token_by_auth_code_flow; it is plain JSON, fit for a session.
        return AuthorizationStart(url=flow["auth_uri"], state=flow["state"], pending=dict(flow))

    def authorization_finish(
        self, *, pending: Mapping[str, Any], params: Mapping[str, str], redirect_uri: str
    ) -> Authorized:
        # Checked here rather than left to msal, whose ValueError also covers a token
        # answer that is not JSON; and msal's message quotes both states.
        if not pending.get("state") or params.get("state") != pending.get("state"):
            raise CalendarRejected("The Microsoft sign-in answer does not match the sign-in.")
        if pending.get("redirect_uri") != redirect_uri:
            raise CalendarRejected("The Microsoft sign-in was started for another callback.")
        cache = msal.SerializableTokenCache()
        app = self._app(cache)
        try:
            with _msal_errors():
                result = app.acquire_token_by_auth_code_flow(dict(pending), dict(params))
        except ValueError as exc:
            raise CalendarRejected("Microsoft sent an invalid sign-in answer.") from exc
        except RuntimeError as exc:
            # msal's id-token checks: a nonce mismatch in the flow is a bare RuntimeError
            # (msal 1.39), an audience or issuer mismatch an IdTokenError (a subclass).
            # Either way the id token was not issued for this sign-in.
            raise CalendarRejected("Microsoft's id token does not belong to this sign-in.") from exc
        if "error" in result:
            raise CalendarRejected(f"Microsoft sign-in failed: {_describe(result)}")
        claims = result.get("id_token_claims") or {}
        email = str(claims.get("preferred_username") or claims.get("email") or "")
        accounts = app.get_accounts()
        if not accounts:
            raise CalendarRejected("Microsoft sign-in returned no account.")
        expires_in = result.get("expires_in")
        return Authorized(
            account_email=email,
            token_data={"cache": cache.serialize(), "home_account_id": _home_id(accounts[0])},
            scopes=tuple(_scopes(result.get("scope"))),
            expires_at=(
                dt.datetime.now(dt.UTC) + dt.timedelta(seconds=int(expires_in))
                if expires_in
                else None
            ),
        )

    def revoke(self, *, tokens: Tokens) -> None:
        # Microsoft offers no revocation endpoint for a delegated grant: the refresh
        # token stays valid until it expires unused (90 days) or the owner removes the
        # app from their account. Forgetting the cache is all there is to do here.
        logger.info(
            "Microsoft has no token revocation; the token cache is simply dropped "
            "(the owner can remove the app at https://myapps.microsoft.com)."
        )

    # --- events ---------------------------------------------------------------------

    def event_create(self, *, tokens: Tokens, event: EventDetails) -> EventRef:
        calendar = tokens.calendar_id or "primary"
        path = (
            "/me/events"
            if calendar == "primary"
            else f"/me/calendars/{quote(calendar, safe='')}/events"
        )
        # A retry with the same transactionId returns the event the first try made...
        created = _graph.json_of(
            self._call(tokens, "POST", path, body=_graph.event_body(event, create=True))
        )
        ref = _graph.event_ref(created)
        # ...as it was then: a booking moved since the lost answer must move the event too.
        try:
            stale = (
                _graph.parse_graph_time(created["start"]) != event.start
                or _graph.parse_graph_time(created["end"]) != event.end
            )
        except (KeyError, TypeError, ValueError, CalendarRejected):
            stale = True
        if stale:
            return self.event_update(tokens=tokens, event_id=ref.event_id, event=event)
        return ref

    def event_id_for_key(self, key: str) -> str | None:
        return None  # Graph chooses event ids; transactionId only guards creation

    def event_update(self, *, tokens: Tokens, event_id: str, event: EventDetails) -> EventRef:
        response = self._call(
            tokens,
            "PATCH",
            f"/me/events/{quote(event_id, safe='')}",
            body=_graph.event_body(event, create=False),
        )
        return _graph.event_ref(_graph.json_of(response))

    def event_delete(self, *, tokens: Tokens, event_id: str) -> None:
        response = self._call(
            tokens, "DELETE", f"/me/events/{quote(event_id, safe='')}", allow=(404,)
        )
        if response.status_code == 404:
            logger.info("Microsoft calendar event was already gone; nothing to delete.")

    def busy(self, *, tokens: Tokens, start: dt.datetime, end: dt.datetime) -> list[Period]:
        if not tokens.account_email:
            # getSchedule names the mailbox; /me alone is not accepted.
            raise CalendarRejected("The Microsoft connection has no account e-mail address.")
        body = {
            "schedules": [tokens.account_email],
            "startTime": _graph.graph_time(start),
            "endTime": _graph.graph_time(end),
            "availabilityViewInterval": 15,
        }
        response = self._call(tokens, "POST", "/me/calendar/getSchedule", body=body)
        return _graph.busy_periods(
            _graph.json_of(response), start=start.astimezone(dt.UTC), end=end.astimezone(dt.UTC)
        )

    # --- plumbing -------------------------------------------------------------------

    def _call(
        self,
        tokens: Tokens,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        allow: tuple[int, ...] = (),
    ) -> requests.Response:
        url = settings.MICROSOFT_GRAPH_URL.rstrip("/") + path
        return _graph.request(method, url, token=self._access_token(tokens), json=body, allow=allow)

    def _app(self, cache: msal.SerializableTokenCache) -> msal.ConfidentialClientApplication:
        if not self.configured():
            raise CalendarRejected("Microsoft calendars are not configured on this server.")
        authority = f"{settings.MICROSOFT_AUTHORITY_HOST.rstrip('/')}/{settings.MICROSOFT_TENANT}"
        try:
            with _msal_errors():
                # Building the app fetches the authority's OpenID configuration.
                return msal.ConfidentialClientApplication(
                    settings.MICROSOFT_CLIENT_ID,
                    client_credential=settings.MICROSOFT_CLIENT_SECRET,
                    authority=authority,
                    token_cache=cache,
                    # The authority comes from our settings, not from a user: asking
                    # login.microsoftonline.com to vouch for it adds a request and
                    # nothing else (and would reach Microsoft from a test's fake).
                    instance_discovery=False,
                    timeout=_graph.TIMEOUT,
                )
        except ValueError as exc:
            # msal refuses a non-https authority, and an unknown tenant (discovery 4xx).
            raise CalendarRejected(
                "Microsoft sign-in is misconfigured (MICROSOFT_AUTHORITY_HOST or "
                "MICROSOFT_TENANT): the authority was refused."
            ) from exc

    def _access_token(self, tokens: Tokens) -> str:
        """A valid access token: from the cache, or through the refresh token (the
        rotated cache is then saved)."""
        cache = msal.SerializableTokenCache()
        if tokens.data.get("cache"):
            cache.deserialize(tokens.data["cache"])
        app = self._app(cache)
        account = _account(app, tokens.data.get("home_account_id"))
        if account is None:
            raise CalendarAuthBroken("The Microsoft token cache holds no account; reconnect.")
        try:
            with _msal_errors():
                result = app.acquire_token_silent_with_error(SCOPES, account=account)
        except ValueError as exc:  # a token-endpoint answer that is not JSON
            raise CalendarRetryable("Microsoft sign-in sent an unreadable answer.") from exc
        if cache.has_state_changed:
            # Saved even when the refresh failed: whatever msal learnt (a rotated
            # refresh token) must not be lost.
            tokens.save(
                {
                    **tokens.data,
                    "cache": cache.serialize(),
                    "home_account_id": _home_id(account),
                }
            )
        if not result:
            raise CalendarAuthBroken("No usable Microsoft token is cached; reconnect.")
        if "access_token" not in result:
            raise _token_error(result)
        return str(result["access_token"])


@contextlib.contextmanager
def _msal_errors() -> Iterator[None]:
    """msal's transport failures as our errors (msal lets requests' exceptions through,
    and raises MsalServiceError for a 5xx from the identity platform)."""
    try:
        yield
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise CalendarRetryable(
            f"Microsoft sign-in did not answer ({type(exc).__name__})."
        ) from exc
    except MsalServiceError as exc:
        raise CalendarRetryable("Microsoft sign-in failed with a server error.") from exc


def _token_error(result: Mapping[str, Any]) -> CalendarError:
    error = str(result.get("error") or "")
    message = f"Microsoft refused the token refresh: {_describe(result)}"
    if error in _TRANSIENT_ERRORS:
        return CalendarRetryable(message)
    if error in _CLIENT_ERRORS:
        return CalendarRejected(message)
    # invalid_grant (expired, revoked, password changed), interaction_required,
    # consent_required and the like: only the owner signing in again helps.
    logger.warning("Microsoft calendar grant no longer works: %s", error or "unknown error")
    return CalendarAuthBroken(message)


def _describe(result: Mapping[str, Any]) -> str:
    # AADSTS descriptions carry trace and correlation ids on further lines; the first
    # line is the part a person can act on.
    description = str(result.get("error_description") or "").strip().splitlines()
    error = str(result.get("error") or "unknown_error")
    return f"{error}: {description[0]}" if description else error


def _account(
    app: msal.ConfidentialClientApplication, home_account_id: str | None
) -> dict[str, Any] | None:
    accounts: list[dict[str, Any]] = app.get_accounts()
    if home_account_id:
        return next((a for a in accounts if a.get("home_account_id") == home_account_id), None)
    # Token data saved without the id (by hand, or an older format): one account is
    # unambiguous.
    return accounts[0] if len(accounts) == 1 else None


def _home_id(account: Mapping[str, Any]) -> str:
    return str(account.get("home_account_id") or "")


def _scopes(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list | tuple):
        return [str(s) for s in value]
    return list(SCOPES)
