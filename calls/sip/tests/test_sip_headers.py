"""Reading the caller and the number called from SIP headers, defensively."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from calls.sip.headers import called_candidates, caller_number, uri_number

pytestmark = pytest.mark.embedded_pass_only


@dataclass
class H:
    name: str
    value: str


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("sip:+18005551212@sip.example.com", "+18005551212"),
        ('"Bob, Jr" <sip:+14155550123@pstn.twilio.com>;tag=x1', "+14155550123"),
        ("<tel:+1-415-555-0123>", "+14155550123"),
        ("<sips:442071838750@trunk.example.com;user=phone>", "442071838750"),
        ("sip:anonymous@anonymous.invalid", ""),
        ("<sip:reception@pbx.example.com>", ""),
        ("sip:+123@x", ""),  # too short for a phone number
        ("", ""),
    ],
)
def test_uri_number(value: str, number: str) -> None:
    assert uri_number(value) == number


def test_called_number_from_to_then_diversion_case_insensitive() -> None:
    headers = [
        H("to", "<sip:+15550009999@trunk.example.com>;tag=1"),
        H("DIVERSION", "<sip:+18005551212@a.example.com>;reason=unconditional"),
        H("Diversion", "<sip:+18005551212@b.example.com>"),
    ]
    assert called_candidates(headers) == ["+15550009999", "+18005551212"]


def test_caller_withheld_falls_back_to_asserted_identity() -> None:
    headers = [
        H("From", '"Anonymous" <sip:anonymous@anonymous.invalid>;tag=9'),
        H("P-Asserted-Identity", "<sip:+14155550123@carrier.example.com>"),
    ]
    assert caller_number(headers) == "+14155550123"
    assert caller_number([H("From", "<sip:anonymous@anonymous.invalid>")]) == ""
