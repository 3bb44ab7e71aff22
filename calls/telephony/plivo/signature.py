"""Plivo's V3 signatures: on the answer webhook and on the audio stream's upgrade."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from plivo.exceptions import ValidationError
from plivo.utils import validate_v3_signature
from plivo.utils.signature_v3 import construct_get_url, get_signature_v3

from calls.telephony.credentials import credentials_for
from calls.telephony.plivo import NAME, STREAM_PATH
from calls.telephony.webhook import public_url, stream_url
from voiceagent.links import configured_base_url

logger = logging.getLogger(__name__)

NOT_CONFIGURED = (
    "Plivo is not configured on this server: set PLIVO_AUTH_TOKEN (or the number's own "
    "auth token) and PUBLIC_BASE_URL."
)
SIGNATURE_HEADER = "X-Plivo-Signature-V3"
NONCE_HEADER = "X-Plivo-Signature-V3-Nonce"


def signature_valid(
    *,
    method: str,
    url: str,
    params: Mapping[str, str],
    nonce: str,
    signature: str,
    auth_token: str | None = None,
) -> bool:
    """The plivo package's own V3 check (it accepts any of several comma-separated
    signatures), with ``auth_token`` (a number's own account) or the server's. False
    when there is no token or address, or a header is missing."""
    token = str(settings.PLIVO_AUTH_TOKEN) if auth_token is None else auth_token
    if not token or not configured_base_url() or not signature or not nonce:
        return False
    if urlsplit(url).scheme in ("ws", "wss"):
        # validate_v3_signature refuses a ws(s) URL (its argument check wants http(s)); the
        # same computation from the same module, without that check.
        base = construct_get_url(url, dict(params)).decode()
        expected = get_signature_v3(token.encode(), base, nonce.encode())
        return any(hmac.compare_digest(expected, given) for given in signature.encode().split(b","))
    try:
        return bool(
            validate_v3_signature(
                method=method,
                uri=url,
                nonce=nonce,
                auth_token=token,
                v3_signature=signature,
                params=dict(params),
            )
        )
    except ValidationError:  # a URL or header the package will not even look at
        return False


def audio_stream_url(*, line: str = "") -> str:
    """The audio stream's URL as the answer XML gives it: a number with its own account
    gets a path naming its line, so the stream knows which token to check."""
    return stream_url(f"{STREAM_PATH}{line}/" if line else STREAM_PATH)


def stream_signature_valid(
    headers: Mapping[str, str], *, line: str = "", auth_token: str | None = None
) -> bool:
    """The upgrade's signature (``headers``: names lower-case), a GET with no parameters.

    Plivo does not document the URL it signs for a stream; its own stream SDK
    (plivo-stream-sdk-node) checks ``https://<host><path>``, the wss URL with the
    scheme of the HTTP request it arrived as. Both that and the URL exactly as the
    answer XML gives it are accepted: each is an HMAC with the auth token.
    """
    nonce = headers.get(NONCE_HEADER.lower(), "")
    signature = headers.get(SIGNATURE_HEADER.lower(), "")
    given = audio_stream_url(line=line)
    parts = urlsplit(given)
    http = urlunsplit(("https" if parts.scheme == "wss" else "http", *parts[1:]))
    return any(
        signature_valid(
            method="GET",
            url=url,
            params={},
            nonce=nonce,
            signature=signature,
            auth_token=auth_token,
        )
        for url in (given, http)
    )


def request_refusal(request: HttpRequest, *, line: str, what: str) -> HttpResponse | None:
    """None when Plivo signed ``request`` (V3, over the URL it called on PUBLIC_BASE_URL
    and the POSTed form) with the token of ``line``'s account (its own, else the
    server's); else the answer: 503 without a token or address, 403 for a bad signature."""
    credentials = credentials_for(provider=NAME, line=line)
    if credentials is None or not configured_base_url():
        return HttpResponse(NOT_CONFIGURED, status=503, content_type="text/plain")
    url = public_url(path=request.path, query=request.META.get("QUERY_STRING", ""))
    if not signature_valid(
        method="POST",
        url=url,
        params=request.POST.dict(),
        nonce=request.headers.get(NONCE_HEADER, ""),
        signature=request.headers.get(SIGNATURE_HEADER, ""),
        auth_token=credentials.auth_token,
    ):
        logger.warning("Refused a Plivo %s with a bad signature for %s", what, url)
        return HttpResponse("Invalid Plivo signature.", status=403, content_type="text/plain")
    return None
