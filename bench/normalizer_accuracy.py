"""Accuracy of the spoken-form normalisers on two corpora.

- the held-out corpus, written from how callers talk without reading the normalisers
  (bench/corpus/README.md), in English, Spanish, French and German: ``tune``
  (bench/corpus/*.jsonl and set2/ to set5/: sets written earlier; their misses may guide the
  code) and ``blind``
  (bench/corpus/blind/*.jsonl, written later, never tuned on; its misses are listed only
  with ``--blind``, so that it stays a fair measure);
- ``dev``: contacts/tests/normalize_cases.py, the corpus the normalisers were built with
  (English; its class is ``dev``).

Run: .venv/bin/python bench/normalizer_accuracy.py [--kind K] [--language L] [--misses]
Prints one JSON object on stdout and a table on stderr: accuracy per corpus, kind,
language and class, and the "silent errors": wrong values the normaliser returned as
certain, which the agent would read back or save without asking. Normalisers that do not
report certainty yet count every returned value as certain.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import functools
import inspect
import json
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voiceagent.settings")

import django  # noqa: E402

django.setup()

from appointments.when import WhenError, parse_when  # noqa: E402
from contacts.normalize import (  # noqa: E402
    NormalizationError,
    normalize_email,
    normalize_name,
    normalize_phone,
)

CORPUS = ROOT / "bench" / "corpus"
KINDS = ("email", "phone", "name", "date")
LANGUAGES = ("en", "es", "fr", "de")
# A vague answer longer than this is no answer ("sometime" is not a range).
LONGEST_RANGE = dt.timedelta(days=8)


@dataclasses.dataclass(frozen=True)
class Case:
    corpus: str
    kind: str
    language: str
    cls: str
    text: str
    expected: Any
    region: str | None = None
    now: dt.datetime | None = None
    zone: str = ""


@dataclasses.dataclass(frozen=True)
class Outcome:
    correct: bool
    got: Any
    refused: bool
    certain: bool


def load_held_out() -> list[Case]:
    """``tune``: bench/corpus/<kind>.jsonl and set2/ to set5/ (their misses may guide the
    code); ``blind``:
    bench/corpus/blind/<kind>.jsonl, written later by someone who saw neither the code nor
    the misses, and whose misses are listed only with ``--blind``."""
    cases: list[Case] = []
    for corpus, folder in (
        ("tune", CORPUS),
        ("tune", CORPUS / "set2"),
        ("tune", CORPUS / "set3"),
        ("tune", CORPUS / "set4"),
        ("tune", CORPUS / "set5"),
        ("blind", CORPUS / "blind"),
    ):
        for kind in KINDS:
            path = folder / f"{kind}.jsonl"
            if not path.exists():
                continue
            with open(path, encoding="utf-8") as lines:
                cases.extend(_case(corpus, kind, json.loads(line)) for line in lines)
    return cases


def _case(corpus: str, kind: str, row: dict[str, Any]) -> Case:
    zone = row.get("tz", "")
    now = None
    if kind == "date":
        now = dt.datetime.fromisoformat(row["now"]).replace(tzinfo=ZoneInfo(zone))
    return Case(
        corpus,
        kind,
        row["language"],
        row["class"],
        row["text"],
        row["expected"],
        row.get("region"),
        now,
        zone,
    )


def load_dev() -> list[Case]:
    """The development corpus, loaded as before: tuples of inputs then the expected value."""
    from contacts.tests.normalize_cases import (
        DATE_CASES,
        DATE_ZONE,
        EMAIL_CASES,
        NAME_CASES,
        NOW,
        PHONE_CASES,
    )

    cases = [Case("dev", "email", "en", "dev", text, expected) for text, expected in EMAIL_CASES]
    cases += [
        Case("dev", "phone", "en", "dev", text, expected, region)
        for text, region, expected in PHONE_CASES
    ]
    cases += [Case("dev", "name", "en", "dev", text, expected) for text, expected in NAME_CASES]
    now = dt.datetime.fromisoformat(NOW)
    cases += [
        Case("dev", "date", "en", "dev", text, expected, now=now, zone=DATE_ZONE)
        for text, expected in DATE_CASES
    ]
    return cases


@functools.cache
def _takes_language(function: Callable[..., Any]) -> bool:
    return "language" in inspect.signature(function).parameters


def _call(function: Callable[..., Any], text: str, language: str, **kwargs: Any) -> Any:
    """Pass ``language`` only to normalisers that take it (the older ones are English-only)."""
    if _takes_language(function):
        kwargs["language"] = language
    return function(text, **kwargs)


def _value(result: Any) -> str:
    value = getattr(result, "value", None)
    return str(result) if value is None else str(value)


def _phone_value(result: Any) -> str:
    number = getattr(result, "value", None) or getattr(result, "e164", None)
    if number is None:
        return str(result)
    extension = getattr(result, "extension", "")
    if extension and ";ext=" not in str(number):
        return f"{number};ext={extension}"
    return str(number)


def _date_correct(case: Case, result: Any) -> tuple[bool, str]:
    zone = ZoneInfo(case.zone)
    start = result.start.astimezone(zone)
    end = result.end.astimezone(zone) if result.end is not None else None
    got = start.isoformat() if end is None else f"{start.isoformat()}/{end.isoformat()}"
    if case.expected is None:
        return False, got
    if case.corpus == "dev":
        return result.start.isoformat() == case.expected, got
    if "start" in case.expected:
        return start.strftime("%Y-%m-%dT%H:%M") == case.expected["start"], got
    if end is None or end - start > LONGEST_RANGE:
        return False, got
    target = dt.datetime.fromisoformat(
        f"{case.expected['date']}T{case.expected['contains']}"
    ).replace(tzinfo=zone)
    return start <= target < end, got


def score(case: Case) -> Outcome:
    try:
        if case.kind == "email":
            result = _call(normalize_email, case.text, case.language)
            got: Any = _value(result)
            correct = got == case.expected
        elif case.kind == "phone":
            result = _call(normalize_phone, case.text, case.language, region=case.region)
            got = _phone_value(result)
            correct = got == case.expected
        elif case.kind == "name":
            result = _call(normalize_name, case.text, case.language)
            got = _value(result)
            correct = got == case.expected
        else:
            result = _call(parse_when, case.text, case.language, now=case.now, timezone=case.zone)
            correct, got = _date_correct(case, result)
    except (NormalizationError, WhenError):
        return Outcome(case.expected is None, None, True, False)
    return Outcome(correct, got, False, bool(getattr(result, "certain", True)))


def _tally(pairs: Iterable[tuple[Case, Outcome]]) -> dict[str, Any]:
    pairs = list(pairs)
    correct = sum(outcome.correct for _, outcome in pairs)
    return {
        "cases": len(pairs),
        "correct": correct,
        "accuracy": round(correct / len(pairs), 4) if pairs else None,
        # Wrong values handed back as sure: the agent would not ask again.
        "silent_errors": sum(not o.correct and not o.refused and o.certain for _, o in pairs),
        # Refused although a value was expected: costs a question, not a wrong record.
        "false_refusals": sum(not o.correct and o.refused for _, o in pairs),
    }


def _grouped(
    pairs: list[tuple[Case, Outcome]], key: Callable[[Case], str]
) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[tuple[Case, Outcome]]] = defaultdict(list)
    for case, outcome in pairs:
        groups[key(case)].append((case, outcome))
    return {name: _tally(groups[name]) for name in sorted(groups)}


def report(results: list[tuple[Case, Outcome]], seconds: dict[str, float]) -> dict[str, Any]:
    corpora: dict[str, Any] = {}
    for corpus in ("tune", "blind", "dev"):
        pairs = [(c, o) for c, o in results if c.corpus == corpus]
        by_kind = {}
        for kind in KINDS:
            kind_pairs = [(c, o) for c, o in pairs if c.kind == kind]
            if not kind_pairs:
                continue
            by_kind[kind] = {
                **_tally(kind_pairs),
                "us_per_case": round(seconds[f"{corpus}/{kind}"] / len(kind_pairs) * 1e6, 1),
                "by_language": _grouped(kind_pairs, lambda c: c.language),
                "by_class": _grouped(kind_pairs, lambda c: c.cls),
            }
        corpora[corpus] = {
            **_tally(pairs),
            "by_language": _grouped(pairs, lambda c: c.language),
            "by_kind": by_kind,
        }
    return corpora


def _misses(results: list[tuple[Case, Outcome]]) -> list[dict[str, Any]]:
    return [
        {
            "corpus": case.corpus,
            "kind": case.kind,
            "language": case.language,
            "class": case.cls,
            "text": case.text,
            "region": case.region,
            "expected": case.expected,
            "got": outcome.got,
            "refused": outcome.refused,
            "certain": outcome.certain,
        }
        for case, outcome in results
        if not outcome.correct
    ]


def _print_table(corpora: dict[str, Any]) -> None:
    print(
        f"{'corpus':<9}{'kind':<7}{'lang':<6}{'cases':>6}{'correct':>8}{'acc':>8}{'silent':>8}",
        file=sys.stderr,
    )
    for corpus, summary in corpora.items():
        for kind, stats in summary["by_kind"].items():
            rows = [("all", stats), *stats["by_language"].items()]
            for language, row in rows:
                accuracy = f"{row['accuracy']:.1%}" if row["accuracy"] is not None else "-"
                print(
                    f"{corpus:<9}{kind:<7}{language:<6}{row['cases']:>6}{row['correct']:>8}"
                    f"{accuracy:>8}{row['silent_errors']:>8}",
                    file=sys.stderr,
                )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=KINDS, help="only this kind")
    parser.add_argument("--language", choices=LANGUAGES, help="only this language")
    parser.add_argument(
        "--misses", action="store_true", help="list every miss (the blind set's only with --blind)"
    )
    parser.add_argument("--blind", action="store_true", help="also list the blind half's misses")
    args = parser.parse_args(argv)

    cases = [
        case
        for case in load_held_out() + load_dev()
        if (args.kind is None or case.kind == args.kind)
        and (args.language is None or case.language == args.language)
    ]
    results: list[tuple[Case, Outcome]] = []
    seconds: dict[str, float] = defaultdict(float)
    for case in cases:
        started = time.perf_counter()
        outcome = score(case)
        seconds[f"{case.corpus}/{case.kind}"] += time.perf_counter() - started
        results.append((case, outcome))

    corpora = report(results, seconds)
    output: dict[str, Any] = {
        "benchmark": "normalizer_accuracy",
        "filters": {"kind": args.kind, "language": args.language},
        "corpora": corpora,
    }
    if args.misses:
        output["misses"] = [
            miss for miss in _misses(results) if args.blind or miss["corpus"] != "blind"
        ]
    print(json.dumps(output, ensure_ascii=False))
    _print_table(corpora)
    if args.misses:
        for miss in output["misses"]:
            print(
                f"MISS {miss['corpus']}/{miss['kind']}/{miss['language']}/{miss['class']}: "
                f"{miss['text']!r} expected {miss['expected']!r} got {miss['got']!r}"
                f"{' (refused)' if miss['refused'] else ''}",
                file=sys.stderr,
            )


if __name__ == "__main__":
    main()
