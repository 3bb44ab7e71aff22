"""Keypad keys with a fake clock: runs end at #, after a pause or at their length; the
texts the model and the transcript get; what a phone provider may send as a key."""

from __future__ import annotations

import pytest

from calls.realtime.dtmf import (
    MAX_KEYS,
    PAUSE_SECONDS,
    KeypadBuffer,
    keypad_message,
    keypad_transcript,
)
from calls.realtime.protocol import ClientDigit, ProtocolError, client_digit

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once


def test_a_run_ended_by_hash_is_one_entry_without_the_hash() -> None:
    keypad = KeypadBuffer()
    for at, key in enumerate("4412"):
        assert keypad.press(key, 10.0 + at * 0.3) is None
    assert keypad.pending == "4412"
    assert keypad.press("#", 11.0) == "4412"
    assert keypad.pending == ""
    assert keypad.due_at() is None


def test_a_run_ends_after_a_pause_from_its_last_key() -> None:
    keypad = KeypadBuffer()
    keypad.press("1", 10.0)
    keypad.press("*", 11.5)  # * is a key like the digits
    assert keypad.due_at() == 11.5 + PAUSE_SECONDS
    assert keypad.take_due(11.5 + PAUSE_SECONDS - 0.01) is None  # not yet: still typing
    assert keypad.pending == "1*"
    assert keypad.take_due(11.5 + PAUSE_SECONDS) == "1*"
    assert keypad.take_due(20.0) is None  # taken once


def test_hash_alone_is_what_the_caller_entered() -> None:
    keypad = KeypadBuffer()
    assert keypad.press("#", 5.0) == "#"
    keypad.press("7", 6.0)
    assert keypad.press("#", 6.2) == "7"  # the # ends the run, it is not reported again
    assert keypad.press("#", 6.4) == "#"


def test_a_run_longer_than_the_limit_is_cut_into_entries() -> None:
    keypad = KeypadBuffer(max_keys=4)
    assert [keypad.press(key, 1.0) for key in "12345"] == [None, None, None, "1234", None]
    assert keypad.pending == "5"
    assert MAX_KEYS >= 20  # a card or account number fits in one entry


def test_the_texts_of_an_entry() -> None:
    assert keypad_transcript("4412") == "Keypad: 4412"
    assert keypad_message("1") == "The caller pressed 1 on the phone keypad."
    assert keypad_message("#") == "The caller pressed # on the phone keypad."
    assert keypad_message("44*2") == (
        "The caller entered 4 4 * 2 on the phone keypad (together: 44*2)."
    )


@pytest.mark.parametrize("value", ["0", "9", "*", "#", "A", "d"])
def test_keys_a_keypad_sends_are_accepted(value: str) -> None:
    assert client_digit(value) == ClientDigit(digit=value.upper())


@pytest.mark.parametrize("value", ["", "12", "E", "x", " ", "１", None, 1, ["1"]])
def test_anything_else_is_a_bad_frame(value: object) -> None:
    with pytest.raises(ProtocolError) as error:
        client_digit(value)
    assert error.value.code == "bad_request"
