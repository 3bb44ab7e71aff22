"""Per-language lexicons: each rewrites its date/time phrases into the parser's
canonical English vocabulary ("tomorrow", "next monday", "3:30", "at 4", "pm",
"2 days ago", "early next week", ...). One registry, ``LEXICONS``; an unknown language
reads as English.

A lexicon is applied in four steps on folded text (lower case, no accents, ß → ss, so
speech-to-text that drops accents still matches): ``pre`` rewrites (phrases that hold
words the next steps would change), ``words`` (weekdays, months, units → English),
``numbers`` (number words → digits, longest first), then ``rules`` (clock phrases on
digits: "halb 4" → "3:30").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

Replacement = str | Callable[[re.Match[str]], str]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
WEEKDAY = "(" + "|".join(WEEKDAYS) + ")"
MONTH = "(" + "|".join(MONTHS) + ")"


def fold(text: str) -> str:
    """Lower case without accents: 'Mañana' → 'manana', 'Übermorgen' → 'ubermorgen'."""
    return _unaccented(text.lower())


def _unaccented(text: str) -> str:
    """Without accents, case kept (patterns: lowering would turn \\S into \\s)."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def minus_one(hour: str) -> int:
    """The hour before ``hour`` on a 12-hour dial: 'quarter to 1' is 12:45."""
    return (int(hour) - 2) % 12 + 1


@dataclass(frozen=True)
class Lexicon:
    code: str
    corrections: str  # regex of self-correction markers ("no sorry", "actually")
    pre: Sequence[tuple[str, Replacement]] = ()
    words: Mapping[str, str] = field(default_factory=dict)
    numbers: Mapping[str, int] = field(default_factory=dict)
    rules: Sequence[tuple[str, Replacement]] = ()

    @cached_property
    def _compiled(self) -> list[tuple[re.Pattern[str], Replacement]]:
        steps: list[tuple[re.Pattern[str], Replacement]] = [
            (re.compile(_unaccented(pattern)), repl) for pattern, repl in self.pre
        ]
        for table in (self.words, {k: str(v) for k, v in self.numbers.items()}):
            if table:
                folded = {fold(k): v for k, v in table.items()}
                alternation = "|".join(re.escape(k) for k in sorted(folded, key=len, reverse=True))
                pattern = re.compile(rf"(?<![\w'-])({alternation})(?![\w'-])")
                steps.append((pattern, _lookup(folded)))
        steps += [(re.compile(_unaccented(pattern)), repl) for pattern, repl in self.rules]
        return steps

    @cached_property
    def correction_pattern(self) -> re.Pattern[str]:
        return re.compile(_unaccented(self.corrections))

    def rewrite(self, text: str) -> str:
        for pattern, replacement in self._compiled:
            text = pattern.sub(replacement, text)
        return re.sub(r"\s+", " ", text).strip()


def _lookup(table: dict[str, str]) -> Callable[[re.Match[str]], str]:
    return lambda match: table[match.group(1)]


def _registry() -> dict[str, Lexicon]:
    from appointments.when.lexicon import de, en, es, fr

    return {module.LEXICON.code: module.LEXICON for module in (en, es, fr, de)}


LEXICONS: dict[str, Lexicon] = {}


def lexicons_for(language: str) -> list[Lexicon]:
    """The language's lexicon, then English (the model often passes English phrases
    whatever the caller's language); an unknown language reads as English."""
    if not LEXICONS:
        LEXICONS.update(_registry())
    code = (language or "en").split("-")[0].lower()
    english = LEXICONS["en"]
    native = LEXICONS.get(code, english)
    return [native] if native is english else [native, english]
