"""Accuracy of the spoken-form normalisers on the test corpus.

Run: .venv/bin/python bench/normalizer_accuracy.py
Prints one JSON object on stdout and a table on stderr.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypedDict

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voiceagent.settings")

import django

django.setup()

import datetime as dt  # noqa: E402

from appointments.when import WhenError, parse_when  # noqa: E402
from contacts.normalize import (  # noqa: E402
    NormalizationError,
    Normalized,
    normalize_email,
    normalize_name,
    normalize_phone,
)
from contacts.tests.normalize_cases import (  # noqa: E402
    DATE_CASES,
    DATE_ZONE,
    EMAIL_CASES,
    NAME_CASES,
    NOW,
    PHONE_CASES,
)


class KindResult(TypedDict):
    kind: str
    cases: int
    correct: int
    accuracy: float
    us_per_case: float
    # Values returned with a doubt (correct or not), and wrong values returned as certain:
    # the second is the number that must stay at zero.
    uncertain: int
    silent_wrong: int
    misses: list[dict[str, str | None]]


def _run(
    kind: str, cases: Sequence[tuple[str | None, ...]], call: Callable[..., Normalized | str]
) -> KindResult:
    """``cases``: the inputs of ``call``, then the expected value (None: must be refused)."""
    correct = uncertain = silent_wrong = 0
    started = time.perf_counter()
    misses: list[dict[str, str | None]] = []
    for case in cases:
        *inputs, expected = case
        certain = True
        try:
            result = call(*inputs)
        except (NormalizationError, WhenError):
            value: str | None = None
        else:
            value = str(result)
            certain = result.certain if isinstance(result, Normalized) else True
        uncertain += not certain
        if value == expected:
            correct += 1
        else:
            silent_wrong += value is not None and certain
            misses.append({"input": inputs[0], "expected": expected, "got": value})
    elapsed = time.perf_counter() - started
    return {
        "kind": kind,
        "cases": len(cases),
        "correct": correct,
        "accuracy": round(correct / len(cases), 4),
        "us_per_case": round(elapsed / len(cases) * 1e6, 1),
        "uncertain": uncertain,
        "silent_wrong": silent_wrong,
        "misses": misses,
    }


def main() -> None:
    results = [
        _run("email", EMAIL_CASES, normalize_email),
        _run("phone", PHONE_CASES, lambda text, region: normalize_phone(text, region=region)),
        _run("name", NAME_CASES, normalize_name),
        _run(
            "datetime",
            DATE_CASES,
            lambda text: parse_when(
                text, now=dt.datetime.fromisoformat(NOW), timezone=DATE_ZONE
            ).start.isoformat(),
        ),
    ]
    total = sum(r["cases"] for r in results)
    correct = sum(r["correct"] for r in results)
    print(
        json.dumps(
            {
                "benchmark": "normalizer_accuracy",
                "cases": total,
                "accuracy": round(correct / total, 4),
                "by_kind": results,
            }
        )
    )
    print(
        f"{'kind':<9}{'cases':>7}{'correct':>9}{'accuracy':>10}{'µs/case':>10}"
        f"{'uncertain':>11}{'silent wrong':>14}",
        file=sys.stderr,
    )
    for r in results:
        print(
            f"{r['kind']:<8}{r['cases']:>7}{r['correct']:>9}{r['accuracy']:>10.1%}"
            f"{r['us_per_case']:>10}{r['uncertain']:>11}{r['silent_wrong']:>14}",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
