"""Field validators shared by the apps."""

from __future__ import annotations

import re
import zoneinfo
from functools import cache
from urllib.parse import urlsplit

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email


@cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    if value not in _timezones():
        raise ValidationError(
            "%(value)s is not a known time zone; use an IANA name such as "
            "Europe/London or America/New_York.",
            params={"value": value},
            code="invalid_timezone",
        )


def validate_e164(value: str) -> None:
    """A phone number in E.164 form (+ and country code), as stored everywhere."""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        number = None
    if (
        number is None
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) != value
    ):
        raise ValidationError(
            "%(value)s is not a valid phone number in E.164 form, e.g. +442071838750.",
            params={"value": value},
            code="invalid_phone",
        )


_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def validate_language_tag(value: str) -> None:
    if not _LANGUAGE_TAG.match(value):
        raise ValidationError(
            "%(value)s is not a BCP 47 language tag such as en, en-GB or es-419.",
            params={"value": value},
            code="invalid_language",
        )


def split_lines_or_commas(value: str) -> list[str]:
    return [item.strip() for item in re.split(r"[\n,]", value) if item.strip()]


def validate_email_list(value: str) -> None:
    for address in split_lines_or_commas(value):
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(
                "%(value)s is not a valid email address.",
                params={"value": address},
                code="invalid_email",
            ) from None


def validate_origin_list(value: str) -> None:
    """Origins as browsers send them: scheme://host[:port], no path."""
    for origin in split_lines_or_commas(value):
        parts = urlsplit(origin)
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.path not in ("", "/")
            or parts.query
            or parts.fragment
            or parts.username
        ):
            raise ValidationError(
                "%(value)s is not an origin; write scheme://host[:port], "
                "e.g. https://www.example.com.",
                params={"value": origin},
                code="invalid_origin",
            )


def validate_region(value: str) -> None:
    """A two-letter country code that phone numbering knows."""
    if value.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError(
            "%(value)s is not a two-letter country code such as GB, US or DE.",
            params={"value": value},
            code="invalid_region",
        )
