"""Letters spelled out, with phonetic alphabets and case words."""

from __future__ import annotations

import pytest

from contacts.normalize import normalize_email, normalize_name

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once


@pytest.mark.parametrize(
    "text, expected",
    [
        ("j o h n at example dot com", "john@example.com"),
        ("J as in Juliet o h n at example dot com", "john@example.com"),
        ("M for Mike a r y at example dot com", "mary@example.com"),
        ("b as in boy o b at example dot com", "bob@example.com"),
        ("x as in x-ray y z at example dot com", "xyz@example.com"),
        (
            "capital J o h n underscore doe at example dot com all lower case",
            "john_doe@example.com",
        ),
        ("mary hyphen jane at example dot org", "mary-jane@example.org"),
        ("mary dash jane at example dot org", "mary-jane@example.org"),
        ("L like Lima e e at example dot com", "lee@example.com"),
    ],
)
def test_spelled_letters_in_emails(text: str, expected: str) -> None:
    result = normalize_email(text)
    assert result.value == expected
    assert result.certain, result.doubts


def test_a_word_that_does_not_start_with_the_letter_is_not_a_spelling() -> None:
    # "a for example" is not "a as in Alpha": nothing is swallowed.
    assert normalize_email("ada for example at example dot com").value == (
        "adaforexample@example.com"
    )


def test_nato_words_in_a_row_are_letters_with_a_doubt() -> None:
    result = normalize_email("juliet oscar hotel november at example dot com")
    assert result.value == "john@example.com"
    assert not result.certain and "as the letters 'john'" in result.doubts[0]


def test_one_nato_word_is_a_word() -> None:
    result = normalize_email("juliet at example dot com")
    assert (result.value, result.certain) == ("juliet@example.com", True)


def test_letter_names_merged_into_a_word_are_uncertain() -> None:
    result = normalize_email("jay oh aitch en at example dot com")
    assert result.value == "john@example.com"
    assert not result.certain and "spelled letters" in result.doubts[0]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("J as in Juliet o h n", "John"),
        ("capital M c capital D o n a l d", "McDonald"),
        ("mary hyphen jane watson", "Mary-Jane Watson"),
        ("o apostrophe brien", "O'Brien"),
        ("s m i t h, smith", "Smith"),
    ],
)
def test_spelled_names(text: str, expected: str) -> None:
    assert normalize_name(text).value == expected


def test_names_that_are_nato_words_stay_names() -> None:
    assert normalize_name("Victor Hugo").value == "Victor Hugo"
    assert normalize_name("Romeo").value == "Romeo"
