"""`manage.py normalize --kind email|phone|name [--region GB] [--language de] TEXT...`, or
`--jsonl` on stdin."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contacts.normalize import (
    SUPPORTED_LANGUAGES,
    NormalizationError,
    Normalized,
    normalize_email,
    normalize_name,
    normalize_phone,
)

KINDS = ("email", "phone", "name")


def normalize(kind: str, text: str, region: str | None, language: str = "en") -> Normalized:
    if kind == "email":
        return normalize_email(text, language=language)
    if kind == "phone":
        return normalize_phone(text, region=region, language=language)
    if kind == "name":
        return normalize_name(text, language=language)
    raise NormalizationError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")


class Command(BaseCommand):
    help = (
        "Normalises spoken-form emails, phone numbers and names. With --jsonl, reads "
        '{"kind", "text", "region"?, "language"?} lines from stdin and writes '
        '{"ok", "value", "certain", "doubts"} or {"ok", "error"} lines.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text", nargs="*", help="Text to normalise (one value per argument).")
        parser.add_argument("--kind", choices=KINDS)
        parser.add_argument("--region", help="Two-letter country for phone numbers, e.g. GB.")
        parser.add_argument(
            "--language",
            default="en",
            help=f"Language of the words ({', '.join(SUPPORTED_LANGUAGES)}; others read as en).",
        )
        parser.add_argument("--jsonl", action="store_true", help="Batch mode on stdin/stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["jsonl"]:
            self._batch(options["region"], options["language"])
            return
        if not options["kind"] or not options["text"]:
            raise CommandError("Give --kind and at least one TEXT (or use --jsonl).")
        failed = False
        for text in options["text"]:
            try:
                result = normalize(options["kind"], text, options["region"], options["language"])
            except NormalizationError as error:
                failed = True
                self.stderr.write(f"error: {error}")
                continue
            self.stdout.write(str(result))
            for doubt in result.doubts:
                self.stderr.write(f"uncertain: {doubt}")
        if failed:
            raise CommandError("Some values could not be normalised.", returncode=1)

    def _batch(self, default_region: str | None, default_language: str) -> None:
        for line_number, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            result: dict[str, Any]
            try:
                request = json.loads(line)
                if not isinstance(request, dict):
                    raise ValueError("each line must be a JSON object")
                kind, text = request.get("kind"), request.get("text")
                if kind not in KINDS or not isinstance(text, str):
                    raise ValueError(f"line {line_number}: needs kind ({'/'.join(KINDS)}) and text")
                region = request.get("region") or default_region
                language = request.get("language") or default_language
                if not isinstance(language, str):
                    raise ValueError(f"line {line_number}: language must be text")
                value = normalize(kind, text, region, language)
                result = {
                    "ok": True,
                    "value": str(value),
                    "certain": value.certain,
                    "doubts": list(value.doubts),
                }
            except (ValueError, NormalizationError) as error:
                result = {"ok": False, "error": str(error)}
            self.stdout.write(json.dumps(result, ensure_ascii=False))
