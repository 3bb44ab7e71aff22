"""Per-language lexicons: each rewrites its date/time phrases into the parser's
canonical English vocabulary ("tomorrow", "next monday", "3:30", "at 4", "pm",
"2 days ago", "early next week", ...). One registry, ``LEXICONS``; an unknown language
reads as English.

A lexicon is applied in four steps on folded text (lower case, no accents, ß → ss, so
speech-to-text that drops accents still matches): ``pre`` rewrites (phrases that hold
words the next steps would change), ``words`` (weekdays, months, units → English),
``numbers`` (number words → digits, longest first), then ``rules`` (clock phrases on
digits: "halb 4" → "3:30").

Before that, ``hear`` puts back number words that speech-to-text wrote as words that
sound the same ("too thirty", "a las dies", "vin heures"), only next to a clock word, and
says so: the reading is then a guess to confirm. A lexicon's ``spans`` set how long its
parts of the day run where it is spoken (a Spanish "tarde" lasts until about 20:00).
"""

from __future__ import annotations

from appointments.when.lexicon import de, en, es, fr
from appointments.when.lexicon.base import (
    MONTH,
    MONTHS,
    WEEKDAY,
    WEEKDAYS,
    Lexicon,
    fold,
    minus_one,
)

__all__ = [
    "LEXICONS",
    "MONTH",
    "MONTHS",
    "WEEKDAY",
    "WEEKDAYS",
    "Lexicon",
    "fold",
    "lexicons_for",
    "minus_one",
]

LEXICONS: dict[str, Lexicon] = {module.LEXICON.code: module.LEXICON for module in (en, es, fr, de)}


def lexicons_for(language: str) -> list[Lexicon]:
    """The language's lexicon, then English (the model often passes English phrases
    whatever the caller's language); an unknown language reads as English."""
    code = (language or "en").split("-")[0].lower()
    english = LEXICONS["en"]
    native = LEXICONS.get(code, english)
    return [native] if native is english else [native, english]
