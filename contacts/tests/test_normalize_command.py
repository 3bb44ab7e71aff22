"""The normaliser from the command line, one value at a time and in JSON lines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.embedded_pass_only  # no database or service: run once

ROOT = Path(__file__).resolve().parents[2]


def test_single_values(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("normalize", "john dot doe at gmail dot com", kind="email")
    call_command(
        "normalize",
        "oh two oh seven one eight three eight seven five oh",
        kind="phone",
        region="GB",
    )
    call_command("normalize", "J-O-H-N", kind="name")
    assert capsys.readouterr().out.split() == ["john.doe@gmail.com", "+442071838750", "John"]


def test_invalid_value_fails_with_the_reason(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(CommandError):
        call_command("normalize", "lee at example", kind="email")
    assert "not a complete domain" in capsys.readouterr().err


def test_jsonl_batch_mode() -> None:
    lines = [
        {"kind": "email", "text": "ada at example dot com"},
        {"kind": "phone", "text": "020 7183 8750", "region": "GB"},
        {"kind": "name", "text": "my name is grace hopper"},
        {"kind": "phone", "text": "123"},
        {"kind": "fax", "text": "x"},
    ]
    stdin = "\n".join(json.dumps(line) for line in lines) + "\nnot json\n"
    result = subprocess.run(
        [sys.executable, "manage.py", "normalize", "--jsonl"],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**__import__("os").environ, "DJANGO_READ_DOT_ENV_FILE": "false"},
    )
    out = [json.loads(line) for line in result.stdout.splitlines()]
    # Every ok line also says whether the value is certain, and why not.
    assert out[:3] == [
        {"ok": True, "value": "ada@example.com", "certain": True, "doubts": []},
        {"ok": True, "value": "+442071838750", "certain": True, "doubts": []},
        {"ok": True, "value": "Grace Hopper", "certain": True, "doubts": []},
    ]
    assert [o["ok"] for o in out[3:]] == [False, False, False]
    assert "too few digits" in out[3]["error"]
