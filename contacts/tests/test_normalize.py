"""The normalisers on a corpus of spoken forms, and their round trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contacts.normalize import NormalizationError, normalize_email, normalize_name, normalize_phone
from contacts.tests.normalize_cases import EMAIL_CASES, NAME_CASES, PHONE_CASES, TOTAL_CASES

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once


def test_the_corpus_is_big_enough() -> None:
    assert TOTAL_CASES >= 140


@pytest.mark.parametrize("text, expected", EMAIL_CASES)
def test_email(text: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(NormalizationError):
            normalize_email(text)
    else:
        assert normalize_email(text).value == expected


@pytest.mark.parametrize("text, region, expected", PHONE_CASES)
def test_phone(text: str, region: str | None, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(NormalizationError):
            normalize_phone(text, region=region)
    else:
        assert str(normalize_phone(text, region=region)) == expected


@pytest.mark.parametrize("text, expected", NAME_CASES)
def test_name(text: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(NormalizationError):
            normalize_name(text)
    else:
        assert normalize_name(text).value == expected


LOCAL = st.from_regex(r"[a-z][a-z0-9]{0,10}(\.[a-z0-9]{1,8})?", fullmatch=True)
DOMAIN = st.from_regex(r"[a-z][a-z0-9]{1,10}\.(com|org|net|co\.uk|io)", fullmatch=True)


@given(LOCAL, DOMAIN)
def test_spelling_out_an_email_gives_it_back(local: str, domain: str) -> None:
    """Any address read aloud ("a d a dot x at example dot com") normalises to itself."""
    email = f"{local}@{domain}"
    spoken = " ".join({".": "dot", "@": "at"}.get(ch, ch) for ch in email)
    assert normalize_email(spoken).value == email
    assert normalize_email(email).value == email  # idempotent on clean input


@given(
    st.integers(min_value=2_000_000, max_value=9_999_999),
    st.sampled_from(["201", "415", "617", "212"]),
)
def test_reading_a_us_number_digit_by_digit_gives_it_back(line: int, area: str) -> None:
    words = "zero one two three four five six seven eight nine".split()
    number = f"{area}{line}"
    spoken = " ".join(words[int(d)] for d in number)
    try:
        expected = normalize_phone(number, region="US").value
    except NormalizationError:
        return  # not a valid US number; nothing to compare
    assert normalize_phone(spoken, region="US").value == expected
    assert normalize_phone(expected, region="GB").value == expected  # E.164 is stable


FILLER = {"my", "name", "is", "i", "am", "this", "it", "its", "call", "me", "yes", "sure", "im"}
NAME_WORDS = st.from_regex(r"[a-z]{2,10}", fullmatch=True).filter(lambda w: w not in FILLER)


@given(st.lists(NAME_WORDS, min_size=1, max_size=3))
def test_names_are_stable(words: list[str]) -> None:
    name = normalize_name(" ".join(words)).value
    assert normalize_name(name).value == name
