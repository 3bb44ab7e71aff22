"""The numpy G.711 μ-law codec the offline engine uses on phone calls."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calls.realtime.audio import pcm16_to_ulaw, ulaw_to_pcm16

pytestmark = pytest.mark.embedded_pass_only  # no database or service: run once

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    # The reference codec; gone from Python 3.13, where these two checks skip visibly.
    audioop = pytest.importorskip("audioop")


def test_encoding_matches_the_reference_for_every_sample() -> None:
    every = np.arange(-32768, 32768, dtype="<i2").tobytes()
    assert pcm16_to_ulaw(every) == audioop.lin2ulaw(every, 2)


def test_decoding_matches_the_reference_for_every_code() -> None:
    every = bytes(range(256))
    assert ulaw_to_pcm16(every) == audioop.ulaw2lin(every, 2)


@given(st.binary(max_size=400))
def test_decoding_then_encoding_is_lossless(ulaw: bytes) -> None:
    # 0x7F and 0xFF both decode to 0; the encoder picks 0xFF.
    expected = ulaw.replace(b"\x7f", b"\xff")
    assert pcm16_to_ulaw(ulaw_to_pcm16(ulaw)) == expected
