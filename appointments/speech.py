"""Times as the agent reads them out, in its locale: 'Monday 30 November at 3:00 PM'
(en-US), 'Monday 30 November at 15:00' (en-GB), 'Montag, 30. November um 15:00' (de).

Day and month names come from Django's translations; the 12-hour clock is used where
English speakers say it (the US and a few others), the 24-hour clock elsewhere.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import translation
from django.utils.dateformat import format as date_format

# Countries whose English speakers read times on the 12-hour clock.
TWELVE_HOUR_REGIONS = frozenset({"US", "CA", "AU", "NZ", "PH", "IN"})
# Per language: Django date format of the day, and the word before the time.
DAY_FORMATS: dict[str, tuple[str, str]] = {
    "en": ("l j F", "at"),
    "de": ("l, j. F", "um"),
    "fr": ("l j F", "à"),
    "es": (r"l j \d\e F", "a las"),
}


def spoken_clock(moment: dt.datetime, *, zone: str, locale: str) -> str:
    """The time of day of ``moment`` in ``zone`` for ``locale``: '3:00 PM' or '15:00'."""
    language, _, region = locale.partition("-")
    local = moment.astimezone(ZoneInfo(zone))
    if language.lower() == "en" and region.upper() in TWELVE_HOUR_REGIONS:
        return date_format(local, "g:i A")
    return f"{local:%H:%M}"


def spoken_time(moment: dt.datetime, *, zone: str, locale: str) -> str:
    """``moment`` in ``zone`` as words for ``locale`` (BCP 47, e.g. en-US, de-DE)."""
    language = locale.partition("-")[0].lower()
    language = language if language in DAY_FORMATS else "en"
    day_format, connector = DAY_FORMATS[language]
    local = moment.astimezone(ZoneInfo(zone))
    with translation.override(language):
        day = date_format(local, day_format)
    clock = spoken_clock(moment, zone=zone, locale=locale)
    if language == "es" and local.hour == 1:
        connector = "a la"  # "a la 1:30", singular
    return f"{day} {connector} {clock}"
