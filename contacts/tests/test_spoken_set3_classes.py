"""Email and phone classes: talk before the address, provider names as said, spoken
service prefixes and Spanish "ciento"."""

from __future__ import annotations

import pytest

from contacts.normalize import normalize_email, normalize_phone

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once


@pytest.mark.parametrize(
    "text, language, value",
    [
        ("hmm let me see it's lena dot fox at gmail dot com", "en", "lena.fox@gmail.com"),
        ("the personal one marco dot ruiz at yahoo dot com", "en", "marco.ruiz@yahoo.com"),
        (
            "pues el del trabajo ventas arroba talleresoliva punto es",
            "es",
            "ventas@talleresoliva.es",
        ),
        (
            "alors celle du bureau accueil arobase cabinetmartin point fr",
            "fr",
            "accueil@cabinetmartin.fr",
        ),
        ("das ist die von meiner frau petra punkt lang at web punkt de", "de", "petra.lang@web.de"),
    ],
)
def test_talk_before_the_address_goes(text: str, language: str, value: str) -> None:
    result = normalize_email(text, language=language)
    assert result.value == value


def test_talk_left_out_before_an_address_is_not_certain() -> None:
    assert normalize_email("let me think lena dot fox at gmail dot com").certain is False


@pytest.mark.parametrize(
    "text, language, value",
    [
        ("marie arobase yahou point fr", "fr", "marie@yahoo.fr"),
        ("jens punkt otto at ge em ix punkt de", "de", "jens.otto@gmx.de"),
    ],
)
def test_providers_as_the_language_says_them(text: str, language: str, value: str) -> None:
    assert normalize_email(text, language=language).value == value


@pytest.mark.parametrize(
    "text, language, region, value",
    [
        ("null neunhundert fünfundfünfzig zwölf vierunddreißig null", "de", "DE", "+499005512340"),
        ("seis cinco cinco ciento doce tres cuatro cinco", "es", "ES", "+34655112345"),
    ],
)
def test_prefixes_and_lone_hundreds(text: str, language: str, region: str, value: str) -> None:
    assert normalize_phone(text, language=language, region=region).value == value
