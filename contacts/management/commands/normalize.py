"""`manage.py normalize --kind email|phone|name [--region GB] TEXT...`, or `--jsonl` on stdin."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contacts.normalize import NormalizationError, normalize_email, normalize_name, normalize_phone

KINDS = ("email", "phone", "name")


def normalize(kind: str, text: str, region: str | None) -> str:
    if kind == "email":
        return normalize_email(text)
    if kind == "phone":
        return str(normalize_phone(text, region=region))
    if kind == "name":
        return normalize_name(text)
    raise NormalizationError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")


class Command(BaseCommand):
    help = (
        "Normalises spoken-form emails, phone numbers and names. With --jsonl, reads "
        '{"kind", "text", "region"?} lines from stdin and writes {"ok", "value"|"error"} lines.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text", nargs="*", help="Text to normalise (one value per argument).")
        parser.add_argument("--kind", choices=KINDS)
        parser.add_argument("--region", help="Two-letter country for phone numbers, e.g. GB.")
        parser.add_argument("--jsonl", action="store_true", help="Batch mode on stdin/stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["jsonl"]:
            self._batch(options["region"])
            return
        if not options["kind"] or not options["text"]:
            raise CommandError("Give --kind and at least one TEXT (or use --jsonl).")
        failed = False
        for text in options["text"]:
            try:
                self.stdout.write(normalize(options["kind"], text, options["region"]))
            except NormalizationError as error:
                failed = True
                self.stderr.write(f"error: {error}")
        if failed:
            raise CommandError("Some values could not be normalised.", returncode=1)

    def _batch(self, default_region: str | None) -> None:
        for line_number, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            try:
                request = json.loads(line)
                if not isinstance(request, dict):
                    raise ValueError("each line must be a JSON object")
                kind, text = request.get("kind"), request.get("text")
                if kind not in KINDS or not isinstance(text, str):
                    raise ValueError(f"line {line_number}: needs kind ({'/'.join(KINDS)}) and text")
                region = request.get("region") or default_region
                result = {"ok": True, "value": normalize(kind, text, region)}
            except (ValueError, NormalizationError) as error:
                result = {"ok": False, "error": str(error)}
            self.stdout.write(json.dumps(result, ensure_ascii=False))
