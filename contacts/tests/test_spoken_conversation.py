"""The talk around a value: lead-ins, fillers, trailing words and self-corrections."""

from __future__ import annotations

import pytest

from contacts.normalize import normalize_email, normalize_name, normalize_phone

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once


@pytest.mark.parametrize(
    "text",
    [
        "Okay, so it's ada at example dot com",
        "yeah um my email would be ada at example dot com",
        "sure, that's ada at example dot com",
        "my email address is ada at example dot com, thanks",
        "it's like ada at, you know, example dot com",
        "ada at example dot com, that's it",
        "uh, ada at example dot com please",
    ],
)
def test_lead_ins_fillers_and_trailing_words_are_not_the_address(text: str) -> None:
    result = normalize_email(text)
    assert result.value == "ada@example.com"
    assert result.certain, result.doubts


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ada at gmail, no sorry, at yahoo dot com", "ada@yahoo.com"),
        ("ada at gmail dot com, actually at yahoo dot com", "ada@yahoo.com"),
        ("ada at example dot com, scratch that, grace at example dot org", "grace@example.org"),
        ("ada at example dot com, wait, ava at example dot com", "ava@example.com"),
        ("ada.lovelace@gmail.com, sorry, ada.byron@gmail.com", "ada.byron@gmail.com"),
    ],
)
def test_the_value_after_the_last_correction_wins(text: str, expected: str) -> None:
    result = normalize_email(text)
    assert result.value == expected
    assert result.certain, result.doubts  # "at …" replaces the domain: no guess


@pytest.mark.parametrize(
    "text, expected, doubt",
    [
        ("ada at example dot co dot uk, no, dot com", "ada@example.com", "ending"),
        ("ada at outlook dot com, I mean hotmail dot com", "ada@hotmail.com", "domain"),
        ("ada at example dot com, sorry, ava", "ava@example.com", "part before the @"),
    ],
)
def test_a_correction_whose_scope_is_guessed_is_uncertain(
    text: str, expected: str, doubt: str
) -> None:
    result = normalize_email(text)
    assert result.value == expected
    assert not result.certain and doubt in result.doubts[0]


def test_a_corrected_digit_group_replaces_the_same_length_group() -> None:
    result = normalize_phone(
        "my number is four one five, five five five, wait, five six five, zero one three four"
    )
    assert (result.value, result.certain) == ("+14155650134", True)


def test_a_corrected_group_of_unknown_scope_is_uncertain() -> None:
    result = normalize_phone(
        "four one five five five five, no sorry, five six five zero one three four"
    )
    assert result.value == "+14155650134"
    assert not result.certain and "replace '555'" in result.doubts[0]


def test_a_restart_replaces_everything() -> None:
    result = normalize_phone(
        "two one two, let me start again, four one five five five five zero one three four"
    )
    assert (result.value, result.certain) == ("+14155550134", True)


def test_phone_fillers_and_lead_ins() -> None:
    result = normalize_phone(
        "uh so it's four one five um five five five er zero one three four thanks"
    )
    assert result.value == "+14155550134"


@pytest.mark.parametrize(
    "text, expected, certain",
    [
        ("um, yeah, it's, uh, Ada Lovelace, thanks", "Ada Lovelace", True),
        ("Ada, I mean, Grace Hopper", "Grace Hopper", True),
        ("j o h n, no sorry, j o n", "Jon", True),
        ("John Smith, sorry, Smyth", "John Smyth", False),
    ],
)
def test_names_in_conversation(text: str, expected: str, certain: bool) -> None:
    result = normalize_name(text)
    assert (result.value, result.certain) == (expected, certain)
