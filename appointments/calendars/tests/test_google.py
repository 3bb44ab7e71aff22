"""The Google Calendar backend against a local fake of Google (no network, no keys)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import socket
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httplib2  # type: ignore[import-untyped]
import pytest
from googleapiclient.http import HttpMockSequence
from pytest_django import Settings as SettingsWrapper

from appointments.calendars import backend_for, google
from appointments.calendars.base import (
    Attendee,
    CalendarAuthBroken,
    CalendarRejected,
    CalendarRetryable,
    EventDetails,
    Tokens,
)
from appointments.calendars.google import GoogleCalendar, event_id_for, retry_after_seconds
from appointments.calendars.tests.fake_google import (
    ACCOUNT_EMAIL,
    CLIENT_ID,
    CLIENT_SECRET,
    FakeGoogle,
)

CALENDAR_SCOPES = (
    "https://www.googleapis.com/auth/calendar.events "
    "https://www.googleapis.com/auth/calendar.freebusy"
)
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
REDIRECT_URI = "https://voice.example.com/calendars/google/callback"


@pytest.fixture
def fake(settings: SettingsWrapper) -> Iterator[FakeGoogle]:
    with FakeGoogle() as google_fake:
        settings.GOOGLE_CLIENT_ID = CLIENT_ID
        settings.GOOGLE_CLIENT_SECRET = CLIENT_SECRET
        settings.GOOGLE_API_ENDPOINT = google_fake.url
        settings.GOOGLE_OAUTH_AUTH_URI = google_fake.auth_uri
        settings.GOOGLE_OAUTH_TOKEN_URI = google_fake.token_uri
        settings.GOOGLE_OAUTH_REVOKE_URI = google_fake.revoke_uri
        yield google_fake


@pytest.fixture
def backend() -> GoogleCalendar:
    return GoogleCalendar()


class Saved(list[dict[str, object]]):
    """What the backend handed to ``Tokens.save``."""


def connect(fake: FakeGoogle, *, expired: bool = False) -> tuple[Tokens, Saved]:
    access, refresh = fake.issue_grant(scope=CALENDAR_SCOPES)
    expiry = dt.datetime.now(dt.UTC) + dt.timedelta(hours=-1 if expired else 1)
    saved = Saved()
    data = {
        "token": "ya29.expired" if expired else access,
        "refresh_token": refresh,
        "scopes": CALENDAR_SCOPES.split(),
        "expiry": expiry.replace(tzinfo=None).isoformat() + "Z",
    }
    return Tokens(data=data, save=saved.append, account_email=ACCOUNT_EMAIL), saved


def details(key: str = "appointment:42", **changes: object) -> EventDetails:
    values: dict[str, object] = {
        "key": key,
        "title": "Demo call with ACME",
        "description": "Booked by the voice agent.",
        "start": START,
        "end": START + dt.timedelta(minutes=30),
        "timezone": "Europe/Berlin",
        "attendees": (Attendee("lead@example.com", "Lea Lead"),),
        "location": "Phone",
        "online_meeting": True,
    }
    values.update(changes)
    return EventDetails(**values)  # type: ignore[arg-type]


def api_requests(fake: FakeGoogle) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in fake.requests if r.path.startswith("/calendar/v3/")]


# Event ids and small helpers -------------------------------------------------------


def test_event_ids_are_deterministic_and_valid_google_ids() -> None:
    event_id = event_id_for("appointment:42")
    assert event_id == event_id_for("appointment:42")
    assert event_id != event_id_for("appointment:43")
    # base32hex (a-v, 0-9), 5 to 1024 characters.
    assert re.fullmatch(r"[a-v0-9]{5,1024}", event_id)


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Mon, 02 Mar 2026 09:00:30 GMT", now=now) == 30.0
    assert retry_after_seconds("Mon, 02 Mar 2026 08:00:00 GMT", now=now) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_it_is_configured_only_with_client_id_and_secret(settings: SettingsWrapper) -> None:
    settings.GOOGLE_CLIENT_ID, settings.GOOGLE_CLIENT_SECRET = CLIENT_ID, ""
    assert GoogleCalendar().configured() is False
    settings.GOOGLE_CLIENT_SECRET = CLIENT_SECRET
    assert GoogleCalendar().configured() is True


def test_the_registry_loads_this_backend() -> None:
    assert isinstance(backend_for("google"), GoogleCalendar)


# Creating events -------------------------------------------------------------------


def test_it_creates_the_event_with_our_id_attendees_and_a_meet_request(
    fake: FakeGoogle, backend: GoogleCalendar
) -> None:
    tokens, saved = connect(fake)

    ref = backend.event_create(tokens=tokens, event=details())

    (sent,) = [r for r in fake.requests if r.method == "POST"]
    assert sent.path == "/calendar/v3/calendars/primary/events"
    assert sent.query["conferenceDataVersion"] == "1"
    assert sent.query["sendUpdates"] == "all"
    assert sent.bearer == tokens.data["token"]
    body = sent.json()
    assert body["id"] == event_id_for("appointment:42")
    assert body["summary"] == "Demo call with ACME"
    assert body["attendees"] == [{"email": "lead@example.com", "displayName": "Lea Lead"}]
    assert body["start"] == {"dateTime": "2026-03-02T09:00:00+00:00", "timeZone": "Europe/Berlin"}
    assert body["conferenceData"]["createRequest"]["conferenceSolutionKey"] == {
        "type": "hangoutsMeet"
    }
    assert ref.event_id == event_id_for("appointment:42")
    assert ref.link.endswith(ref.event_id)
    assert ref.meeting_link.startswith("https://meet.google.com/")
    assert len(fake.events) == 1
    assert saved == []  # the token was still valid: nothing to save


def test_an_event_without_a_meeting_asks_for_no_conference(
    fake: FakeGoogle, backend: GoogleCalendar
) -> None:
    tokens, _ = connect(fake)

    ref = backend.event_create(
        tokens=tokens, event=details(online_meeting=False, attendees=(), location="")
    )

    body = fake.requests[-1].json()
    assert "conferenceData" not in body and "location" not in body
    assert fake.requests[-1].query["conferenceDataVersion"] == "0"
    assert ref.meeting_link == ""


def test_creating_the_same_key_twice_gives_one_event(
    fake: FakeGoogle, backend: GoogleCalendar
) -> None:
    tokens, _ = connect(fake)

    first = backend.event_create(tokens=tokens, event=details())
    second = backend.event_create(tokens=tokens, event=details())

    assert second == first
    assert len(fake.events) == 1
    event_path = f"/calendar/v3/calendars/primary/events/{first.event_id}"
    assert api_requests(fake)[-1] == ("PUT", event_path)  # brought up to date after the 409


def test_a_create_retried_after_the_booking_moved_moves_the_event(
    fake: FakeGoogle, backend: GoogleCalendar
) -> None:
    tokens, _ = connect(fake)
    first = backend.event_create(tokens=tokens, event=details())  # its answer "lost"
    later = START + dt.timedelta(hours=2)

    again = backend.event_create(
        tokens=tokens, event=details(start=later, end=later + dt.timedelta(minutes=30))
    )

    assert again.event_id == first.event_id and len(fake.events) == 1
    stored = fake.events[("primary", first.event_id)]
    assert dt.datetime.fromisoformat(stored["start"]["dateTime"]) == later


def test_creating_a_deleted_key_again_restores_the_event(
    fake: FakeGoogle, backend: GoogleCalendar
) -> None:
    tokens, _ = connect(fake)
    ref = backend.event_create(tokens=tokens, event=details())
    backend.event_delete(tokens=tokens, event_id=ref.event_id)

    again = backend.event_create(tokens=tokens, event=details(title="Back on"))

    assert again.event_id == ref.event_id
    stored = fake.events[("primary", ref.event_id)]
    assert stored["status"] == "confirmed"
    assert stored["summary"] == "Back on"


def test_a_409_is_answered_with_the_existing_event_through_httpmock(
    settings: SettingsWrapper,
) -> None:
    """The same path with googleapiclient's own mock instead of the fake server."""
    settings.GOOGLE_CLIENT_ID, settings.GOOGLE_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
    settings.GOOGLE_API_ENDPOINT = ""
    event_id = event_id_for("appointment:42")
    duplicate = {
        "error": {
            "code": 409,
            "message": "The requested identifier already exists.",
            "errors": [{"domain": "global", "reason": "duplicate"}],
            "status": "ALREADY_EXISTS",
        }
    }
    existing = {
        "id": event_id,
        "status": "confirmed",
        "htmlLink": "https://g/e",
        "hangoutLink": "https://meet.google.com/x",
    }
    http = HttpMockSequence(
        [({"status": "409"}, json.dumps(duplicate)), ({"status": "200"}, json.dumps(existing))]
    )
    backend = GoogleCalendar(http_factory=lambda: http)
    expiry = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=1)
    tokens = Tokens(data={"token": "t", "refresh_token": "r", "expiry": expiry.isoformat() + "Z"})

    ref = backend.event_create(tokens=tokens, event=details())

    assert ref.event_id == event_id
    assert ref.meeting_link == "https://meet.google.com/x"
    assert list(http._iterable) == []  # both answers were used: insert, then get


