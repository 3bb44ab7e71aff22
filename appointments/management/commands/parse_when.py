"""`manage.py parse_when --tz ZONE [--now ISO] [--lang xx] TEXT`: prints the start (and
range) or an error."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from appointments.when import WhenError, parse_when
from voiceagent.validators import validate_timezone


class Command(BaseCommand):
    help = (
        "Reads a spoken date/time ('tomorrow at 2 PM', 'next Tuesday morning') in a time "
        "zone and prints its ISO start, the end of vague ranges, and whether it was ambiguous."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text", nargs="+")
        parser.add_argument("--tz", required=True, help="IANA time zone, e.g. Europe/London.")
        parser.add_argument(
            "--now",
            help="Reference time, ISO 8601; without an offset it is wall-clock time in --tz "
            "(default: now).",
        )
        parser.add_argument(
            "--lang", default="en", help="Language of the text, ISO 639-1 (en, es, fr, de)."
        )
        parser.add_argument("--json", action="store_true", help="Print a JSON object.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            validate_timezone(options["tz"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        now = timezone.now()
        if options["now"]:
            try:
                now = dt.datetime.fromisoformat(options["now"])
            except ValueError:
                raise CommandError(f"--now {options['now']!r} is not an ISO 8601 time.") from None
            if now.tzinfo is None:  # wall-clock time where the agent is
                now = now.replace(tzinfo=ZoneInfo(options["tz"]))
        try:
            when = parse_when(
                " ".join(options["text"]),
                now=now,
                timezone=options["tz"],
                language=options["lang"],
            )
        except WhenError as error:
            raise CommandError(str(error)) from None
        if options["json"]:
            self.stdout.write(json.dumps(when.as_dict()))
            return
        line = when.start.isoformat()
        if when.end:
            line += f" / {when.end.isoformat()}"
        if when.ambiguous:
            line += " (ambiguous: no am/pm given)"
        self.stdout.write(line)
