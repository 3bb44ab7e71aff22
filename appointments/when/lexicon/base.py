"""What a lexicon is, the vocabulary shared by all, and the folding of text (see the
package's docstring)."""

from __future__ import annotations

import difflib
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
NAMES = frozenset(WEEKDAYS + MONTHS)
WEEKDAY = "(" + "|".join(WEEKDAYS) + ")"
MONTH = "(" + "|".join(MONTHS) + ")"


# Fillers and articles a caller puts between a weekday and its day of the month
# ("el jueves tres", "mardi, euh, le 8", "Dienstag den achten", "Freitag dem vierten").
_BETWEEN = r"(?:,? (?:the|den|dem|der|le|el|days|uh|um|er|eh|euh|ehm|ah|pues|also|ahm))*,?"
# Words that make a number the first bound of a range of hours ("Montag 9 bis 12").
_TO = r"until|to|till|or|and|bis|oder|und|ou|et|a|o|y"
# A weekday, then a number that is no time, count, range or month day ("thursday 3 at
# 5:00", not "thursday 3:30", "monday 3 pm", "monday 3 days", "lunes 9 a 12",
# "jueves 3 december").
WEEKDAY_DATE: tuple[str, str] = (
    rf"\b{WEEKDAY}{_BETWEEN} (\d{{1,2}})\b(?!\.?[\d:]| ?-)(?! ?[ap]m\b)"
    rf"(?! (?:days|weeks|months|years|hours|minutes|or so)\b)(?! (?:of )?{MONTH}\b)"
    rf"(?! (?:{_TO}) \d)",
    r"\1 the \2",
)


# The fraction said after a count of hours ("tres horas y media", "deux heures et quart").
_FRACTIONS = {"media": 30, "demie": 30, "demi": 30, "halb": 30, "einhalb": 30}
_FRACTIONS |= {"cuarto": 15, "quart": 15, "viertel": 15}


