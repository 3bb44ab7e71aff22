"""Every value says whether it is certain; a value that cannot be made valid is refused."""

from __future__ import annotations

import pytest

from contacts.normalize import NormalizationError, normalize_email, normalize_phone
from contacts.tools import normalised_details

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once


@pytest.mark.parametrize(
    "text, value, doubt",
    [
        ("ada at gmial dot com", "ada@gmial.com", "may be misheard (gmail?)"),
        ("ada at hot mail dot com", "ada@hotmail.com", "joined 'hot mail'"),
        ("ada at g mail dot com", "ada@gmail.com", "joined 'g mail'"),
        ("ada at example dot con", "ada@example.con", "'.con' may be misheard"),
        ("ada lovelace at example dot com", "adalovelace@example.com", "no dot between"),
        ("john gmail dot com", "john@gmail.com", "no 'at' was heard"),
    ],
)
def test_doubtful_emails_are_flagged_not_silently_changed(
    text: str, value: str, doubt: str
) -> None:
    result = normalize_email(text)
    assert result.value == value
    assert result.certain is False
    assert any(doubt in d for d in result.doubts), result.doubts


def test_a_clear_address_is_certain() -> None:
    result = normalize_email("ada dot lovelace at gmail dot com")
    assert (result.value, result.certain, result.doubts) == ("ada.lovelace@gmail.com", True, ())


def test_a_homophone_read_as_a_digit_is_uncertain() -> None:
    result = normalize_phone("four one five to five five oh one three four")
    assert not result.certain and "'to'" in result.doubts[0]


@pytest.mark.parametrize(
    "text",
    ["lee at example", "at example dot com", "lee at at example dot com", "um", "ada at gmail, no"],
)
def test_invalid_emails_are_refused(text: str) -> None:
    with pytest.raises(NormalizationError):
        normalize_email(text)


@pytest.mark.parametrize(
    "text", ["five five five, one two three four", "call me maybe", "one eight hundred five"]
)
def test_invalid_phones_are_refused(text: str) -> None:
    with pytest.raises(NormalizationError):
        normalize_phone(text, region="US")


def test_details_flag_doubtful_fields_and_never_keep_refused_ones() -> None:
    details = normalised_details(
        {"name": "ada", "email": "ada at gmial dot com", "phone": "call me maybe"},
        "US",
        language="en",
    )
    assert details.values == {"name": "Ada", "email": "ada@gmial.com"}
    assert "phone" not in details.values
    assert list(details.needs_confirmation) == ["email"]
    assert "gmail" in details.needs_confirmation["email"]
    assert "too few digits" in details.problems[0]


def test_details_read_words_in_the_given_language() -> None:
    details = normalised_details(
        {
            "email": "juan arroba ejemplo punto com",
            "phone": "seis uno dos tres cuatro cinco seis siete ocho",
        },
        "ES",
        language="es",
    )
    assert details.values == {"email": "juan@ejemplo.com", "phone": "+34612345678"}
    assert details.needs_confirmation == {} and details.problems == []
