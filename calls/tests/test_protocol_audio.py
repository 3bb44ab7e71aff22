"""The caller-audio check that guards the raw splice into the upstream JSON."""

from __future__ import annotations

import base64
import binascii

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calls.realtime.protocol import ProtocolError, base64_size, parse_client_frame

pytestmark = pytest.mark.embedded_pass_only  # no database or service: run once


def _strict_size(text: str) -> int | None:
    try:
        return len(binascii.a2b_base64(text, strict_mode=True))
    except (binascii.Error, ValueError):
        return None


@given(st.binary(max_size=3000))
def test_real_base64_is_accepted_with_its_decoded_size(data: bytes) -> None:
    assert base64_size(base64.b64encode(data).decode()) == len(data)


@given(st.text(alphabet='AZaz09+/="\\ \n\u00e9-_', max_size=24))
def test_never_accepts_what_strict_decoding_refuses(text: str) -> None:
    size = base64_size(text)
    if size is not None:
        assert size == _strict_size(text)


@pytest.mark.parametrize(
    "audio",
    [
        'AAAA","type":"response.create',  # an attempt to inject upstream JSON
        "AAAA\\u0022",
        "AA==AAAA",
        "AAA",
        "AAAA=",
        "AAAA====",
        "ÀAAA",
        "AA-_",  # URL-safe alphabet is not what the protocol specifies
    ],
)
def test_frames_that_would_corrupt_the_upstream_json_are_refused(audio: str) -> None:
    frame = '{"type": "audio", "audio": "' + audio.replace("\\", "\\\\").replace('"', '\\"') + '"}'
    with pytest.raises(ProtocolError) as raised:
        parse_client_frame(frame, None)
    assert raised.value.code == "bad_audio"
