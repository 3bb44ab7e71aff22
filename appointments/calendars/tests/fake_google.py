"""A local stand-in for Google: Calendar API v3 (events, freeBusy), the OAuth consent
page, token endpoint and revocation, on 127.0.0.1 in a thread.

It speaks Google's wire format for the paths our backend uses, keeps its state in
memory, checks request bodies against the discovery document bundled with
googleapiclient (required fields, known property names, value types) and answers
errors in Google's JSON shape. Tests script failures (``fail_next``), revoke grants
(``revoke_grants``) and read what was sent (``requests``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import secrets
import threading
from collections import deque
from dataclasses import dataclass, field
from http import HTTPStatus
from http.client import HTTPConnection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

CLIENT_ID = "fake-client.apps.googleusercontent.com"
CLIENT_SECRET = "fake-client-secret"
ACCOUNT_EMAIL = "owner@example.com"
EVENT_ID = re.compile(r"[a-v0-9]{5,1024}")

_DISCOVERY: dict[str, Any] = json.loads(
    resources.files("googleapiclient")
    .joinpath("discovery_cache/documents/calendar.v3.json")
    .read_text()
)


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode()))

    @property
    def bearer(self) -> str:
        return self.headers.get("authorization", "").removeprefix("Bearer ")


@dataclass
class Failure:
    status: int
    where: str  # "api" or "token"
    retry_after: str | None = None
    reason: str = ""


@dataclass
class Grant:
    refresh_token: str
    scope: str
    access_tokens: set[str] = field(default_factory=set)


class GoogleError(Exception):
    def __init__(self, status: int, message: str, reason: str, **extra: str) -> None:
        super().__init__(message)
        self.status, self.message, self.reason, self.extra = status, message, reason, extra

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "code": self.status,
                "message": self.message,
                "errors": [{"message": self.message, "domain": "global", "reason": self.reason}],
                "status": _STATUS_NAMES.get(self.status, HTTPStatus(self.status).name),
            }
        }


_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
}


def _invalid(message: str) -> GoogleError:
    return GoogleError(400, message, "invalid")


_JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "integer": int,
    "number": (int, float),
}


def check_schema(value: Any, schema: dict[str, Any], where: str, method_id: str) -> None:
    """Checks ``value`` against a discovery schema: known properties, JSON types and
    the properties the schema marks required for ``method_id``."""
    if "$ref" in schema:
        schema = _DISCOVERY["schemas"][schema["$ref"]]
    kind = schema.get("type")
    expected = _JSON_TYPES.get(kind or "")
    if expected is not None and not isinstance(value, expected):
        raise _invalid(f"Invalid value at '{where}': expected {kind}.")
    if kind == "object" and "properties" in schema:
        for name, prop in schema["properties"].items():
            if method_id in prop.get("annotations", {}).get("required", []) and name not in value:
                raise GoogleError(400, f"Missing {where}.{name}.".lstrip("."), "required")
        for name, item in value.items():
            if name not in schema["properties"]:
                raise _invalid(
                    f"Invalid JSON payload received. Unknown name \"{name}\" at '{where}'."
                )
            check_schema(item, schema["properties"][name], f"{where}.{name}".lstrip("."), method_id)
    elif kind == "object" and "additionalProperties" in schema:
        for name, item in value.items():
            check_schema(item, schema["additionalProperties"], f"{where}[{name}]", method_id)
    elif kind == "array":
        for index, item in enumerate(value):
            check_schema(item, schema["items"], f"{where}[{index}]", method_id)


def _when(value: dict[str, Any], name: str) -> dt.datetime:
    if "dateTime" not in value:
        raise GoogleError(400, f"Missing {name}.dateTime.", "required")
    moment = dt.datetime.fromisoformat(value["dateTime"])
    if moment.tzinfo is None and not value.get("timeZone"):
        raise _invalid("Missing time zone definition for start time.")
    return moment


def _rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeGoogle:
    """Start with ``with FakeGoogle() as google:``; ``google.url`` is its root."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.events: dict[tuple[str, str], dict[str, Any]] = {}
        self.busy: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
        self.unknown_calendars: set[str] = set()
        self.grants: dict[str, Grant] = {}
        self.codes: dict[str, dict[str, str]] = {}
        self.failures: deque[Failure] = deque()
        self.deny_consent = False
        self.grant_scope: str | None = None  # what the owner ticks; None: what was asked
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> FakeGoogle:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/"

    auth_uri = property(lambda self: self.url + "o/oauth2/auth")
    token_uri = property(lambda self: self.url + "token")
    revoke_uri = property(lambda self: self.url + "revoke")

    # Scripting ----------------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        where: str = "api",
        retry_after: str | None = None,
        reason: str = "",
    ) -> None:
        """The next ``times`` requests to the calendar API (or the token endpoint)
        answer ``status``."""
        self.failures.extend(Failure(status, where, retry_after, reason) for _ in range(times))

    def issue_grant(self, scope: str = "") -> tuple[str, str]:
        """A grant as if the owner had consented: (access token, refresh token)."""
        with self._lock:
            grant = Grant(refresh_token="1//" + secrets.token_urlsafe(24), scope=scope)
            self.grants[grant.refresh_token] = grant
            return self._new_access_token(grant), grant.refresh_token

    def revoke_grants(self) -> None:
        """The owner removed our access in their Google account."""
        with self._lock:
            self.grants.clear()

    def consent(self, auth_url: str) -> dict[str, str]:
        """Opens the consent URL the way a browser would and returns the query of the
        redirect back to us (code and state, or error and state)."""
        parts = urlsplit(auth_url)
        connection = HTTPConnection(parts.hostname or "", parts.port, timeout=5)
        try:
            connection.request("GET", f"{parts.path}?{parts.query}")
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        if response.status != 302:
            raise AssertionError(f"consent page answered {response.status}")
        return dict(parse_qsl(urlsplit(response.getheader("Location", "")).query))

    # Handlers -------------------------------------------------------------------

    def _new_access_token(self, grant: Grant) -> str:
        token = "ya29." + secrets.token_urlsafe(24)
        grant.access_tokens.add(token)
        return token

    def _authorized(self, request: Recorded) -> None:
        if not any(request.bearer in g.access_tokens for g in self.grants.values()):
            raise GoogleError(
                401,
                "Request had invalid authentication credentials. Expected OAuth 2 access "
                "token, login cookie or other valid authentication credential.",
                "authError",
            )

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str]]:
        """The consent page: checks the request and redirects with a code."""
        for name in ("client_id", "redirect_uri", "response_type", "scope", "state"):
            if not query.get(name):
                return 400, {"error": "invalid_request", "error_description": f"Missing {name}"}
        if query["client_id"] != CLIENT_ID:
            return 401, {"error": "invalid_client"}
        redirect = {"state": query["state"]}
        if self.deny_consent:
            redirect["error"] = "access_denied"
        else:
            code = "4/" + secrets.token_urlsafe(24)
            self.codes[code] = {
                "redirect_uri": query["redirect_uri"],
                "challenge": query.get("code_challenge", ""),
                "method": query.get("code_challenge_method", ""),
                "scope": self.grant_scope if self.grant_scope is not None else query["scope"],
                "access_type": query.get("access_type", "online"),
            }
            redirect["code"] = code
        return 302, {"Location": query["redirect_uri"] + "?" + urlencode(redirect)}

    def token(self, request: Recorded) -> tuple[int, dict[str, Any]]:
        form = request.form()
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        basic = request.headers.get("authorization", "")
        if basic.startswith("Basic "):
            client_id, _, client_secret = base64.b64decode(basic[6:]).decode().partition(":")
        if client_id != CLIENT_ID or client_secret != CLIENT_SECRET:
            return 401, {"error": "invalid_client", "error_description": "Unauthorized"}
        bad_grant = {
            "error": "invalid_grant",
            "error_description": "Token has been expired or revoked.",
        }
        if form.get("grant_type") == "authorization_code":
            pending = self.codes.pop(form.get("code", ""), None)
            if pending is None or pending["redirect_uri"] != form.get("redirect_uri"):
                return 400, {"error": "invalid_grant", "error_description": "Bad Request"}
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            if (
                pending["method"] != "S256"
                or challenge.decode().rstrip("=") != pending["challenge"]
            ):
                return 400, {
                    "error": "invalid_grant",
                    "error_description": "Invalid code verifier.",
                }
            grant = Grant(refresh_token="1//" + secrets.token_urlsafe(24), scope=pending["scope"])
            self.grants[grant.refresh_token] = grant
            answer = self._token_answer(grant)
            if pending["access_type"] == "offline":
                answer["refresh_token"] = grant.refresh_token
            if "openid" in grant.scope.split():
                answer["id_token"] = _id_token({"aud": CLIENT_ID, "email": ACCOUNT_EMAIL})
            return 200, answer
        if form.get("grant_type") == "refresh_token":
            refreshed = self.grants.get(form.get("refresh_token", ""))
            if refreshed is None:
                return 400, bad_grant
            return 200, self._token_answer(refreshed)
        return 400, {"error": "unsupported_grant_type"}

    def _token_answer(self, grant: Grant) -> dict[str, Any]:
        return {
            "access_token": self._new_access_token(grant),
            "expires_in": 3599,
            "scope": grant.scope,
            "token_type": "Bearer",
        }

    def revoke(self, request: Recorded) -> tuple[int, dict[str, Any]]:
        token = request.form().get("token") or request.query.get("token", "")
        for key, grant in list(self.grants.items()):
            if token == key or token in grant.access_tokens:
                del self.grants[key]
                return 200, {}
        return 400, {"error": "invalid_token", "error_description": "Token expired or revoked"}

    def calendar(self, request: Recorded) -> tuple[int, dict[str, Any] | None]:
        self._authorized(request)
        path = request.path.removeprefix("/calendar/v3/")
        if path == "freeBusy" and request.method == "POST":
            return 200, self._free_busy(request)
        match = re.fullmatch(r"calendars/([^/]+)/events(?:/([^/]+))?", path)
        if not match:
            raise GoogleError(404, "Not Found", "notFound")
        calendar_id, event_id = match.group(1), match.group(2)
        if event_id is None and request.method == "POST":
            return 200, self._insert(calendar_id, request)
        stored = self.events.get((calendar_id, event_id or ""))
        if stored is None:
            raise GoogleError(404, "Not Found", "notFound")
        if request.method == "GET":
            return 200, stored
        if request.method == "DELETE":
            if stored["status"] == "cancelled":
                raise GoogleError(410, "Resource has been deleted", "deleted")
            stored["status"] = "cancelled"
            return 204, None
        if request.method in ("PATCH", "PUT"):
            method_id = (
                "calendar.events.patch" if request.method == "PATCH" else "calendar.events.update"
            )
            body = self._checked_event(request, method_id)
            kept_conference = stored.get("conferenceData")
            if request.method == "PUT":
                kept = {
                    k: stored[k]
                    for k in (
                        "id",
                        "kind",
                        "htmlLink",
                        "iCalUID",
                        "created",
                        "organizer",
                        "creator",
                    )
                }
                stored.clear()
                stored.update({"status": "confirmed", **kept})
            stored.update(body)
            asked = (body.get("conferenceData") or {}).get("createRequest") or {}
            if (
                kept_conference
                and asked.get("requestId") == kept_conference["createRequest"]["requestId"]
            ):
                # Google ignores a create request it has already served.
                stored["conferenceData"] = kept_conference
            self._finish_event(stored, request)
            return 200, stored
        raise GoogleError(405, "Method Not Allowed", "httpMethodNotAllowed")

    def _checked_event(self, request: Recorded, method_id: str) -> dict[str, Any]:
        try:
            body = request.json()
        except ValueError:
            raise _invalid("Invalid JSON payload received.") from None
        check_schema(body, {"$ref": "Event"}, "", method_id)
        method = method_id.rsplit(".", 1)[1]
        parameters = _DISCOVERY["resources"]["events"]["methods"][method]["parameters"]
        for name, value in request.query.items():
            spec = parameters.get(name) or {}
            if "enum" in spec and value not in spec["enum"]:
                raise _invalid(f"Invalid value for {name}: {value}")
            if spec.get("type") == "integer":
                low, high = spec.get("minimum", value), spec.get("maximum", value)
                if not value.isdigit() or not int(low) <= int(value) <= int(high):
                    raise _invalid(f"Invalid value for {name}: {value}")
        if "start" in body or "end" in body:
            if _when(body["end"], "end") <= _when(body["start"], "start"):
                raise GoogleError(400, "The specified time range is empty.", "timeRangeEmpty")
        for attendee in body.get("attendees", []):
            if "@" not in attendee.get("email", ""):
                raise _invalid("Invalid attendee email.")
        return dict(body)

    def _insert(self, calendar_id: str, request: Recorded) -> dict[str, Any]:
        body = self._checked_event(request, "calendar.events.insert")
        event_id = body.get("id") or secrets.token_hex(13)
        if not EVENT_ID.fullmatch(event_id):
            raise _invalid("Invalid resource id value.")
        if (calendar_id, event_id) in self.events:
            raise GoogleError(409, "The requested identifier already exists.", "duplicate")
        event = {
            "kind": "calendar#event",
            "id": event_id,
            "status": "confirmed",
            "htmlLink": f"https://www.google.com/calendar/event?eid={event_id}",
            "iCalUID": f"{event_id}@google.com",
            "created": _rfc3339(dt.datetime.now(dt.UTC)),
            "organizer": {"email": ACCOUNT_EMAIL, "self": True},
            "creator": {"email": ACCOUNT_EMAIL, "self": True},
            **body,
        }
        self._finish_event(event, request)
        self.events[(calendar_id, event_id)] = event
        return event

    def _finish_event(self, event: dict[str, Any], request: Recorded) -> None:
        event["updated"] = _rfc3339(dt.datetime.now(dt.UTC))
        event["etag"] = f'"{secrets.randbelow(10**16)}"'
        for attendee in event.get("attendees", []):
            attendee.setdefault("responseStatus", "needsAction")
        create = (event.get("conferenceData") or {}).get("createRequest")
        if request.query.get("conferenceDataVersion") != "1":
            # Google ignores conference data from a client that did not opt in.
            event.pop("conferenceData", None)
        elif create and "entryPoints" not in event["conferenceData"]:
            if create.get("conferenceSolutionKey", {}).get("type") != "hangoutsMeet":
                raise _invalid("Invalid conference type value.")
            meet = "https://meet.google.com/" + "-".join(secrets.token_hex(2) for _ in range(3))
            create["status"] = {"statusCode": "success"}
            event["conferenceData"]["entryPoints"] = [
                {"entryPointType": "video", "uri": meet, "label": meet.removeprefix("https://")}
            ]
            event["hangoutLink"] = meet

    def _free_busy(self, request: Recorded) -> dict[str, Any]:
        body = request.json()
        check_schema(body, {"$ref": "FreeBusyRequest"}, "", "calendar.freebusy.query")
        for name in ("timeMin", "timeMax"):
            if name not in body:
                raise GoogleError(400, f"Missing {name} parameter.", "required")
        start = dt.datetime.fromisoformat(body["timeMin"])
        end = dt.datetime.fromisoformat(body["timeMax"])
        if end <= start:
            raise GoogleError(400, "The specified time range is empty.", "timeRangeEmpty")
        calendars: dict[str, Any] = {}
        for item in body.get("items", []):
            if item["id"] in self.unknown_calendars:
                calendars[item["id"]] = {
                    "errors": [{"domain": "global", "reason": "notFound"}],
                    "busy": [],
                }
                continue
            periods = list(self.busy.get(item["id"], []))
            for (calendar_id, _), event in self.events.items():
                if calendar_id == item["id"] and event["status"] != "cancelled":
                    periods.append((_when(event["start"], "start"), _when(event["end"], "end")))
            calendars[item["id"]] = {
                "busy": [
                    {"start": _rfc3339(max(s, start)), "end": _rfc3339(min(e, end))}
                    for s, e in sorted(periods)
                    if s < end and e > start
                ]
            }
        return {
            "kind": "calendar#freeBusy",
            "timeMin": _rfc3339(start),
            "timeMax": _rfc3339(end),
            "calendars": calendars,
        }

    def handle(self, request: Recorded) -> tuple[int, dict[str, str], bytes]:
        """One request: (status, headers, body)."""
        with self._lock:
            self.requests.append(request)
            where = "token" if request.path == "/token" else "api"
            if request.path.startswith("/calendar/v3/") or where == "token":
                failure = next((f for f in self.failures if f.where == where), None)
                if failure is not None:
                    self.failures.remove(failure)
                    return self._failure(failure)
            try:
                if request.path == "/o/oauth2/auth":
                    status, headers = self.authorize(request.query)
                    return status, headers, b""
                if request.path == "/token":
                    status, answer = self.token(request)
                elif request.path == "/revoke":
                    status, answer = self.revoke(request)
                elif request.path.startswith("/calendar/v3/"):
                    status, event = self.calendar(request)
                    if event is None:
                        return status, {}, b""
                    answer = event
                else:
                    raise GoogleError(404, "Not Found", "notFound")
            except GoogleError as exc:
                status, answer = exc.status, exc.body()
            return (
                status,
                {"Content-Type": "application/json; charset=UTF-8"},
                json.dumps(answer).encode(),
            )

    def _failure(self, failure: Failure) -> tuple[int, dict[str, str], bytes]:
        headers = {"Content-Type": "application/json; charset=UTF-8"}
        if failure.retry_after is not None:
            headers["Retry-After"] = failure.retry_after
        if failure.where == "token":
            answer: dict[str, Any] = {"error": "internal_failure"}
        else:
            messages = {
                429: ("Rate Limit Exceeded", "rateLimitExceeded"),
                401: ("Invalid Credentials", "authError"),
                403: ("Rate Limit Exceeded", "rateLimitExceeded"),
            }
            message, reason = messages.get(failure.status, ("Backend Error", "backendError"))
            answer = GoogleError(failure.status, message, failure.reason or reason).body()
        return failure.status, headers, json.dumps(answer).encode()


def _id_token(claims: dict[str, Any]) -> str:
    """An id_token shaped like Google's (the signature is not a real one)."""
    now = int(dt.datetime.now(dt.UTC).timestamp())
    claims = {
        "iss": "https://accounts.google.com",
        "sub": "1234567890",
        "iat": now,
        "exp": now + 3600,
        **claims,
    }

    def segment(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    header = segment(json.dumps({"alg": "RS256", "kid": "fake", "typ": "JWT"}).encode())
    return f"{header}.{segment(json.dumps(claims).encode())}.{segment(b'not-a-signature')}"


def _handler_for(google: FakeGoogle) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = Recorded(
                method=self.command,
                path=parts.path,
                query=dict(parse_qsl(parts.query)),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            status, headers, body = google.handle(request)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the test output stays readable; requests are recorded instead

    return Handler
