"""`manage.py parse_when --tz ZONE --now ISO TEXT`: prints the start (and range) or an error."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

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
        parser.add_argument("--now", help="Reference time, ISO 8601 with offset (default: now).")
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
            if now.tzinfo is None:
                raise CommandError("--now needs a UTC offset, e.g. 2026-11-23T10:15:00+00:00.")
        try:
            when = parse_when(" ".join(options["text"]), now=now, timezone=options["tz"])
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