# Failures --------------------------------------------------------------------------


def test_a_429_is_retryable_with_retry_after_and_a_retry_succeeds(
    fake: FakeGoogle, backend: GoogleCalendar
) -> None:
    tokens, _ = connect(fake)
    fake.fail_next(429, retry_after="7")

    with pytest.raises(CalendarRetryable) as raised:
        backend.event_create(tokens=tokens, event=details())
    assert raised.value.retry_after == 7.0
    assert fake.events == {}

    ref = backend.event_create(tokens=tokens, event=details())
    assert list(fake.events) == [("primary", ref.event_id)]


def test_a_500_is_retryable(fake: FakeGoogle, backend: GoogleCalendar) -> None:
    tokens, _ = connect(fake)
    fake.fail_next(500)

    with pytest.raises(CalendarRetryable) as raised:
        backend.busy(tokens=tokens, start=START, end=START + dt.timedelta(days=1))
    assert raised.value.retry_after is None
    assert "500" in str(raised.value)


def test_a_403_rate_limit_is_retryable_but_another_403_is_rejected(
    fake: FakeGoogle, backend: GoogleCalendar
) -> None:
    tokens, _ = connect(fake)
    fake.fail_next(403, reason="userRateLimitExceeded")
    with pytest.raises(CalendarRetryable):
        backend.event_create(tokens=tokens, event=details())

    fake.fail_next(403, reason="forbiddenForNonOrganizer")
    with pytest.raises(CalendarRejected):
        backend.event_create(tokens=tokens, event=details())


