"""A fake of Microsoft's identity platform and of Microsoft Graph's calendar API.

One ``ThreadingHTTPServer`` on a free loopback port serves both, over TLS: msal 1.39
accepts only ``https://`` authorities (``msal.authority.canonicalize`` raises for any
other scheme, for ``oidc_authority`` and for the token endpoint that discovery
returns too), so the fake makes a throwaway CA, signs a certificate for 127.0.0.1 with
it, and tests trust that CA through ``REQUESTS_CA_BUNDLE`` (``ca_file``). The product
code therefore runs unchanged, with no test-only transport.

Wire formats follow the real services:

- ``GET /{tenant}/v2.0/.well-known/openid-configuration`` (msal fetches it whenever an
  app object is built);
- ``GET /{tenant}/oauth2/v2.0/authorize``: consents at once as ``user_email`` and
  redirects to ``redirect_uri`` with ``code`` and ``state`` (or ``error``);
- ``POST /{tenant}/oauth2/v2.0/token``: ``authorization_code`` (with PKCE S256 checked)
  and ``refresh_token`` grants, answering with access, refresh and unsigned id tokens
  plus ``client_info``;
- Graph under ``/v1.0``: ``POST /me/events`` and ``/me/calendars/{id}/events`` (a
  replayed ``transactionId`` returns the first event), ``GET``/``PATCH``/``DELETE``
  ``/me/events/{id}``, ``POST /me/calendar/getSchedule``. Errors have Graph's shape,
  ``{"error": {"code", "message"}}``.

Every request is recorded (``requests``) for assertions; failures are scripted with
``fail_graph``, ``fail_token`` and ``refuse_refresh``.
"""

from __future__ import annotations

import base64
import collections
import datetime as dt
import hashlib
import http.server
import ipaddress
import json
import secrets
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

GRAPH_PREFIX = "/v1.0"
TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"
USER_OID = "00000000-0000-0000-66f3-3332eca7ea81"
# getSchedule's availabilityView digits, in the order of precedence.
AVAILABILITY = {"free": "0", "tentative": "1", "busy": "2", "oof": "3", "workingElsewhere": "4"}


@dataclass
class RecordedRequest:
    method: str
    path: str  # without the query, percent-decoded
    query: dict[str, str]
    headers: dict[str, str]  # names lower-cased
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class ScriptedFailure:
    status: int
    retry_after: str | None = None
    code: str = ""
    message: str = ""


@dataclass
class ScheduleItem:
    status: str  # free, tentative, busy, oof, workingElsewhere
    start: dt.datetime  # aware
    end: dt.datetime


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _graph_time(moment: dt.datetime) -> dict[str, str]:
    # Graph's own format: seven fractional digits, the zone beside it.
    utc = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return {"dateTime": utc.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


def _parse_graph_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, dict) or not value.get("dateTime") or not value.get("timeZone"):
        return None
    if value["timeZone"] != "UTC":
        return None  # the fake understands UTC only, which is what the backend sends
    return dt.datetime.fromisoformat(value["dateTime"]).replace(tzinfo=dt.UTC)


