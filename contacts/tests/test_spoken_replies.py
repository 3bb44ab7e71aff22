"""More classes of how callers speak: numbers said again whole after a correction, letters
spelled with their names after a name, hints with counts, and replies that hold no name.

Each case is written here in its own words, not copied from the benchmark corpus.
"""

from __future__ import annotations

import pytest

from contacts.normalize import (
    normalize_phone,
)

REGIONS = {"en": "US", "es": "ES", "fr": "FR", "de": "DE"}

# fmt: off
PHONES = [
    # The whole number said again, in the same groups, after the correction.
    ("es", "el 622 481 905 no espera el 622 481 950", "+34622481950", True),
    ("fr", "06 12 34 56 78 non pardon 06 12 34 56 87", "+33612345687", True),
    ("fr", "le 02 40 non c'est le 06 11 22 33 44", "+33611223344", True),
    # Appended, the correction would also make a valid German number: a doubt.
    ("de", "null acht neun, eins zwei drei, ich meine null vier null, sieben sieben zwei, "
           "fünf vier drei eins", "+49407725431", False),
    # "seventy five" is 75, or 70 then 5: only the second makes a number.
    ("en", "seven seventy five five five two one ninety", "+17705552190", False),
    # Seseo: "sinco" is how a recogniser writes "cinco" said with an s.
    ("es", "seis uno sinco, cuatro cuatro dos, uno uno ocho", "+34615442118", False),
]
# fmt: on


@pytest.mark.parametrize(("language", "text", "expected", "certain"), PHONES)
def test_phone(language: str, text: str, expected: str, certain: bool) -> None:
    result = normalize_phone(text, region=REGIONS[language], language=language)
    assert result.value == expected
    assert result.certain is certain, result.doubts