def test_a_revoked_grant_breaks_the_connection(fake: FakeGoogle, backend: GoogleCalendar) -> None:
    tokens, saved = connect(fake)
    fake.revoke_grants()

    with pytest.raises(CalendarAuthBroken) as raised:
        backend.event_create(tokens=tokens, event=details())

    # The 401 made google-auth try a refresh, which Google refused (invalid_grant).
    refreshes = [r.form() for r in fake.requests if r.path == "/token"]
    assert [f["grant_type"] for f in refreshes] == ["refresh_token"]
    assert saved == []
    message = str(raised.value)
    assert str(tokens.data["token"]) not in message
    assert str(tokens.data["refresh_token"]) not in message


def test_a_401_after_a_successful_refresh_breaks_the_connection(
    fake: FakeGoogle, backend: GoogleCalendar
) -> None:
    tokens, saved = connect(fake)
    fake.fail_next(401, times=3)

    with pytest.raises(CalendarAuthBroken):
        backend.event_create(tokens=tokens, event=details())

    # The refreshed token is kept even though the call failed.
    assert len(saved) == 1 and saved[0]["token"] != tokens.data["token"]


def test_an_invalid_event_is_rejected_with_googles_message(
    fake: FakeGoogle, backend: GoogleCalendar
) -> None:
    tokens, _ = connect(fake)

    with pytest.raises(CalendarRejected, match="time range is empty"):
        backend.event_create(tokens=tokens, event=details(end=START))
    with pytest.raises(CalendarRejected, match="attendee"):
        backend.event_create(
            tokens=tokens, event=details(key="other", attendees=(Attendee("not-an-address"),))
        )
    assert fake.events == {}


def test_an_unreachable_google_is_retryable(
    fake: FakeGoogle, backend: GoogleCalendar, settings: SettingsWrapper
) -> None:
    tokens, _ = connect(fake)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.GOOGLE_API_ENDPOINT = f"http://127.0.0.1:{port}/"

    with pytest.raises(CalendarRetryable, match="could not be reached"):
        backend.event_create(tokens=tokens, event=details())