@dataclass
class FakeMicrosoft:
    client_id: str = "11111111-2222-3333-4444-555555555555"
    client_secret: str = "fake-client-secret"
    user_email: str = "owner@contoso.example"
    user_name: str = "Olivia Owner"
    access_token_lifetime: int = 3599  # seconds; under 300, msal treats it as expired
    refuse_refresh: bool = False  # refresh grants get 400 invalid_grant
    deny_consent: bool = False  # /authorize redirects with error=access_denied
    graph_delay: float = 0.0  # seconds every Graph answer is held back
    forged_nonce: str = ""  # when set, id tokens carry this nonce instead of the request's
    schedule: list[ScheduleItem] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.url = ""
        self._lock = threading.Lock()
        self._graph_failures: collections.deque[ScriptedFailure] = collections.deque()
        self._token_failures: collections.deque[ScriptedFailure] = collections.deque()
        self._codes: dict[str, dict[str, str]] = {}
        self._access_tokens: dict[str, float] = {}  # token -> expiry (epoch seconds)
        self._refresh_tokens: set[str] = set()
        self._transactions: dict[str, str] = {}  # transactionId -> event id
        self._server: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="fake-microsoft-")
        self.ca_file = ""

    # --- scripting -------------------------------------------------------------------

    def fail_graph(
        self,
        status: int,
        *,
        times: int = 1,
        retry_after: str | None = None,
        code: str = "",
        message: str = "",
    ) -> None:
        """The next ``times`` Graph requests answer ``status`` in Graph's error shape."""
        with self._lock:
            for _ in range(times):
                self._graph_failures.append(ScriptedFailure(status, retry_after, code, message))

    def fail_token(self, status: int, *, times: int = 1, retry_after: str | None = None) -> None:
        """The next ``times`` token requests answer ``status`` (a server error page)."""
        with self._lock:
            for _ in range(times):
                self._token_failures.append(ScriptedFailure(status, retry_after))

    def expire_access_tokens(self) -> None:
        """Every access token issued so far is refused from now on (401)."""
        with self._lock:
            self._access_tokens = dict.fromkeys(self._access_tokens, 0.0)

    # --- what tests look at ----------------------------------------------------------

    @property
    def authority_host(self) -> str:
        return self.url

    @property
    def graph_url(self) -> str:
        return self.url + GRAPH_PREFIX

    def requests_to(self, suffix: str, method: str | None = None) -> list[RecordedRequest]:
        with self._lock:
            return [
                r
                for r in self.requests
                if r.path.endswith(suffix) and (method is None or r.method == method)
            ]

    def token_requests(self) -> list[RecordedRequest]:
        return self.requests_to("/oauth2/v2.0/token", "POST")

    def graph_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path.startswith(GRAPH_PREFIX + "/")]

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> str:
        """Serves on a free loopback port over TLS; returns the base URL."""
        cert_file, key_file = self._make_certificates()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self._server.server_address[1]}"
        # A short poll interval: shutdown() waits for the loop to notice, once per test.
        server = self._server
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.05), daemon=True
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._tmp.cleanup()

    def _make_certificates(self) -> tuple[str, str]:
        now = dt.datetime.now(dt.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake-microsoft test CA")])
        ca_cert = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
            )
            .sign(ca_key, hashes.SHA256())
        )
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(
                x509.SubjectAlternativeName(
                    [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
                ),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
            .sign(ca_key, hashes.SHA256())
        )
        directory = Path(self._tmp.name)
        ca_path, cert_path, key_path = (directory / n for n in ("ca.pem", "cert.pem", "key.pem"))
        ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        self.ca_file = str(ca_path)
        return str(cert_path), str(key_path)

    # --- identity platform -----------------------------------------------------------

    def openid_configuration(self, tenant: str) -> dict[str, Any]:
        base = f"{self.url}/{tenant}"
        return {
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "issuer": f"{self.url}/{{tenantid}}/v2.0",
            "jwks_uri": f"{self.url}/{tenant}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "response_types_supported": ["code", "id_token", "code id_token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        }

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """Consents as ``user_email`` at once; the redirect carries the code."""
        if query.get("client_id") != self.client_id:
            return _json(400, {"error": "unauthorized_client"})
        for required in ("redirect_uri", "state", "nonce", "code_challenge"):
            if not query.get(required):
                return _json(400, {"error": "invalid_request", "error_description": required})
        if query.get("code_challenge_method") != "S256" or query.get("response_type") != "code":
            return _json(400, {"error": "invalid_request"})
        answer: dict[str, str]
        if self.deny_consent:
            answer = {
                "error": "access_denied",
                "error_description": "AADSTS65004: User declined to consent to access the app.",
                "state": query["state"],
            }
        else:
            code = "fake-code-" + secrets.token_urlsafe(24)
            with self._lock:
                self._codes[code] = {
                    "redirect_uri": query["redirect_uri"],
                    "nonce": query["nonce"],  # msal sends sha256(flow nonce), hex
                    "code_challenge": query["code_challenge"],
                    "scope": query.get("scope", ""),
                }
            answer = {"code": code, "state": query["state"], "session_state": secrets.token_hex(8)}
        if query.get("response_mode") == "form_post":
            inputs = "".join(
                f'<input type="hidden" name="{k}" value="{v}">' for k, v in answer.items()
            )
            page = f'<form method="post" action="{query["redirect_uri"]}">{inputs}</form>'
            return 200, {"Content-Type": "text/html"}, page.encode()
        return 302, {"Location": f"{query['redirect_uri']}?{urlencode(answer)}"}, b""

    def token(self, tenant: str, request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            failure = self._token_failures.popleft() if self._token_failures else None
        if failure is not None:
            headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
            return failure.status, {"Content-Type": "text/html", **headers}, b"<h1>Busy</h1>"
        form = request.form
        if not self._client_authenticated(request.headers.get("authorization", ""), form):
            return _json(401, {"error": "invalid_client", "error_description": "AADSTS7000215"})
        grant = form.get("grant_type")
        nonce = ""
        if grant == "authorization_code":
            with self._lock:
                issued = self._codes.pop(form.get("code", ""), None)
            if issued is None or issued["redirect_uri"] != form.get("redirect_uri"):
                return _invalid_grant("AADSTS70008: The provided authorization code is invalid.")
            verifier = form.get("code_verifier", "")
            if _b64url(hashlib.sha256(verifier.encode()).digest()) != issued["code_challenge"]:
                return _invalid_grant("AADSTS501481: The Code_Verifier does not match.")
            nonce = issued["nonce"]
        elif grant == "refresh_token":
            with self._lock:
                known = form.get("refresh_token", "") in self._refresh_tokens
            if self.refuse_refresh or not known:
                return _invalid_grant(
                    "AADSTS700082: The refresh token has expired due to inactivity."
                )
        else:
            return _json(400, {"error": "unsupported_grant_type"})
        return _json(200, self._issue_tokens(tenant, nonce=nonce))

    def _client_authenticated(self, authorization: str, form: dict[str, str]) -> bool:
        if authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[6:]).decode()
            client_id, _, secret = decoded.partition(":")
            return client_id == self.client_id and unquote(secret) == self.client_secret
        return form.get("client_id") == self.client_id and (
            form.get("client_secret") == self.client_secret
        )

    def _issue_tokens(self, tenant: str, *, nonce: str) -> dict[str, Any]:
        now = int(time.time())
        access_token = "fake-at-" + secrets.token_urlsafe(24)
        refresh_token = "fake-rt-" + secrets.token_urlsafe(24)
        with self._lock:
            self._access_tokens[access_token] = now + self.access_token_lifetime
            self._refresh_tokens.add(refresh_token)
        claims: dict[str, Any] = {
            "aud": self.client_id,
            "iss": f"{self.url}/{TENANT_ID}/v2.0",
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "name": self.user_name,
            "oid": USER_OID,
            "preferred_username": self.user_email,
            "sub": "fake-subject",
            "tid": TENANT_ID,
            "ver": "2.0",
        }
        if nonce:
            claims["nonce"] = self.forged_nonce or nonce
        header = _b64url(json.dumps({"typ": "JWT", "alg": "RS256", "kid": "fake"}).encode())
        id_token = f"{header}.{_b64url(json.dumps(claims).encode())}.{_b64url(b'unsigned')}"
        client_info = _b64url(json.dumps({"uid": USER_OID, "utid": TENANT_ID}).encode())
        return {
            "token_type": "Bearer",
            "scope": "Calendars.ReadWrite openid profile email",
            "expires_in": self.access_token_lifetime,
            "ext_expires_in": self.access_token_lifetime,
            "access_token": access_token,
            "refresh_token": refresh_token,
            "id_token": id_token,
            "client_info": client_info,
        }

    # --- Graph -----------------------------------------------------------------------

    def graph(self, request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        time.sleep(self.graph_delay)
        with self._lock:
            failure = self._graph_failures.popleft() if self._graph_failures else None
        if failure is not None:
            headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
            status, _, body = _graph_error(
                failure.status, failure.code or "ScriptedFailure", failure.message or "Scripted"
            )
            return status, {"Content-Type": "application/json", **headers}, body
        authorization = request.headers.get("authorization", "")
        with self._lock:
            expiry = self._access_tokens.get(authorization.removeprefix("Bearer "))
        if not authorization.startswith("Bearer ") or expiry is None or expiry < time.time():
            return _graph_error(
                401,
                "InvalidAuthenticationToken",
                "Access token has expired or is not yet valid.",
            )
        path = request.path.removeprefix(GRAPH_PREFIX)
        parts = path.strip("/").split("/")
        if request.method == "POST" and (
            parts == ["me", "events"]
            or (len(parts) == 4 and parts[:2] == ["me", "calendars"] and parts[3] == "events")
        ):
            return self._create_event(request, calendar=parts[2] if len(parts) == 4 else "")
        if len(parts) == 3 and parts[:2] == ["me", "events"]:
            return self._event(request, parts[2])
        if request.method == "POST" and parts == ["me", "calendar", "getSchedule"]:
            return self._get_schedule(request)
        return _graph_error(400, "BadRequest", f"Resource not found for the segment '{path}'.")

    def _create_event(
        self, request: RecordedRequest, *, calendar: str
    ) -> tuple[int, dict[str, str], bytes]:
        try:
            body = request.json
        except ValueError:
            return _graph_error(400, "BadRequest", "Unable to read JSON request payload.")
        problem = _event_problem(body)
        if problem:
            return _graph_error(400, "ErrorInvalidRequest", problem)
        with self._lock:
            existing = self._transactions.get(body.get("transactionId") or "")
            if existing is not None:
                # Graph's documented idempotency: a client retry gets the first event back.
                return _json(201, self.events[existing])
            event_id = "AAMkAGI2TG93AAA" + secrets.token_urlsafe(24) + "="
            event = {
                **body,
                "id": event_id,
                "calendar": calendar or "primary",
                "webLink": "https://outlook.office365.com/owa/?itemid="
                + base64.b64encode(event_id.encode()).decode()
                + "&exvsurl=1&path=/calendar/item",
                "onlineMeeting": None,
            }
            if body.get("isOnlineMeeting") and body.get("onlineMeetingProvider"):
                event["onlineMeeting"] = {
                    "joinUrl": "https://teams.microsoft.com/l/meetup-join/" + secrets.token_hex(8)
                }
            self.events[event_id] = event
            if body.get("transactionId"):
                self._transactions[body["transactionId"]] = event_id
        return _json(201, event)

    def _event(self, request: RecordedRequest, event_id: str) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            event = self.events.get(event_id)
            if event is None:
                return _graph_error(
                    404, "ErrorItemNotFound", "The specified object was not found in the store."
                )
            if request.method == "GET":
                return _json(200, event)
            if request.method == "DELETE":
                del self.events[event_id]
                return 204, {}, b""
            if request.method != "PATCH":
                return _graph_error(405, "MethodNotAllowed", request.method)
            body = request.json
            if "transactionId" in body and body["transactionId"] != event.get("transactionId"):
                return _graph_error(400, "ErrorInvalidRequest", "transactionId is read-only.")
            if event.get("isOnlineMeeting") and body.get("isOnlineMeeting") is False:
                return _graph_error(
                    400, "ErrorInvalidRequest", "An online meeting cannot be turned off."
                )
            for key in ("start", "end"):
                if key in body and _parse_graph_time(body[key]) is None:
                    return _graph_error(400, "ErrorInvalidRequest", f"Invalid {key}.")
            event.update(body)
            if event.get("isOnlineMeeting") and not event.get("onlineMeeting"):
                event["onlineMeeting"] = {
                    "joinUrl": "https://teams.microsoft.com/l/meetup-join/" + secrets.token_hex(8)
                }
            return _json(200, event)

    def _get_schedule(self, request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        body = request.json
        start = _parse_graph_time(body.get("startTime"))
        end = _parse_graph_time(body.get("endTime"))
        interval = body.get("availabilityViewInterval", 30)
        schedules = body.get("schedules")
        if start is None or end is None or not isinstance(schedules, list) or not schedules:
            return _graph_error(400, "ErrorInvalidRequest", "schedules, startTime and endTime.")
        if not isinstance(interval, int) or not 5 <= interval <= 1440 or end <= start:
            return _graph_error(400, "ErrorInvalidRequest", "availabilityViewInterval.")
        value = []
        for schedule in schedules:
            if schedule.lower() != self.user_email.lower():
                value.append(
                    {
                        "scheduleId": schedule,
                        "availabilityView": "",
                        "error": {
                            "message": "The mailbox could not be found.",
                            "responseCode": "ErrorMailRecipientNotFound",
                        },
                    }
                )
                continue
            items = [i for i in self.schedule if i.start < end and i.end > start]
            view = ""
            slot = start
            while slot < end:
                slot_end = slot + dt.timedelta(minutes=interval)
                statuses = [i.status for i in items if i.start < slot_end and i.end > slot]
                view += max((AVAILABILITY[s] for s in statuses), default="0")
                slot = slot_end
            value.append(
                {
                    "scheduleId": schedule,
                    "availabilityView": view,
                    "scheduleItems": [
                        {
                            "isPrivate": False,
                            "status": i.status,
                            "subject": "Held",
                            "start": _graph_time(i.start),
                            "end": _graph_time(i.end),
                        }
                        for i in items
                    ],
                    "workingHours": {
                        "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
                        "startTime": "08:00:00.0000000",
                        "endTime": "17:00:00.0000000",
                        "timeZone": {"name": "UTC"},
                    },
                }
            )
        return _json(200, {"value": value})


def _event_problem(body: Any) -> str:
    """Why Graph would refuse this event body, or "" when it would accept it."""
    if not isinstance(body, dict):
        return "The request body must be an event."
    if not isinstance(body.get("subject"), str):
        return "subject is required."
    for key in ("start", "end"):
        if _parse_graph_time(body.get(key)) is None:
            return f"{key} needs dateTime and timeZone."
    for attendee in body.get("attendees", []):
        if not attendee.get("emailAddress", {}).get("address"):
            return "An attendee has no emailAddress.address."
        if attendee.get("type") not in {"required", "optional", "resource"}:
            return "An attendee has no valid type."
    provider = body.get("onlineMeetingProvider")
    if provider is not None and provider not in {
        "unknown",
        "teamsForBusiness",
        "skypeForBusiness",
        "skypeForConsumer",
    }:
        return "onlineMeetingProvider is not valid."
    return ""


def _json(status: int, payload: Any) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(payload).encode()


def _graph_error(status: int, code: str, message: str) -> tuple[int, dict[str, str], bytes]:
    return _json(
        status,
        {
            "error": {
                "code": code,
                "message": message,
                "innerError": {"request-id": secrets.token_hex(8), "date": "2026-01-01T00:00:00"},
            }
        },
    )


def _invalid_grant(description: str) -> tuple[int, dict[str, str], bytes]:
    return _json(
        400,
        {
            "error": "invalid_grant",
            "error_description": description + "\r\nTrace ID: fake\r\nCorrelation ID: fake",
            "error_codes": [int(description[6:].split(":")[0])],
            "suberror": "bad_token",
        },
    )


def _handler_for(fake: FakeMicrosoft) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # the recorded requests say more, and test output stays clean

        def _serve(self) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = RecordedRequest(
                method=self.command,
                path=unquote(split.path),
                query={k: v[0] for k, v in parse_qs(split.query).items()},
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            with fake._lock:
                fake.requests.append(request)
            status, headers, body = self._route(request)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _route(self, request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
            if request.path.startswith(GRAPH_PREFIX + "/"):
                return fake.graph(request)
            parts = request.path.strip("/").split("/")
            tenant, rest = parts[0], "/".join(parts[1:])
            if request.method == "GET" and rest == "v2.0/.well-known/openid-configuration":
                return _json(200, fake.openid_configuration(tenant))
            if request.method == "GET" and rest == "oauth2/v2.0/authorize":
                return fake.authorize(request.query)
            if request.method == "POST" and rest == "oauth2/v2.0/token":
                return fake.token(tenant, request)
            return _json(404, {"error": "not_found", "error_description": request.path})

        do_GET = do_POST = do_PATCH = do_DELETE = _serve

    return Handler