def hours_and(match: re.Match[str]) -> str:
    """'in 3 hours y media' → in 210 minutes: group 1 the hours, group 2 the fraction
    (or group 2 the minutes, when a digit)."""
    hours, rest = int(match.group(1)), match.group(2)
    minutes = int(rest) if rest.isdigit() else _FRACTIONS[rest]
    return f"in {hours * 60 + minutes} minutes"


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
    # Canonical part-of-day word → (first minute, end minute) where it differs from English.
    spans: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    # Sound-alike → the number word it stands for; taken as that number only after
    # ``clock_lead`` ("at", "a las") or before ``clock_tail`` (another number, "heures").
    homophones: Mapping[str, str] = field(default_factory=dict)
    # Sound-alikes that are common words too ("for"): taken only after ``clock_lead`` or
    # before a clock word ("at for pm"), never before a number ("for 3 pm").
    weak_homophones: Mapping[str, str] = field(default_factory=dict)
    # A word that turns down the day or time said in its clause ("not Monday, Tuesday",
    # "Montag geht nicht"); never "not before 10", which is a time.
    negations: str = ""
    clock_lead: str = r"at"
    # How "3/4" is read: 3 April (most of the world) or March 4 (American English).
    day_first: bool = True
    clock_tail: str = r"o'?clock|[ap]\.? ?m\b"

    @cached_property
    def _compiled(self) -> list[tuple[re.Pattern[str], Replacement]]:
        steps: list[tuple[re.Pattern[str], Replacement]] = [
            (re.compile(_unaccented(pattern)), _folded(repl)) for pattern, repl in self.pre
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

    @cached_property
    def negation_pattern(self) -> re.Pattern[str] | None:
        return re.compile(_unaccented(self.negations)) if self.negations else None

    @cached_property
    def _heard(self) -> dict[str, str]:
        """Sound-alike → number word, with the compounds it starts ("vin-deux" →
        "vingt-deux" from "vin" → "vingt")."""
        pairs = [*self.homophones.items(), *self.weak_homophones.items()]
        heard = {fold(word): number for word, number in pairs}
        for word, number in list(heard.items()):
            for compound in self.numbers:
                rest = fold(compound)[len(fold(number)) :]
                if fold(compound).startswith(fold(number)) and rest[:1] in {"-", " "}:
                    heard.setdefault(f"{word}{rest}", compound)
        return heard

    @cached_property
    def _homophone_pattern(self) -> re.Pattern[str] | None:
        if not self._heard:
            return None
        words = "|".join(re.escape(word) for word in sorted(self._heard, key=len, reverse=True))
        numbers = "|".join(re.escape(fold(word)) for word in sorted(self.numbers, key=len)[::-1])
        months = "|".join(
            re.escape(fold(word)) for word, value in self.words.items() if value in MONTHS
        )
        months = "|".join(filter(None, [months, *MONTHS]))
        return re.compile(
            rf"(?<![\w'-])(?P<lead>(?:{_unaccented(self.clock_lead)})\s+)?(?P<word>{words})"
            rf"(?![\w'-])(?P<number>(?=\s*(?:\d|(?:{numbers})(?![\w'-]))))?"
            rf"(?P<tail>(?=\s*(?:{_unaccented(self.clock_tail)})(?![\w'-])))?"
            rf"(?P<month>(?=\s*(?:{months})(?![\w'-])))?"
        )

    def hear(self, text: str) -> tuple[str, list[str]]:
        """``text`` with sound-alikes of number words put back where a time (or a date,
        before a month) is said, and a doubt for each one (it is a guess about what the
        caller said)."""
        pattern = self._homophone_pattern
        if pattern is None:
            return text, []
        doubts: list[str] = []
        weak = {fold(word) for word in self.weak_homophones}

        def put_back(match: re.Match[str]) -> str:
            word = match.group("word")
            lead, tail = match.group("lead"), match.group("tail")
            dated = match.group("number") is not None or match.group("month") is not None
            if lead is None and tail is None and (word in weak or not dated):
                return match.group(0)
            number = self._heard[word]
            doubts.append(f"heard '{word}', read as '{number}'")
            return f"{lead or ''}{number}"

        return pattern.sub(put_back, text), doubts

    @cached_property
    def _names(self) -> tuple[frozenset[str], frozenset[str]]:
        """(weekday and month names, every word the lexicon knows), folded."""
        names = {fold(word) for word, value in self.words.items() if value in NAMES}
        names |= set(NAMES)
        known = {fold(word) for table in (self.words, self.numbers) for word in table}
        return frozenset(names), frozenset(known | names)

    def near_names(self, text: str) -> tuple[str, list[str]]:
        """``text`` with misspelt weekday and month names put back ("biernes" →
        "viernes", "wensday" → "wednesday"), with a doubt for each: speech-to-text
        wrote a word the grammar would otherwise skip, leaving the day unsaid."""
        names, known = self._names
        doubts: list[str] = []

        def put_back(match: re.Match[str]) -> str:
            word = match.group(0)
            if len(word) < 6 or word in known:
                return word
            # "mondays", "montags": the day; else the closest name (one letter off in six).
            cutoff = 0.8
            close = [word[:-1]] if word[:-1] in names else []
            close = close or difflib.get_close_matches(word, names, n=1, cutoff=cutoff)
            if not close:
                return word
            doubts.append(f"heard '{word}', read as '{close[0]}'")
            return close[0]

        return re.sub(r"(?<![\w'-])[a-z]+(?![\w'-])", put_back, text), doubts

    def rewrite(self, text: str) -> str:
        for pattern, replacement in self._compiled:
            text = pattern.sub(replacement, text)
        return re.sub(r"\s+", " ", text).strip()


def _folded(replacement: Replacement) -> Replacement:
    """A replacement as folded as the text it goes into ("übermorgen" → "ubermorgen")."""
    return _unaccented(replacement) if isinstance(replacement, str) else replacement


def _lookup(table: dict[str, str]) -> Callable[[re.Match[str]], str]:
    return lambda match: table[match.group(1)]
