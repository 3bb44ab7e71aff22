"""Number words to digits, the way people read out phone numbers and the digits in emails.

A run of number words is cut into *phrases*, each one number: "forty two" → 42,
"eight hundred" → 800, "two thousand and five" → 2005. Phrases are written one after
another, so "nineteen eighty four" → "19" "84" → 1984 and "zéro six douze" → "0" "6" "12"
→ 0612: that is how digits are read aloud, in groups, whatever the language.

text2num reads the glued compounds of es/fr/de ("einundzwanzig", "quatre-vingt-dix-sept",
"veintiuno"); it is not used for whole runs, because it reads "one eight hundred five"
as 1 805 and leaves "double" and "oh" alone, which is wrong for phone numbers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache

from text_to_num import text2num

from contacts.spoken.lexicons import Lexicon

logger = logging.getLogger(__name__)

# Languages whose hundreds take a unit with no "and": "ciento cinco", "cent cinq", "hundertfünf".
_HUNDRED_TAKES_UNITS = frozenset({"es", "fr", "de"})
# Languages that say the unit first ("einunddreißig"): "dreißig eins" is 30 then 1, never 31.
_UNIT_BEFORE_TENS = frozenset({"de"})
# Languages that count hundreds past twenty: "fifty five hundred", "eighty eight hundred".
_HUNDREDS_COUNTED = frozenset({"en"})


@dataclass
class Phrase:
    """One number said as one: its digits and the tokens it was said with."""

    tokens: list[str] = field(default_factory=list)
    total: int = 0  # the thousands, already multiplied
    current: int = 0  # what is under a thousand
    last: str = ""  # kind of the last part: unit, teen, tens, hundred, thousand
    literal: str = ""  # digits said as digits ("4", "415")
    words: int = 0  # how many number words it holds
    head: str = ""  # the hundreds before what was added to them: "800" of "huit cent douze"

    @property
    def digits(self) -> str:
        return self.literal or str(self.total + self.current)


@lru_cache(maxsize=2048)
def _glued(token: str, language: str) -> int | None:
    """A compound written as one token, read by text2num; None if it is not a number."""
    if language == "en" or len(token) < 4 or not token.replace("-", "").isalpha():
        return None
    try:
        value = int(text2num(token, language))
    except ValueError:
        return None
    return value if 0 <= value < 1_000_000 else None


def word_value(token: str, lexicon: Lexicon, *, phone: bool) -> int | None:
    """The value of one number word, or None."""
    if token in lexicon.numbers:
        return lexicon.numbers[token]
    if phone and token in lexicon.phone_only_numbers:
        return lexicon.phone_only_numbers[token]
    glued = _glued(token, lexicon.code)
    if glued is not None:
        return glued
    if "-" in token:
        parts = [word_value(part, lexicon, phone=phone) for part in token.split("-")]
        if all(p is not None for p in parts):
            values = [p for p in parts if p is not None]
            phrases = _phrases_of_values(values, lexicon)
            if len(phrases) == 1:
                return int(phrases[0].digits)
    return None


def _kind(value: int) -> str:
    if value < 10:
        return "unit"
    if value < 20:
        return "teen"
    if value < 100:
        return "tens"
    if value == 100:
        return "hundred-word"
    if value < 1000 and value % 100 == 0:
        return "hundreds"
    if value == 1000:
        return "thousand-word"
    return "compound"


def _extend(phrase: Phrase, value: int, lexicon: Lexicon, *, joined: bool) -> bool:
    """Add ``value`` to ``phrase`` if it continues the same number; False if it starts a new one."""
    kind, last, current = _kind(value), phrase.last, phrase.current
    if phrase.literal or last == "":
        return False
    if kind == "hundred-word":
        if last in ("unit", "teen") and 0 < current < 20:
            phrase.current = current * 100
            phrase.last = "hundred"
            return True
        if (
            lexicon.code in _HUNDREDS_COUNTED
            and last in ("tens", "unit-after-tens")
            and phrase.total == 0
            and 20 <= current < 100
        ):
            phrase.current = current * 100  # "fifty five hundred" is 5500
            phrase.last = "hundred"
            return True
        return False
    if kind == "thousand-word":
        if phrase.total == 0 and current > 0:
            phrase.total, phrase.current, phrase.last = current * 1000, 0, "thousand"
            return True
        return False
    after_big = last in ("hundred", "thousand")
    if kind == "hundreds":
        if last == "thousand" and current == 0:
            phrase.current, phrase.last = value, "hundred"  # mil novecientos
            return True
        return False
    if kind == "unit" and value > 0:
        if last == "tens" and current % 10 == 0 and lexicon.code not in _UNIT_BEFORE_TENS:
            phrase.current += value
            phrase.last = "unit-after-tens"
            return True
        if after_big and (joined or lexicon.code in _HUNDRED_TAKES_UNITS or last == "thousand"):
            phrase.current += value
            phrase.last = "unit" if phrase.current < 10 else "unit-after-tens"
            return True
        if lexicon.code == "fr" and last == "teen" and current == 10 and value >= 7:
            phrase.current += value  # "dix huit" written apart is still 18
            phrase.last = "unit-after-tens"
            return True
        if lexicon.code == "fr" and last == "teen-after" and current % 100 in (70, 90):
            phrase.current += value  # soixante dix huit, quatre vingt dix sept
            phrase.last = "unit-after-tens"
            return True
        return False
    if kind == "teen":
        if after_big or (lexicon.code == "fr" and last == "tens" and current % 100 in (60, 80)):
            phrase.current += value
            phrase.last = "teen-after"
            return True
        return False
    if kind == "tens":
        if lexicon.code == "fr" and value == 20 and last == "unit" and current == 4 and not joined:
            phrase.current = 80  # quatre-vingt
            phrase.last = "tens"
            return True
        if lexicon.code == "de" and joined and last == "unit" and current % 10 == current:
            phrase.current = value + current  # "ein und zwanzig"
            phrase.last = "unit-after-tens"
            return True
        if after_big and current % 100 == 0:
            phrase.current += value
            phrase.last = "tens"
            return True
        return False
    if kind == "compound" and after_big and value < 100 and current % 100 == 0:
        phrase.current += value
        phrase.last = "unit-after-tens"
        return True
    return False


def _start(value: int) -> Phrase:
    kind = _kind(value)
    last = {"hundred-word": "hundred", "thousand-word": "thousand", "hundreds": "hundred"}.get(
        kind, kind
    )
    if kind == "compound":
        # A glued compound (21, 97, 1984) takes nothing more, except after whole hundreds.
        last = "unit-after-tens" if value < 100 else "hundred" if value % 100 == 0 else "done"
    if value == 1000:
        return Phrase(total=1000, last=last, words=1)
    return Phrase(current=value, last=last, words=1)


def _phrases_of_values(values: list[int], lexicon: Lexicon) -> list[Phrase]:
    phrases: list[Phrase] = []
    for value in values:
        if phrases and _extend(phrases[-1], value, lexicon, joined=False):
            continue
        phrases.append(_start(value))
    return phrases


def _digit_by_digit(last: Phrase, value: int, following: list[str], lexicon: Lexicon) -> bool:
    """ "null achthundert eins zwei drei": a unit after hundreds that digits follow is a digit."""
    if last.last != "hundred" or value >= 10 or not following:
        return False
    after = following[0]
    if after.isdigit():
        return len(after) == 1
    after_value = word_value(after, lexicon, phone=True)
    return after_value is not None and after_value < 10


def _trunk_prefix(pieces: list[Piece], last: Phrase) -> bool:
    """ "null achthundert zweiundsiebzig …": zero then whole hundreds opens a phone number
    with a service prefix (0800, 0900); what follows is the next group, not 872."""
    first = pieces[0].number if len(pieces) == 2 else None
    return (
        first is not None
        and first.digits == "0"
        and last.last == "hundred"
        and last.words == 1
        and last.current >= 100
        and last.current % 100 == 0
    )


def _close_plural_vingts(phrase: Phrase, token: str, lexicon: Lexicon) -> None:
    """ "quatre-vingts" with its s is 80 and nothing more: "quatre-vingts douze" is 80 12."""
    if lexicon.code == "fr" and token.endswith("vingts"):
        phrase.last = "done"


@dataclass
class Piece:
    """A token of the text, or a number read from a run of tokens."""

    text: str
    number: Phrase | None = None


def read_numbers(
    tokens: list[str],
    lexicon: Lexicon,
    *,
    phone: bool,
    homophones: bool = False,
    homophone_beside_one: bool = False,
) -> list[Piece]:
    """Tokens with every number phrase replaced by one numeric piece.

    A sound-alike ("to", "for", "vin") is a digit between two numbers, or with
    ``homophone_beside_one`` beside one ("mike to three for at": in an email the
    other side is a word or a symbol).

    ``repeats`` ("double five") repeat the next digit phrase or letter. Connectors
    ("and", "y", "et", "und") join two parts of one number, and are kept as words otherwise.
    """
    pieces: list[Piece] = []
    repeat = 0
    pending_connector: str | None = None
    for index, token in enumerate(tokens):
        if token in lexicon.repeats:
            repeat = lexicon.repeats[token]
            continue
        value = None if token.isdigit() else word_value(token, lexicon, phone=phone)
        if value is None and (homophones or homophone_beside_one) and token in lexicon.homophones:
            neighbours = tokens[max(0, index - 1) : index] + tokens[index + 1 : index + 2]
            numeric = [
                t.isdigit() or word_value(t, lexicon, phone=phone) is not None for t in neighbours
            ]
            if numeric and (any(numeric) if homophone_beside_one else all(numeric)):
                value = lexicon.homophones[token]
        last = pieces[-1].number if pieces else None
        if token in lexicon.connectors and last is not None and not repeat:
            pending_connector = token
            continue
        if token.isdigit():
            if pending_connector:
                pieces.append(Piece(pending_connector))
                pending_connector = None
            for _ in range(repeat or 1):
                pieces.append(Piece(token, Phrase(tokens=[token], literal=token)))
            repeat = 0
            continue
        if value is None:
            if pending_connector:
                pieces.append(Piece(pending_connector))
                pending_connector = None
            if repeat:
                # "double l", "triple x": a repeated letter.
                token = token * repeat if len(token) == 1 else token
                repeat = 0
            pieces.append(Piece(token))
            continue
        joined = pending_connector is not None
        before = (last.last, last.digits) if last is not None else ("", "")
        if (
            last is not None
            and not repeat
            and not (phone and _digit_by_digit(last, value, tokens[index + 1 : index + 2], lexicon))
            and not (phone and _trunk_prefix(pieces, last))
            and token not in lexicon.lone_hundreds
            and _extend(last, value, lexicon, joined=joined)
        ):
            last.tokens.extend([*([pending_connector] if pending_connector else []), token])
            last.words += 1
            if before[0] == "hundred" and value < 100 and not last.head:
                last.head = before[1]
            _close_plural_vingts(last, token, lexicon)
            pending_connector = None
            continue
        if pending_connector:
            pieces.append(Piece(pending_connector))
            pending_connector = None
        for _ in range(repeat or 1):
            phrase = _start(value)
            phrase.tokens = [token]
            _close_plural_vingts(phrase, token, lexicon)
            pieces.append(Piece(token, phrase))
        repeat = 0
    if pending_connector:
        pieces.append(Piece(pending_connector))
    return pieces
