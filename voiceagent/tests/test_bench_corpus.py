"""The held-out normaliser corpus is well-formed and big enough.

The sets: `tune` (set 1, bench/corpus/*.jsonl), `set2` to `set5` (bench/corpus/set2/ to
set5/), and `blind` (set 6, the newest, bench/corpus/blind/); no two of them share a case.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once

CORPUS = Path(__file__).resolve().parents[2] / "bench" / "corpus"
# Set 1, sets 2 to 5 (each blind until the code was tuned on it), and the blind set 6.
SETS = {
    "tune": CORPUS,
    "set2": CORPUS / "set2",
    "set3": CORPUS / "set3",
    "set4": CORPUS / "set4",
    "set5": CORPUS / "set5",
    "blind": CORPUS / "blind",
}
KINDS = ("email", "phone", "name", "date")
LANGUAGES = ("en", "es", "fr", "de")
CLASSES = {
    "plain",
    "numbers",
    "conversation",
    "correction",
    "spelling",
    "phonetic",
    "homophone",
    "refusal",
    "range",
    "past",
    "relative",
    "absolute",
    "ambiguous",
}
NOW = "2026-11-25T10:15:00"
ZONES = {
    "en": "America/New_York",
    "es": "Europe/Madrid",
    "fr": "Europe/Paris",
    "de": "Europe/Berlin",
}
# Per language; English is the product's main language, so it carries more.
MINIMUM = {"email": 50, "phone": 50, "name": 40, "date": 60}
MINIMUM_EN = {"email": 80, "phone": 80, "name": 40, "date": 80}
# The blind set is a final measure, smaller than the tune set it checks.
BLIND_MINIMUM = {"email": 40, "phone": 40, "name": 35, "date": 45}
BLIND_MINIMUM_EN = {"email": 60, "phone": 60, "name": 35, "date": 60}
MINIMUMS = {
    "tune": (MINIMUM, MINIMUM_EN),
    "set2": (BLIND_MINIMUM, BLIND_MINIMUM_EN),
    "set3": (BLIND_MINIMUM, BLIND_MINIMUM_EN),
    "set4": (BLIND_MINIMUM, BLIND_MINIMUM_EN),
    "set5": (BLIND_MINIMUM, BLIND_MINIMUM_EN),
    "blind": (BLIND_MINIMUM, BLIND_MINIMUM_EN),
}
REQUIRED = {
    "email": {"language", "class", "text", "expected"},
    "phone": {"language", "class", "text", "expected", "region"},
    "name": {"language", "class", "text", "expected"},
    "date": {"language", "class", "text", "expected", "now", "tz"},
}
MINUTE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")
CLOCK = re.compile(r"^\d{2}:\d{2}$")


def _expected_problems(kind: str, row: dict[str, Any]) -> list[str]:
    expected = row["expected"]
    refused = row["class"] in ({"past", "refusal"} if kind == "date" else {"refusal"})
    if expected is None:
        return [] if refused else ["null expected outside a refusal class"]
    if refused:
        return [f"class {row['class']} with a value expected"]
    if kind == "email":
        return _email_problems(expected)
    if kind == "phone":
        return _phone_problems(expected, row["region"])
    if kind == "name":
        ok = isinstance(expected, str) and expected.strip() == expected != ""
        return [] if ok and not any(c.isdigit() for c in expected) else ["bad name"]
    return _date_problems(expected)


def _email_problems(expected: object) -> list[str]:
    if not isinstance(expected, str) or expected != expected.lower():
        return ["email not a lowercase string"]
    try:
        validate_email(expected)
    except ValidationError:
        return [f"invalid email {expected!r}"]
    return []


def _phone_problems(expected: object, region: object) -> list[str]:
    if region not in phonenumbers.SUPPORTED_REGIONS:
        return [f"unknown region {region!r}"]
    if not isinstance(expected, str):
        return ["phone not a string"]
    number, _, extension = expected.partition(";ext=")
    if ";ext=" in expected and not extension.isdigit():
        return [f"bad extension in {expected!r}"]
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return [f"unparsable phone {expected!r}"]
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if e164 != number or not phonenumbers.is_valid_number(parsed):
        return [f"not a valid E.164 number {expected!r}"]
    return []


def _date_problems(expected: object) -> list[str]:
    now = dt.datetime.fromisoformat(NOW)
    if not isinstance(expected, dict):
        return ["date expectation not an object"]
    if set(expected) == {"start"} and MINUTE.match(str(expected["start"])):
        start = dt.datetime.fromisoformat(expected["start"])
        return [] if start > now else [f"start {expected['start']} not after now"]
    if set(expected) == {"date", "contains"} and CLOCK.match(str(expected["contains"])):
        try:
            day = dt.date.fromisoformat(expected["date"])
            time = dt.time.fromisoformat(expected["contains"])
        except ValueError:
            return [f"bad range {expected}"]
        return [] if dt.datetime.combine(day, time) > now else [f"range {expected} in the past"]
    return [f"bad date expectation {expected}"]


def row_problems(kind: str, row: object) -> list[str]:
    """What is wrong with one parsed line of ``<kind>.jsonl`` (empty: nothing)."""
    if not isinstance(row, dict):
        return ["not a JSON object"]
    missing = REQUIRED[kind] - set(row)
    unknown = set(row) - REQUIRED[kind] - {"note"}
    if missing or unknown:
        return [f"missing keys {sorted(missing)}, unknown keys {sorted(unknown)}"]
    problems = []
    if row["language"] not in LANGUAGES:
        problems.append(f"unknown language {row['language']!r}")
    if row["class"] not in CLASSES:
        problems.append(f"unknown class {row['class']!r}")
    if not isinstance(row["text"], str) or not row["text"].strip():
        problems.append("empty text")
    if kind == "date" and (row["now"] != NOW or row["tz"] != ZONES.get(row["language"])):
        problems.append(f"not the fixed reference: {row['now']} {row['tz']}")
    if not problems:
        problems.extend(_expected_problems(kind, row))
    return problems


def _case(row: dict[str, Any]) -> tuple[object, ...]:
    return (row["language"], row["text"], row.get("region"))


def file_problems(kind: str, lines: list[str]) -> list[str]:
    """Every problem in a corpus file, as ``line N: problem``."""
    problems = []
    seen: set[tuple[object, ...]] = set()
    for number, line in enumerate(lines, start=1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"line {number}: invalid JSON ({error})")
            continue
        found = row_problems(kind, row)
        if not found:
            key = _case(row)
            if key in seen:
                found = ["duplicate case"]
            seen.add(key)
        problems.extend(f"line {number}: {problem}" for problem in found)
    return problems


def _lines(kind: str, corpus: str = "tune") -> list[str]:
    return (SETS[corpus] / f"{kind}.jsonl").read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("corpus", SETS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_line_is_well_formed(kind: str, corpus: str) -> None:
    assert file_problems(kind, _lines(kind, corpus)) == []


@pytest.mark.parametrize("corpus", SETS)
@pytest.mark.parametrize("kind", KINDS)
def test_each_language_has_enough_cases_and_refusals(kind: str, corpus: str) -> None:
    rows = [json.loads(line) for line in _lines(kind, corpus)]
    cases = Counter(row["language"] for row in rows)
    refusals = Counter(row["language"] for row in rows if row["expected"] is None)
    least, least_en = MINIMUMS[corpus]
    for language in LANGUAGES:
        minimum = (least_en if language == "en" else least)[kind]
        assert cases[language] >= minimum, (corpus, kind, language, cases[language])
        # About a tenth refused: enough to catch a normaliser that never refuses.
        assert 0.05 <= refusals[language] / cases[language] <= 0.25, (corpus, kind, language)


@pytest.mark.parametrize(
    ("earlier", "later"),
    [(earlier, later) for index, earlier in enumerate(SETS) for later in list(SETS)[index + 1 :]],
)
@pytest.mark.parametrize("kind", KINDS)
def test_no_two_sets_share_a_case(kind: str, earlier: str, later: str) -> None:
    # A case the code was tuned on (or an earlier blind set, once tuned on) would flatter
    # the figures the later blind set reports.
    seen = {_case(json.loads(line)) for line in _lines(kind, earlier)}
    shared = [_case(row) for row in map(json.loads, _lines(kind, later)) if _case(row) in seen]
    assert shared == []


@pytest.mark.parametrize(
    ("kind", "line", "problem"),
    [
        ("email", "{not json", "invalid JSON"),
        ("email", '{"language": "en", "class": "plain", "text": "x"}', "missing keys"),
        (
            "email",
            '{"language": "it", "class": "plain", "text": "x", "expected": "a@b.co"}',
            "language",
        ),
        (
            "email",
            '{"language": "en", "class": "fancy", "text": "x", "expected": "a@b.co"}',
            "class",
        ),
        (
            "email",
            '{"language": "en", "class": "plain", "text": "x", "expected": "a@b"}',
            "invalid email",
        ),
        (
            "email",
            '{"language": "en", "class": "plain", "text": "x", "expected": "A@b.co"}',
            "lowercase",
        ),
        ("email", '{"language": "en", "class": "plain", "text": "x", "expected": null}', "null"),
        (
            "email",
            '{"language": "en", "class": "refusal", "text": "x", "expected": "a@b.co"}',
            "value expected",
        ),
        (
            "phone",
            '{"language": "en", "class": "plain", "text": "x", "region": "US", '
            '"expected": "+1415555"}',
            "E.164",
        ),
        (
            "phone",
            '{"language": "en", "class": "plain", "text": "x", "region": "US", '
            '"expected": "+14155550123;ext=x1"}',
            "extension",
        ),
        (
            "name",
            '{"language": "en", "class": "plain", "text": "x", "expected": "Bob 2"}',
            "bad name",
        ),
        (
            "date",
            '{"language": "en", "class": "relative", "text": "x", "now": "2026-11-25T10:15:00", '
            '"tz": "Europe/Paris", "expected": {"start": "2026-11-26T15:00"}}',
            "fixed reference",
        ),
        (
            "date",
            '{"language": "en", "class": "relative", "text": "x", "now": "2026-11-25T10:15:00", '
            '"tz": "America/New_York", "expected": {"start": "2026-11-24T15:00"}}',
            "not after now",
        ),
        (
            "date",
            '{"language": "en", "class": "range", "text": "x", "now": "2026-11-25T10:15:00", '
            '"tz": "America/New_York", "expected": {"date": "2026-11-31", "contains": "10:00"}}',
            "bad range",
        ),
        (
            "date",
            '{"language": "en", "class": "range", "text": "x", "now": "2026-11-25T10:15:00", '
            '"tz": "America/New_York", "expected": {"start": "2026-11-26T15:00:00+01:00"}}',
            "bad date expectation",
        ),
    ],
)
def test_a_malformed_line_is_reported(kind: str, line: str, problem: str) -> None:
    problems = file_problems(kind, [line])
    assert len(problems) == 1 and problem in problems[0], problems


def test_a_duplicate_case_is_reported() -> None:
    line = '{"language": "en", "class": "plain", "text": "x", "expected": "a@b.co"}'
    assert file_problems("email", [line, line]) == ["line 2: duplicate case"]
