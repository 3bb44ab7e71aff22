"""The Microsoft 365 backend against a local fake of Microsoft's identity platform and
Graph (``fake_microsoft``): real msal, real HTTP (TLS on loopback), no mocks."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from pytest_django import Settings

from appointments.calendars import _graph, backend_for
from appointments.calendars.base import (
    Attendee,
    Authorized,
    CalendarAuthBroken,
    CalendarError,
    CalendarRejected,
    CalendarRetryable,
    EventDetails,
    Tokens,
)
from appointments.calendars.microsoft import MicrosoftCalendar
from appointments.calendars.tests.fake_microsoft import (
    TENANT_ID,
    USER_OID,
    FakeMicrosoft,
    ScheduleItem,
)

REDIRECT_URI = "https://voiceagent.example/calendars/microsoft/callback"
UTC = dt.UTC

# microsoft.py silences msal's warning about response_mode="query" when it is imported
# (see the module); pytest restores the filters after collecting, so repeat it here.
pytestmark = pytest.mark.filterwarnings(
    "ignore:response_mode='form_post' is recommended:UserWarning"
)


@pytest.fixture
def fake(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMicrosoft]:
    server = FakeMicrosoft()
    server.start()
    # requests (msal's transport and ours) trusts the fake's throwaway CA.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", server.ca_file)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    settings.MICROSOFT_CLIENT_ID = server.client_id
    settings.MICROSOFT_CLIENT_SECRET = server.client_secret
    settings.MICROSOFT_TENANT = "common"
    settings.MICROSOFT_AUTHORITY_HOST = server.authority_host
    settings.MICROSOFT_GRAPH_URL = server.graph_url
    yield server
    server.stop()


@pytest.fixture
def backend() -> MicrosoftCalendar:
    return MicrosoftCalendar()


class SavedTokens:
    """A ``Tokens`` whose ``save`` keeps what it was given, as the caller would."""

    def __init__(self, authorized: Authorized) -> None:
        self.saved: list[dict[str, Any]] = []
        self.tokens = Tokens(
            data=authorized.token_data, save=self._save, account_email=authorized.account_email
        )

    def _save(self, data: dict[str, Any]) -> None:
        self.saved.append(data)
        self.tokens.data = data


def callback_params(backend: MicrosoftCalendar) -> tuple[dict[str, Any], dict[str, str]]:
    """Starts a sign-in and follows the fake's consent redirect, as a browser would."""
    start = backend.authorization_start(redirect_uri=REDIRECT_URI)
    answer = requests.get(start.url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT_URI + "?")
    return start.pending, {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def connect(backend: MicrosoftCalendar) -> SavedTokens:
    pending, params = callback_params(backend)
    authorized = backend.authorization_finish(
        pending=pending, params=params, redirect_uri=REDIRECT_URI
    )
    return SavedTokens(authorized)


def appointment(**overrides: Any) -> EventDetails:
    fields: dict[str, Any] = {
        "key": "appointment-42",
        "title": "Demo call with ACME",
        "description": "Booked by the voice agent. <b>not markup</b>",
        "start": dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
        "end": dt.datetime(2026, 3, 2, 10, 30, tzinfo=UTC),
        "timezone": "Europe/Berlin",
        "attendees": (Attendee("lead@example.com", "Lena Lead"), Attendee("cc@example.com")),
        "location": "Phone",
        "online_meeting": True,
    }
    fields.update(overrides)
    return EventDetails(**fields)


# --- OAuth ---------------------------------------------------------------------------


def test_authorization_start_sends_the_owner_to_the_authority_with_state_and_pkce(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    start = backend.authorization_start(redirect_uri=REDIRECT_URI)

    url = urlsplit(start.url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{fake.url}/common/oauth2/v2.0/authorize"
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert query["client_id"] == fake.client_id
    assert query["state"] == start.state == start.pending["state"]
    assert query["redirect_uri"] == REDIRECT_URI
    assert query["response_mode"] == "query"
    assert query["code_challenge_method"] == "S256" and query["code_challenge"]
    assert set(query["scope"].split()) >= {"Calendars.ReadWrite", "offline_access", "openid"}
    # The verifier and the secret stay on the server.
    assert start.pending["code_verifier"] not in start.url
    assert fake.client_secret not in start.url
    json.dumps(start.pending)  # fit for the session
    assert fake.token_requests() == []


def test_authorization_finish_returns_the_account_and_a_serialized_cache(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    pending, params = callback_params(backend)

    authorized = backend.authorization_finish(
        pending=pending, params=params, redirect_uri=REDIRECT_URI
    )

    assert authorized.account_email == fake.user_email
    assert authorized.token_data["home_account_id"] == f"{USER_OID}.{TENANT_ID}"
    cache = json.loads(authorized.token_data["cache"])
    assert cache["RefreshToken"] and cache["AccessToken"] and cache["Account"]
    assert "Calendars.ReadWrite" in authorized.scopes
    assert authorized.expires_at is not None and authorized.expires_at > dt.datetime.now(UTC)
    [exchange] = fake.token_requests()
    assert exchange.form["grant_type"] == "authorization_code"
    assert exchange.form["code"] == params["code"]
    assert exchange.form["code_verifier"] == pending["code_verifier"]


def test_a_state_mismatch_is_rejected_before_any_token_request(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    pending, params = callback_params(backend)

    with pytest.raises(CalendarRejected, match="does not match"):
        backend.authorization_finish(
            pending=pending, params={**params, "state": "forged"}, redirect_uri=REDIRECT_URI
        )
    assert fake.token_requests() == []


def test_a_code_from_another_sign_in_is_refused(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    """A code issued for sign-in B cannot finish sign-in A: PKCE ties it to B."""
    pending_a, _ = callback_params(backend)
    _, params_b = callback_params(backend)

    with pytest.raises(CalendarRejected, match="invalid_grant"):
        backend.authorization_finish(
            pending=pending_a,
            params={**params_b, "state": pending_a["state"]},
            redirect_uri=REDIRECT_URI,
        )


def test_an_id_token_with_another_nonce_is_rejected(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    fake.forged_nonce = "0" * 64
    pending, params = callback_params(backend)

    with pytest.raises(CalendarRejected, match="does not belong to this sign-in"):
        backend.authorization_finish(pending=pending, params=params, redirect_uri=REDIRECT_URI)


def test_denied_consent_is_rejected_with_microsofts_reason(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    fake.deny_consent = True
    pending, params = callback_params(backend)

    with pytest.raises(CalendarRejected, match="access_denied: AADSTS65004"):
        backend.authorization_finish(pending=pending, params=params, redirect_uri=REDIRECT_URI)
    assert fake.token_requests() == []


def test_a_callback_for_another_redirect_uri_is_rejected(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    pending, params = callback_params(backend)

    with pytest.raises(CalendarRejected, match="another callback"):
        backend.authorization_finish(
            pending=pending, params=params, redirect_uri="https://elsewhere.example/cb"
        )


def test_an_http_authority_is_refused_by_msal(
    backend: MicrosoftCalendar, fake: FakeMicrosoft, settings: Settings
) -> None:
    """msal 1.39 accepts https authorities only; the fake serves TLS because of it."""
    settings.MICROSOFT_AUTHORITY_HOST = fake.url.replace("https://", "http://")

    with pytest.raises(CalendarRejected, match="MICROSOFT_AUTHORITY_HOST"):
        backend.authorization_start(redirect_uri=REDIRECT_URI)
    assert fake.requests == []


def test_configured_needs_both_client_id_and_secret(
    backend: MicrosoftCalendar, settings: Settings
) -> None:
    settings.MICROSOFT_CLIENT_ID, settings.MICROSOFT_CLIENT_SECRET = "id", "secret"
    assert backend.configured() is True
    settings.MICROSOFT_CLIENT_SECRET = ""
    assert backend.configured() is False
    with pytest.raises(CalendarRejected, match="not configured"):
        backend.authorization_start(redirect_uri=REDIRECT_URI)
    settings.MICROSOFT_CLIENT_ID, settings.MICROSOFT_CLIENT_SECRET = "", "secret"
    assert backend.configured() is False


def test_the_registry_serves_this_backend() -> None:
    assert isinstance(backend_for("microsoft"), MicrosoftCalendar)
    assert backend_for("microsoft").provider == "microsoft"


# --- tokens --------------------------------------------------------------------------


def test_a_cached_access_token_is_used_without_a_token_request(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    connection = connect(backend)
    issued = json.loads(connection.tokens.data["cache"])["AccessToken"]
    [cached_token] = [entry["secret"] for entry in issued.values()]

    backend.busy(
        tokens=connection.tokens,
        start=dt.datetime(2026, 3, 2, tzinfo=UTC),
        end=dt.datetime(2026, 3, 3, tzinfo=UTC),
    )

    assert len(fake.token_requests()) == 1  # the code exchange only
    [graph_call] = fake.graph_requests()
    assert graph_call.headers["authorization"] == f"Bearer {cached_token}"
    assert connection.saved == []


def test_an_expired_access_token_is_refreshed_and_the_new_cache_saved(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    fake.access_token_lifetime = 60  # under msal's 5-minute margin: treated as expired
    connection = connect(backend)
    first_cache = connection.tokens.data["cache"]
    fake.access_token_lifetime = 3599

    backend.event_create(tokens=connection.tokens, event=appointment())

    [_, refresh] = fake.token_requests()
    assert refresh.form["grant_type"] == "refresh_token"
    [saved] = connection.saved
    assert saved["cache"] != first_cache
    assert saved["home_account_id"] == f"{USER_OID}.{TENANT_ID}"
    fresh = json.loads(saved["cache"])
    [new_token] = [entry["secret"] for entry in fresh["AccessToken"].values()]
    assert fake.graph_requests()[-1].headers["authorization"] == f"Bearer {new_token}"

    # The saved cache serves the next call without another refresh.
    backend.event_delete(tokens=connection.tokens, event_id="gone")
    assert len(fake.token_requests()) == 2
    assert len(connection.saved) == 1


def test_a_refused_refresh_breaks_the_connection(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    fake.access_token_lifetime = 60
    connection = connect(backend)
    fake.refuse_refresh = True
    refresh_token = next(
        iter(json.loads(connection.tokens.data["cache"])["RefreshToken"].values())
    )["secret"]

    with pytest.raises(CalendarAuthBroken, match="invalid_grant: AADSTS700082") as caught:
        backend.event_create(tokens=connection.tokens, event=appointment())

    assert refresh_token not in str(caught.value)
    assert "Trace ID" not in str(caught.value)
    assert fake.graph_requests() == []


def test_an_identity_platform_outage_is_retryable(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    fake.access_token_lifetime = 60
    connection = connect(backend)
    fake.fail_token(503)

    with pytest.raises(CalendarRetryable):
        backend.event_create(tokens=connection.tokens, event=appointment())
    assert fake.graph_requests() == []


def test_a_throttled_identity_platform_is_retryable(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    """A 429 from the token endpoint is not JSON; msal cannot read it, and it is retried."""
    fake.access_token_lifetime = 60
    connection = connect(backend)
    fake.fail_token(429, retry_after="5")

    with pytest.raises(CalendarRetryable):
        backend.event_create(tokens=connection.tokens, event=appointment())
    assert fake.graph_requests() == []


def test_token_data_without_a_cache_breaks_the_connection(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    with pytest.raises(CalendarAuthBroken):
        backend.event_create(tokens=Tokens(data={}), event=appointment())
    assert fake.token_requests() == [] and fake.graph_requests() == []


# --- events --------------------------------------------------------------------------


def test_create_sends_the_appointment_as_a_graph_event(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    connection = connect(backend)

    ref = backend.event_create(tokens=connection.tokens, event=appointment())

    [post] = fake.graph_requests()
    assert (post.method, post.path) == ("POST", "/v1.0/me/events")
    assert 'IdType="ImmutableId"' in post.headers["prefer"]
    assert 'outlook.timezone="UTC"' in post.headers["prefer"]
    body = post.json
    assert body["subject"] == "Demo call with ACME"
    assert body["body"] == {
        "contentType": "text",
        "content": "Booked by the voice agent. <b>not markup</b>",
    }
    assert body["start"] == {"dateTime": "2026-03-02T10:00:00", "timeZone": "UTC"}
    assert body["end"] == {"dateTime": "2026-03-02T10:30:00", "timeZone": "UTC"}
    assert body["location"] == {"displayName": "Phone"}
    assert body["attendees"] == [
        {"emailAddress": {"address": "lead@example.com", "name": "Lena Lead"}, "type": "required"},
        {
            "emailAddress": {"address": "cc@example.com", "name": "cc@example.com"},
            "type": "required",
        },
    ]
    assert body["isOnlineMeeting"] is True
    assert body["onlineMeetingProvider"] == "teamsForBusiness"
    assert body["transactionId"] == _graph.transaction_id("appointment-42")
    assert len(body["transactionId"]) <= 64
    event = fake.events[ref.event_id]
    assert ref.link == event["webLink"] and ref.link.startswith("https://outlook.office365.com/")
    assert ref.meeting_link == event["onlineMeeting"]["joinUrl"]


def test_create_converts_aware_times_to_utc_and_targets_a_named_calendar(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    connection = connect(backend)
    connection.tokens.calendar_id = "AAMkADg3Calendar=="
    berlin = dt.timezone(dt.timedelta(hours=1))

    ref = backend.event_create(
        tokens=connection.tokens,
        event=appointment(
            start=dt.datetime(2026, 3, 2, 11, 0, tzinfo=berlin),
            end=dt.datetime(2026, 3, 2, 11, 45, tzinfo=berlin),
            online_meeting=False,
            attendees=(),
            location="",
        ),
    )

    [post] = fake.graph_requests()
    assert post.path == "/v1.0/me/calendars/AAMkADg3Calendar==/events"
    assert post.json["start"] == {"dateTime": "2026-03-02T10:00:00", "timeZone": "UTC"}
    assert post.json["end"] == {"dateTime": "2026-03-02T10:45:00", "timeZone": "UTC"}
    assert "isOnlineMeeting" not in post.json and "onlineMeetingProvider" not in post.json
    assert post.json["attendees"] == []
    assert ref.meeting_link == ""
    assert fake.events[ref.event_id]["calendar"] == "AAMkADg3Calendar=="


def test_a_replayed_create_returns_the_first_event(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    connection = connect(backend)

    first = backend.event_create(tokens=connection.tokens, event=appointment())
    again = backend.event_create(tokens=connection.tokens, event=appointment())
    other = backend.event_create(tokens=connection.tokens, event=appointment(key="appointment-43"))

    assert again == first
    assert other.event_id != first.event_id
    assert len(fake.events) == 2
    ids = [r.json["transactionId"] for r in fake.graph_requests()]
    assert ids[0] == ids[1] != ids[2]


def test_a_replayed_create_after_the_booking_moved_moves_the_event(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    connection = connect(backend)
    first = backend.event_create(tokens=connection.tokens, event=appointment())  # answer "lost"
    later = dt.datetime(2026, 3, 2, 14, 0, tzinfo=UTC)

    again = backend.event_create(
        tokens=connection.tokens,
        event=appointment(start=later, end=later + dt.timedelta(minutes=30)),
    )

    assert again.event_id == first.event_id and len(fake.events) == 1
    assert [r.method for r in fake.graph_requests()] == ["POST", "POST", "PATCH"]
    assert fake.events[first.event_id]["start"]["dateTime"].startswith("2026-03-02T14:00")


def test_a_throttled_create_is_retryable_after_graphs_delay_then_succeeds(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    connection = connect(backend)
    fake.fail_graph(429, retry_after="7", code="TooManyRequests", message="Please retry.")

    with pytest.raises(CalendarRetryable) as caught:
        backend.event_create(tokens=connection.tokens, event=appointment())
    assert caught.value.retry_after == 7.0
    assert "TooManyRequests: Please retry." in str(caught.value)
    assert fake.events == {}

    ref = backend.event_create(tokens=connection.tokens, event=appointment())
    assert list(fake.events) == [ref.event_id]


def test_retry_after_as_an_http_date_is_turned_into_seconds(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    connection = connect(backend)
    when = dt.datetime.now(UTC) + dt.timedelta(seconds=30)
    fake.fail_graph(503, retry_after=email.utils.format_datetime(when, usegmt=True))

    with pytest.raises(CalendarRetryable) as caught:
        backend.event_create(tokens=connection.tokens, event=appointment())
    assert caught.value.retry_after is not None and 25 <= caught.value.retry_after <= 30


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, CalendarRetryable),
        (504, CalendarRetryable),
        (400, CalendarRejected),
        (403, CalendarRejected),
        (401, CalendarAuthBroken),
    ],
)
def test_graph_failures_map_to_calendar_errors(
    backend: MicrosoftCalendar,
    fake: FakeMicrosoft,
    status: int,
    error: type[CalendarError],
) -> None:
    connection = connect(backend)
    fake.fail_graph(status, code="ErrorSomething", message="Graph says no.")

    with pytest.raises(CalendarError) as caught:
        backend.event_create(tokens=connection.tokens, event=appointment())

    assert type(caught.value) is error
    assert f"Microsoft Graph {status}: ErrorSomething: Graph says no." == str(caught.value)
    if isinstance(caught.value, CalendarRetryable):
        assert caught.value.retry_after is None
    assert "fake-at-" not in str(caught.value) and "fake-rt-" not in str(caught.value)


def test_a_token_graph_no_longer_accepts_breaks_the_connection(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    connection = connect(backend)
    fake.expire_access_tokens()  # revoked on Microsoft's side; msal still has it cached

    with pytest.raises(CalendarAuthBroken, match="InvalidAuthenticationToken"):
        backend.event_create(tokens=connection.tokens, event=appointment())


def test_an_unreachable_graph_is_retryable(
    backend: MicrosoftCalendar, fake: FakeMicrosoft, settings: Settings
) -> None:
    connection = connect(backend)
    settings.MICROSOFT_GRAPH_URL = "https://127.0.0.1:9/v1.0"  # nothing listens there

    with pytest.raises(CalendarRetryable, match="did not answer"):
        backend.event_create(tokens=connection.tokens, event=appointment())


def test_a_graph_that_answers_too_slowly_is_retryable(
    backend: MicrosoftCalendar, fake: FakeMicrosoft, monkeypatch: pytest.MonkeyPatch
) -> None:
    connection = connect(backend)
    monkeypatch.setattr(_graph, "TIMEOUT", (2.0, 0.2))
    fake.graph_delay = 1.0

    with pytest.raises(CalendarRetryable, match="ReadTimeout"):
        backend.event_create(tokens=connection.tokens, event=appointment())


def test_an_unreachable_identity_platform_is_retryable(
    backend: MicrosoftCalendar, fake: FakeMicrosoft, settings: Settings
) -> None:
    connection = connect(backend)
    settings.MICROSOFT_AUTHORITY_HOST = "https://127.0.0.1:9"  # nothing listens there

    with pytest.raises(CalendarRetryable, match="sign-in did not answer"):
        backend.event_create(tokens=connection.tokens, event=appointment())
    assert fake.graph_requests() == []


def test_update_patches_the_event_without_changing_what_graph_fixes(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    connection = connect(backend)
    created = backend.event_create(tokens=connection.tokens, event=appointment())

    updated = backend.event_update(
        tokens=connection.tokens,
        event_id=created.event_id,
        event=appointment(
            title="Moved demo",
            start=dt.datetime(2026, 3, 3, 9, 0, tzinfo=UTC),
            end=dt.datetime(2026, 3, 3, 9, 30, tzinfo=UTC),
            online_meeting=False,
        ),
    )

    patch = fake.graph_requests()[-1]
    assert patch.method == "PATCH" and patch.path == f"/v1.0/me/events/{created.event_id}"
    assert "transactionId" not in patch.json and "isOnlineMeeting" not in patch.json
    event = fake.events[created.event_id]
    assert event["subject"] == "Moved demo"
    assert event["start"] == {"dateTime": "2026-03-03T09:00:00", "timeZone": "UTC"}
    assert updated.event_id == created.event_id
    assert updated.meeting_link == created.meeting_link  # the Teams meeting stays


def test_updating_a_missing_event_is_rejected(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    connection = connect(backend)

    with pytest.raises(CalendarRejected, match="ErrorItemNotFound"):
        backend.event_update(tokens=connection.tokens, event_id="AAMkMissing=", event=appointment())


def test_delete_removes_the_event_and_a_missing_event_is_fine(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    connection = connect(backend)
    created = backend.event_create(tokens=connection.tokens, event=appointment())

    backend.event_delete(tokens=connection.tokens, event_id=created.event_id)
    backend.event_delete(tokens=connection.tokens, event_id=created.event_id)

    assert fake.events == {}
    deletes = fake.requests_to(f"/me/events/{created.event_id}", "DELETE")
    assert len(deletes) == 2


def test_delete_still_reports_other_failures(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    connection = connect(backend)
    fake.fail_graph(503, retry_after="3")

    with pytest.raises(CalendarRetryable):
        backend.event_delete(tokens=connection.tokens, event_id="AAMkAny=")


# --- availability --------------------------------------------------------------------


def test_busy_returns_busy_oof_and_tentative_periods_clipped_to_the_window(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    connection = connect(backend)

    def at(hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime(2026, 3, 2, hour, minute, tzinfo=UTC)

    fake.schedule = [
        ScheduleItem("oof", at(6), at(8, 30)),  # starts before the window
        ScheduleItem("busy", at(10), at(11)),
        ScheduleItem("free", at(11), at(12)),
        ScheduleItem("tentative", at(12), at(12, 30)),
        ScheduleItem("workingElsewhere", at(14), at(16)),
        ScheduleItem("busy", at(20), at(21)),  # after the window
    ]
    berlin = dt.timezone(dt.timedelta(hours=1))

    periods = backend.busy(
        tokens=connection.tokens,
        start=dt.datetime(2026, 3, 2, 9, 0, tzinfo=berlin),  # 08:00 UTC
        end=dt.datetime(2026, 3, 2, 19, 0, tzinfo=berlin),  # 18:00 UTC
    )

    assert periods == [(at(8), at(8, 30)), (at(10), at(11)), (at(12), at(12, 30))]
    assert all(p.tzinfo == UTC for period in periods for p in period)
    [call] = fake.graph_requests()
    assert call.path == "/v1.0/me/calendar/getSchedule"
    assert call.json == {
        "schedules": [fake.user_email],
        "startTime": {"dateTime": "2026-03-02T08:00:00", "timeZone": "UTC"},
        "endTime": {"dateTime": "2026-03-02T18:00:00", "timeZone": "UTC"},
        "availabilityViewInterval": 15,
    }


def test_busy_for_a_mailbox_graph_cannot_read_is_rejected(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    connection = connect(backend)
    connection.tokens.account_email = "someone-else@contoso.example"

    with pytest.raises(CalendarRejected, match="mailbox could not be found"):
        backend.busy(
            tokens=connection.tokens,
            start=dt.datetime(2026, 3, 2, tzinfo=UTC),
            end=dt.datetime(2026, 3, 3, tzinfo=UTC),
        )


def test_revoke_makes_no_request_and_saves_nothing(
    backend: MicrosoftCalendar, fake: FakeMicrosoft
) -> None:
    connection = connect(backend)
    before = len(fake.requests)

    backend.revoke(tokens=connection.tokens)

    assert len(fake.requests) == before
    assert connection.saved == []


# --- the wire helpers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12.0),
        ("0", 0.0),
        ("-5", 0.0),
        ("Mon, 02 Mar 2026 10:00:30 GMT", 30.0),
        ("Mon, 02 Mar 2026 09:59:00 GMT", 0.0),
        ("soon", None),
        ("nan", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_seconds(value: str | None, expected: float | None) -> None:
    now = dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert _graph.retry_after_seconds(value, now=now) == expected


def test_graph_time_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        _graph.graph_time(dt.datetime(2026, 3, 2, 10, 0))  # noqa: DTZ001


def test_graph_times_in_a_named_zone_are_read_as_utc() -> None:
    moment = _graph.parse_graph_time(
        {"dateTime": "2026-07-01T12:00:00.0000000", "timeZone": "Europe/Berlin"}
    )
    assert moment == dt.datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    with pytest.raises(CalendarRejected, match="unknown time zone"):
        _graph.parse_graph_time({"dateTime": "2026-07-01T12:00:00", "timeZone": "Mars/Olympus"})
