"""A surname spelled first and the whole name said after it is one name, as last said,
and never passed as sure; particles repeated inside a name are not a repeat."""

from __future__ import annotations

import pytest

from contacts.normalize import normalize_name

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once


@pytest.mark.parametrize(
    ("language", "said", "name"),
    [
        ("en", "k for kilo o c h anna koch", "Anna Koch"),
        ("en", "grant grant g r a n t oliver grant", "Oliver Grant"),
        ("es", "ruiz erre u i zeta marta ruiz", "Marta Ruiz"),
        ("fr", "b comme bernard l a n c lucie blanc", "Lucie Blanc"),
        ("de", "h wie heinrich a h n jonas hahn", "Jonas Hahn"),
    ],
)
def test_a_name_spelled_then_said_is_kept_as_last_said_and_uncertain(
    language: str, said: str, name: str
) -> None:
    result = normalize_name(said, language=language)
    assert result.value == name
    assert result.certain is False and result.doubts


@pytest.mark.parametrize(
    ("language", "said", "name"),
    [
        ("es", "maría de la cruz de la vega", "María de la Cruz de la Vega"),
        ("fr", "marie de la tour de la croix", "Marie de la Tour de la Croix"),
    ],
)
def test_particles_said_twice_are_not_a_repeated_name(language: str, said: str, name: str) -> None:
    assert normalize_name(said, language=language).value == name