def test_a_google_that_never_answers_times_out(
    fake: FakeGoogle, settings: SettingsWrapper, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens, _ = connect(fake)
    monkeypatch.setattr(google, "HTTP_TIMEOUT_SECONDS", 0.3)
    with socket.socket() as silent:
        # Listening but never accepting: the connection opens, no answer comes.
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings.GOOGLE_API_ENDPOINT = f"http://127.0.0.1:{silent.getsockname()[1]}/"

        with pytest.raises(CalendarRetryable, match=r"TimeoutError|timeout"):
            GoogleCalendar().event_create(tokens=tokens, event=details())


# Tokens ----------------------------------------------------------------------------


def test_an_expired_access_token_is_refreshed_and_saved(
    fake: FakeGoogle, backend: GoogleCalendar
) -> None:
    tokens, saved = connect(fake, expired=True)

    backend.event_create(tokens=tokens, event=details())

    (refresh,) = [r.form() for r in fake.requests if r.path == "/token"]
    assert refresh["grant_type"] == "refresh_token"
    assert refresh["refresh_token"] == tokens.data["refresh_token"]
    assert refresh["client_secret"] == CLIENT_SECRET  # from settings, not the stored data
    (insert,) = [r for r in fake.requests if r.method == "POST" and r.path.endswith("/events")]
    assert len(saved) == 1
    assert saved[0]["token"] == insert.bearer != "ya29.expired"
    assert saved[0]["refresh_token"] == tokens.data["refresh_token"]
    assert "client_secret" not in saved[0]


# Update, delete, free/busy ---------------------------------------------------------


def test_update_patches_the_event(fake: FakeGoogle, backend: GoogleCalendar) -> None:
    tokens, _ = connect(fake)
    ref = backend.event_create(tokens=tokens, event=details())
    later = START + dt.timedelta(hours=2)

    updated = backend.event_update(
        tokens=tokens,
        event_id=ref.event_id,
        event=details(title="Moved", start=later, end=later + dt.timedelta(minutes=45)),
    )

    assert api_requests(fake)[-1] == (
        "PATCH",
        f"/calendar/v3/calendars/primary/events/{ref.event_id}",
    )
    stored = fake.events[("primary", ref.event_id)]
    assert stored["summary"] == "Moved"
    assert stored["start"]["dateTime"] == "2026-03-02T11:00:00+00:00"
    assert updated.event_id == ref.event_id
    assert updated.meeting_link == ref.meeting_link  # the Meet is kept, not recreated


def test_updating_a_missing_event_is_rejected(fake: FakeGoogle, backend: GoogleCalendar) -> None:
    tokens, _ = connect(fake)
    with pytest.raises(CalendarRejected, match="404"):
        backend.event_update(tokens=tokens, event_id="missing1", event=details())


def test_delete_cancels_the_event_and_a_missing_one_is_fine(
    fake: FakeGoogle, backend: GoogleCalendar
) -> None:
    tokens, _ = connect(fake)
    ref = backend.event_create(tokens=tokens, event=details())

    backend.event_delete(tokens=tokens, event_id=ref.event_id)
    assert fake.events[("primary", ref.event_id)]["status"] == "cancelled"
    assert fake.requests[-1].query["sendUpdates"] == "all"

    backend.event_delete(tokens=tokens, event_id=ref.event_id)  # 410 Gone
    backend.event_delete(tokens=tokens, event_id="neverthere")  # 404
    statuses = [r.method for r in fake.requests if r.method == "DELETE"]
    assert statuses == ["DELETE"] * 3


def test_delete_still_raises_other_errors(fake: FakeGoogle, backend: GoogleCalendar) -> None:
    tokens, _ = connect(fake)
    fake.fail_next(503)
    with pytest.raises(CalendarRetryable):
        backend.event_delete(tokens=tokens, event_id="whatever1")


def test_busy_returns_aware_utc_periods(fake: FakeGoogle, backend: GoogleCalendar) -> None:
    tokens, _ = connect(fake)
    fake.busy["primary"] = [
        (START - dt.timedelta(hours=1), START + dt.timedelta(hours=1)),  # clipped to the window
        (START + dt.timedelta(days=3), START + dt.timedelta(days=3, hours=1)),  # outside
    ]
    ref = backend.event_create(
        tokens=tokens,
        event=details(start=START + dt.timedelta(hours=3), end=START + dt.timedelta(hours=4)),
    )
    cancelled = backend.event_create(tokens=tokens, event=details(key="gone"))
    backend.event_delete(tokens=tokens, event_id=cancelled.event_id)
    berlin_morning = START.astimezone(dt.timezone(dt.timedelta(hours=1)))

    periods = backend.busy(tokens=tokens, start=berlin_morning, end=START + dt.timedelta(days=1))

    assert ref.event_id
    assert periods == [
        (START, START + dt.timedelta(hours=1)),
        (START + dt.timedelta(hours=3), START + dt.timedelta(hours=4)),
    ]
    assert all(s.tzinfo is not None and s.utcoffset() == dt.timedelta(0) for s, _ in periods)
    query = fake.requests[-1].json()
    assert query["timeMin"] == "2026-03-02T09:00:00+00:00"
    assert query["items"] == [{"id": "primary"}]


def test_busy_of_a_calendar_google_cannot_read_is_rejected(
    fake: FakeGoogle, backend: GoogleCalendar
) -> None:
    tokens, _ = connect(fake)
    tokens.calendar_id = "team@example.com"
    fake.unknown_calendars.add("team@example.com")
    with pytest.raises(CalendarRejected, match="notFound"):
        backend.busy(tokens=tokens, start=START, end=START + dt.timedelta(days=1))


# OAuth -----------------------------------------------------------------------------


@pytest.fixture
def http_oauth(monkeypatch: pytest.MonkeyPatch) -> None:
    # oauthlib refuses plain http token endpoints; the fake has no TLS.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


@pytest.mark.usefixtures("http_oauth")
def test_authorization_start_asks_for_offline_access_with_pkce(
    fake: FakeGoogle, backend: GoogleCalendar
) -> None:
    start = backend.authorization_start(redirect_uri=REDIRECT_URI)

    query = {k: v[0] for k, v in parse_qs(urlsplit(start.url).query).items()}
    assert start.url.startswith(fake.auth_uri + "?")
    assert query["state"] == start.state == start.pending["state"]
    assert query["access_type"] == "offline"
    assert query["prompt"] == "consent"
    assert query["code_challenge_method"] == "S256"
    assert query["redirect_uri"] == REDIRECT_URI
    assert query["client_id"] == CLIENT_ID
    assert "https://www.googleapis.com/auth/calendar.events" in query["scope"].split()
    # The verifier stays server-side: only its hash is in the URL.
    verifier = start.pending["code_verifier"]
    assert len(verifier) >= 43 and verifier not in start.url


@pytest.mark.usefixtures("http_oauth")
def test_the_consent_flow_end_to_end(fake: FakeGoogle, backend: GoogleCalendar) -> None:
    start = backend.authorization_start(redirect_uri=REDIRECT_URI)
    callback = fake.consent(start.url)

    authorized = backend.authorization_finish(
        pending=start.pending, params=callback, redirect_uri=REDIRECT_URI
    )

    assert authorized.account_email == ACCOUNT_EMAIL
    (grant,) = fake.grants.values()
    assert authorized.token_data["refresh_token"] == grant.refresh_token
    assert "client_secret" not in authorized.token_data
    assert set(authorized.scopes) >= set(CALENDAR_SCOPES.split())
    assert authorized.expires_at is not None
    assert authorized.expires_at - dt.datetime.now(dt.UTC) > dt.timedelta(minutes=55)
    # The stored data is enough to use the calendar.
    tokens = Tokens(data=authorized.token_data)
    assert backend.event_create(tokens=tokens, event=details()).event_id


@pytest.mark.usefixtures("http_oauth")
def test_a_callback_with_another_state_is_rejected(
    fake: FakeGoogle, backend: GoogleCalendar
) -> None:
    start = backend.authorization_start(redirect_uri=REDIRECT_URI)
    callback = fake.consent(start.url)

    with pytest.raises(CalendarRejected, match="does not match"):
        backend.authorization_finish(
            pending=start.pending, params={**callback, "state": "forged"}, redirect_uri=REDIRECT_URI
        )
    assert not any(r.path == "/token" for r in fake.requests)


@pytest.mark.usefixtures("http_oauth")
def test_a_denied_consent_is_rejected(fake: FakeGoogle, backend: GoogleCalendar) -> None:
    fake.deny_consent = True
    start = backend.authorization_start(redirect_uri=REDIRECT_URI)
    callback = fake.consent(start.url)

    assert callback["error"] == "access_denied"
    with pytest.raises(CalendarRejected, match="access_denied"):
        backend.authorization_finish(
            pending=start.pending, params=callback, redirect_uri=REDIRECT_URI
        )


@pytest.mark.usefixtures("http_oauth")
def test_a_consent_without_the_calendar_scopes_is_rejected(
    fake: FakeGoogle, backend: GoogleCalendar
) -> None:
    fake.grant_scope = "openid https://www.googleapis.com/auth/userinfo.email"
    start = backend.authorization_start(redirect_uri=REDIRECT_URI)
    callback = fake.consent(start.url)

    with pytest.raises(CalendarRejected, match="calendar access"):
        backend.authorization_finish(
            pending=start.pending, params=callback, redirect_uri=REDIRECT_URI
        )


@pytest.mark.usefixtures("http_oauth")
def test_a_wrong_code_verifier_is_rejected(fake: FakeGoogle, backend: GoogleCalendar) -> None:
    start = backend.authorization_start(redirect_uri=REDIRECT_URI)
    callback = fake.consent(start.url)
    pending = {**start.pending, "code_verifier": "x" * 64}

    with pytest.raises(CalendarRejected, match="invalid_grant"):
        backend.authorization_finish(pending=pending, params=callback, redirect_uri=REDIRECT_URI)


@pytest.mark.usefixtures("http_oauth")
def test_a_token_endpoint_outage_during_the_callback_is_retryable(
    fake: FakeGoogle, backend: GoogleCalendar
) -> None:
    start = backend.authorization_start(redirect_uri=REDIRECT_URI)
    callback = fake.consent(start.url)
    fake.fail_next(503, where="token", retry_after="3")

    with pytest.raises(CalendarRetryable) as raised:
        backend.authorization_finish(
            pending=start.pending, params=callback, redirect_uri=REDIRECT_URI
        )
    assert raised.value.retry_after == 3.0


def test_revoke_tells_google_and_swallows_failures(
    fake: FakeGoogle, backend: GoogleCalendar, settings: SettingsWrapper
) -> None:
    tokens, _ = connect(fake)

    backend.revoke(tokens=tokens)
    assert fake.grants == {}
    revoke = fake.requests[-1]
    assert revoke.path == "/revoke"
    assert revoke.form() == {"token": tokens.data["refresh_token"]}
    assert revoke.query == {}  # the token is not in the URL

    backend.revoke(tokens=tokens)  # already revoked: Google answers 400, which is fine
    settings.GOOGLE_OAUTH_REVOKE_URI = "http://127.0.0.1:9/revoke"  # nothing listens
    backend.revoke(tokens=tokens)
    assert [r.path for r in fake.requests].count("/revoke") == 2


def test_the_fake_rejects_what_google_would_reject(fake: FakeGoogle) -> None:
    """The fake checks bodies against the bundled discovery document, so the backend's
    passing inserts above were valid Calendar API requests."""
    access, _ = fake.issue_grant(scope=CALENDAR_SCOPES)
    http = httplib2.Http(timeout=5)
    url = fake.url + "calendar/v3/calendars/primary/events"
    headers = {"Authorization": f"Bearer {access}", "Content-Type": "application/json"}
    when = {"dateTime": "2026-03-02T09:00:00Z"}

    typo, typo_body = http.request(
        url, "POST", body=json.dumps({"summry": "x", "start": when, "end": when}), headers=headers
    )
    no_end, no_end_body = http.request(
        url, "POST", body=json.dumps({"summary": "x", "start": when}), headers=headers
    )
    anonymous, _ = http.request(url, "POST", body="{}", headers={})

    assert typo.status == 400
    error = json.loads(typo_body)["error"]
    assert error["code"] == 400 and error["status"] == "INVALID_ARGUMENT"
    assert 'Unknown name "summry"' in error["message"]
    assert error["errors"][0]["reason"] == "invalid"
    assert no_end.status == 400
    assert json.loads(no_end_body)["error"]["errors"][0]["reason"] == "required"
    assert anonymous.status == 401
    assert fake.events == {}


def test_the_oauth_libraries_never_log_tokens_even_at_debug() -> None:
    # requests-oauthlib logs whole token responses at DEBUG; settings cap it at INFO.
    for name in ("requests_oauthlib", "oauthlib"):
        assert logging.getLogger(name).level == logging.INFO
