"""The SIP headers of an incoming call, as OpenAI's webhook passes them on: who called
and which number they dialled. The values are untrusted (the carrier's INVITE): they
route the call, they authorise nothing."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

# A SIP or tel URI's user part that is a phone number: "sip:+14155550100@host",
# "<tel:+1-415-555-0100>", "sips:14155550100@host;user=phone".
_URI_NUMBER = re.compile(r"(?:sips?|tel):\s*(\+?[0-9][0-9().\- ]*)", re.IGNORECASE)
MIN_DIGITS, MAX_DIGITS = 6, 15


class Header(Protocol):
    name: str
    value: str


def header_values(headers: Iterable[Header], name: str) -> list[str]:
    """Every value of header ``name`` (SIP header names are case-insensitive; ``Diversion``
    may come several times, and one header may list several comma-separated values)."""
    wanted = name.lower()
    values: list[str] = []
    for header in headers:
        if str(getattr(header, "name", "")).lower() == wanted:
            values += [part.strip() for part in str(getattr(header, "value", "")).split(",")]
    return [value for value in values if value]


def uri_number(value: str) -> str:
    """The phone number in a header value (``"Bob" <sip:+1415…@host>;tag=x``) as digits with
    an optional leading ``+``, or "" when it holds none (``anonymous``, a SIP user name)."""
    match = _URI_NUMBER.search(value)
    if match is None:
        return ""
    raw = match.group(1)
    digits = re.sub(r"\D", "", raw)
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
        return ""
    return ("+" if raw.startswith("+") else "") + digits


def called_candidates(headers: Iterable[Header]) -> list[str]:
    """The numbers the caller may have dialled, best first: ``To``, then any ``Diversion``
    (a trunk that forwards a number puts the original one there)."""
    headers = list(headers)
    numbers = [uri_number(value) for value in header_values(headers, "To")]
    numbers += [uri_number(value) for value in header_values(headers, "Diversion")]
    unique: list[str] = []
    for number in numbers:
        if number and number not in unique:
            unique.append(number)
    return unique


def caller_number(headers: Iterable[Header]) -> str:
    """The caller's number from ``From`` (else ``P-Asserted-Identity``), "" when withheld."""
    headers = list(headers)
    for name in ("From", "P-Asserted-Identity"):
        for value in header_values(headers, name):
            if number := uri_number(value):
                return number
    return ""
