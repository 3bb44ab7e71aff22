"""Numbers in words inside emails and phone numbers, read as people say them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contacts.normalize import NormalizationError, normalize_email, normalize_phone

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once


@pytest.mark.parametrize(
    "text, expected",
    [
        ("john thirty one at gmail dot com", "john31@gmail.com"),
        ("ada forty two at example dot com", "ada42@example.com"),
        ("bob nineteen eighty four at example dot com", "bob1984@example.com"),
        ("bob two thousand and five at example dot com", "bob2005@example.com"),
        ("bob two thousand at example dot com", "bob2000@example.com"),
        ("bob five hundred at example dot com", "bob500@example.com"),
        ("bob double seven at example dot com", "bob77@example.com"),
        ("ada 4 two at example dot com", "ada42@example.com"),
        ("one two three at example dot com", "123@example.com"),
    ],
)
def test_compound_numbers_in_an_email_are_one_number(text: str, expected: str) -> None:
    result = normalize_email(text)
    assert result.value == expected
    assert result.certain, result.doubts


@pytest.mark.parametrize(
    "text, region, expected",
    [
        ("one eight hundred five five five one two one two", "US", "+18005551212"),
        ("one eight hundred, five five five, one two one two", "US", "+18005551212"),
        ("four fifteen, five fifty five, oh one three four", "US", "+14155550134"),
        ("4 one 5 five five five oh one three four", "US", "+14155550134"),
        ("four one five double five five zero one three four", "US", "+14155550134"),
        ("four one five triple five oh one three four", "US", "+14155550134"),
        ("two one two, five five five, twelve thirty four", "US", "+12125551234"),
        ("oh two oh, seven one eight three, eight seven five oh", "GB", "+442071838750"),
    ],
)
def test_phone_digits_are_read_in_the_groups_said(text: str, region: str, expected: str) -> None:
    result = normalize_phone(text, region=region)
    assert result.value == expected
    assert result.certain, result.doubts


def test_hundred_groups_in_an_extension() -> None:
    result = normalize_phone("020 7183 8750 extension two hundred", region="GB")
    assert (result.value, result.extension, str(result)) == (
        "+442071838750",
        "200",
        "+442071838750;ext=200",
    )


def test_oh_is_a_digit_in_a_phone_but_a_letter_in_an_email() -> None:
    assert normalize_phone("four one five five five five oh one three four").value == (
        "+14155550134"
    )
    assert normalize_email("j o h n at example dot com").value == "john@example.com"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("seven at example dot com", "seven@example.com"),  # the whole name is the word
        ("ten at example dot com", "ten@example.com"),
        ("tennyson at example dot com", "tennyson@example.com"),  # a word that holds "ten"
    ],
)
def test_a_number_word_that_is_the_name_stays_a_word(text: str, expected: str) -> None:
    result = normalize_email(text)
    assert result.value == expected
    if text.startswith(("seven", "ten ")):
        assert not result.certain and "could be the number" in result.doubts[0]


def test_a_lone_number_word_beside_a_word_becomes_digits_with_a_doubt() -> None:
    result = normalize_email("one direction at band dot com")
    assert result.value == "1direction@band.com"
    assert not result.certain
    assert "could be the word 'one'" in result.doubts[0]


def test_a_compound_number_word_needs_no_doubt() -> None:
    result = normalize_email("max einundzwanzig at web punkt de", language="de")
    assert (result.value, result.certain) == ("max21@web.de", True)


UNITS = "zero one two three four five six seven eight nine".split()
TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def _say_pair(pair: str) -> str:
    tens, unit = int(pair[0]), int(pair[1])
    if tens == 1:
        return TEENS[unit]
    return TENS[tens] + ("" if unit == 0 else " " + UNITS[unit])


@given(
    st.sampled_from(["415", "212", "617", "303"]),
    st.integers(min_value=200, max_value=999),
    st.integers(min_value=0, max_value=9999),
    st.lists(st.booleans(), min_size=3, max_size=3),
)
def test_a_us_number_said_with_any_mix_of_digits_and_pairs_gives_it_back(
    area: str, exchange: int, line: int, as_pairs: list[bool]
) -> None:
    """ "four one five, five fifty five, oh one thirty four" and the like read back exactly."""
    groups = [area, str(exchange), f"{line:04d}"]
    spoken = []
    for group, pairs in zip(groups, as_pairs, strict=True):
        words = []
        # A group said in pairs: a leading odd digit alone, then pairs that start with 1-9.
        start = len(group) % 2
        words += [UNITS[int(d)] for d in group[:start]]
        for i in range(start, len(group), 2):
            pair = group[i : i + 2]
            words.append(
                _say_pair(pair)
                if pairs and pair[0] != "0"
                else " ".join(UNITS[int(d)] for d in pair)
            )
        spoken.append(" ".join(words))
    number = "".join(groups)
    try:
        expected = normalize_phone(number, region="US").value
    except NormalizationError:
        return  # not a valid US number
    result = normalize_phone(", ".join(spoken), region="US")
    assert result.value == expected
    assert result.certain, result.doubts


def test_hundred_and_a_digit_read_the_only_valid_way_with_a_doubt() -> None:
    # 415 8005 0134 is too long: "eight hundred five" must have been 805.
    result = normalize_phone("four one five, eight hundred five, zero one three four")
    assert result.value == "+14158050134"
    assert not result.certain and "as 805, not 8005" in result.doubts[0]
