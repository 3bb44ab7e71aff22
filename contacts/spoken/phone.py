"""Spoken phone numbers: "one eight hundred five five five, wait, five six five, one two one two".

Digits are read in the groups they were said in (a pause, a comma, a typed space ends a
group), so a self-correction can replace the group it corrects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from contacts.spoken.conversation import clean_text, split_corrections, strip_talk
from contacts.spoken.lexicons import Lexicon, lexicon_for
from contacts.spoken.lexicons.en import LEXICON as ENGLISH
from contacts.spoken.numbers import Phrase, read_numbers, word_value
from contacts.spoken.result import NormalizationError, Normalized, normalized

_PAUSE = re.compile(r"[,;:!?()]|\.(?:\s|$)|\s[-–]\s")
_TOKEN = re.compile(r"\+|\d+|[^\W\d_]+(?:['-][^\W\d_]+)*")


def normalize_phone(text: str, *, region: str | None = None, language: str = "en") -> Normalized:
    """Words to digits, country from ``region`` unless the number says otherwise → E.164."""
    lexicon = lexicon_for(language)
    country = (region or "US").upper()
    doubts: list[str] = []
    main, extension = _split_extension(clean_text(text).lower(), lexicon, doubts)
    groups: list[str] | None = None
    readings: list[Reading] = []
    for segment in split_corrections(main, lexicon):
        new = _groups(segment.text, lexicon, doubts, readings)
        if not new:
            continue
        if groups is None or segment.restart:
            groups = new
        else:
            groups = _correct(groups, new, country, doubts)
    digits = "".join(groups or [])
    if sum(ch.isdigit() for ch in digits) < 6:
        raise NormalizationError(
            f"'{text.strip()}' has too few digits for a phone number; ask for it again."
        )
    e164 = _valid(digits, country)
    if e164 is not None and _without_trunk(digits, country):
        doubts.append("no leading 0 was heard; the area code may be missing")
    for reading in readings:
        if reading.digits not in digits:
            continue
        other = _valid(digits.replace(reading.digits, reading.other, 1), country)
        if other is None or other == e164:
            continue
        if e164 is None:
            # Only the other reading makes a valid number: use it, and say so.
            doubts.append(f"read '{reading.words}' as {reading.other}, not {reading.digits}")
            e164 = other
        else:
            doubts.append(
                f"read '{reading.words}' as {reading.digits}; it could be {reading.other}"
            )
    if e164 is None:
        try:
            number = phonenumbers.parse(digits, country)
        except phonenumbers.NumberParseException:
            raise NormalizationError(f"'{text.strip()}' is not a phone number.") from None
        where = phonenumbers.region_code_for_number(number) or country
        raise NormalizationError(
            f"'{text.strip()}' is not a valid phone number for {where}; ask for it again, "
            "with the country code if it is from abroad."
        )
    return normalized(e164, doubts, extension)


def _split_extension(text: str, lexicon: Lexicon, doubts: list[str]) -> tuple[str, str]:
    for lex in (lexicon, ENGLISH):
        match = lex.extension_re.search(text)
        if match:
            extension = ""
            # "extension 12, no sorry, extension 14": the last extension said wins.
            for segment in split_corrections(match.group(1), lexicon):
                said = lex.extension_re.sub(r"\1", segment.text)
                extension = "".join(_groups(said, lexicon, doubts)) or extension
            if extension.isdigit():
                return text[: match.start()], extension
    return text, ""


@dataclass(frozen=True)
class Reading:
    """Another way to read some words: "eight hundred five" is 800 5 here, or 805."""

    words: str
    digits: str
    other: str


def _groups(
    text: str, lexicon: Lexicon, doubts: list[str], readings: list[Reading] | None = None
) -> list[str]:
    """The digit groups of ``text`` in the order said; "+" leads the first if said."""
    text = strip_talk(text, lexicon)
    groups: list[str] = []
    for part in _PAUSE.split(text):
        tokens = [
            "+" if token in lexicon.plus_words or token in ENGLISH.plus_words else token
            for token in _split_hyphens(_TOKEN.findall(part), lexicon)
        ]
        pieces = read_numbers(tokens, lexicon, phone=True, homophones=True)
        words: list[str] = []
        for index, piece in enumerate(pieces):
            number = piece.number
            before = pieces[index - 1].number if index else None
            if (
                readings is not None
                and number is not None
                and before is not None
                and not number.literal
                and not before.literal
                and before.last == "hundred"
                and int(number.digits) < 10
            ):
                said = " ".join([*before.tokens, *number.tokens])
                other = str(int(before.digits) + int(number.digits))
                readings.append(Reading(said, before.digits + number.digits, other))
            if readings is not None and number is not None and _tens_then_unit(number, lexicon):
                # "eight sixty five five five": "sixty five" is 65, or 60 then 5.
                said = " ".join(number.tokens)
                readings.append(
                    Reading(said, number.digits, f"{number.digits[:-1]}0{number.digits[-1]}")
                )
            if readings is not None and number is not None and number.head and not number.literal:
                # "huit cent douze" is 812, or 800 12 as a French 0800 number is read.
                rest = str(int(number.digits) - int(number.head))
                readings.append(Reading(" ".join(number.tokens), number.digits, number.head + rest))
            if piece.text == "+" and not groups and not words:
                words.append("+")
            elif number is None:
                if words and words != ["+"]:
                    groups.append("".join(words))
                    words = []
            elif number.literal:
                if words and words != ["+"]:
                    groups.append("".join(words))
                    words = []
                words.append(number.digits)
                groups.append("".join(words))
                words = []
            else:
                heard = [t for t in number.tokens if t in lexicon.homophones]
                if heard:
                    doubts.append(f"heard '{' '.join(heard)}' as a digit")
                words.append(number.digits)
        if words and words != ["+"]:
            groups.append("".join(words))
    return groups


def _tens_then_unit(number: Phrase, lexicon: Lexicon) -> bool:
    """Ends in a multiple of ten then a unit, as two words with no "and": "sixty five",
    "seiscientos setenta tres" (Spanish needs "y" to join them), not "sixty-five"."""
    if number.literal or len(number.tokens) < 2 or number.last != "unit-after-tens":
        return False
    tens, unit = number.tokens[-2:]
    tens_value = word_value(tens, lexicon, phone=True)
    unit_value = word_value(unit, lexicon, phone=True)
    return (
        tens_value is not None
        and unit_value is not None
        and 20 <= tens_value < 100
        and tens_value % 10 == 0
        and 0 < unit_value < 10
        and number.digits.endswith(str(unit_value))
    )


def _split_hyphens(tokens: list[str], lexicon: Lexicon) -> list[str]:
    """ "four-one-five": digits joined by hyphens are words each; "quatre-vingt-dix" is one."""
    out: list[str] = []
    for token in tokens:
        if "-" in token and word_value(token, lexicon, phone=True) is None:
            out.extend(part for part in token.split("-") if part)
        else:
            out.append(token)
    return out


def _without_trunk(digits: str, country: str) -> bool:
    """ "976543" where callers say "0211 976543": a national number without its trunk 0 is
    more often a number whose area code was not heard than a complete one."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(country)
    trunk = metadata.national_prefix if metadata is not None else None
    return trunk == "0" and not digits.startswith(("0", "+"))


def _valid(digits: str, country: str) -> str | None:
    try:
        number = phonenumbers.parse(digits, country)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _correct(old: list[str], new: list[str], country: str, doubts: list[str]) -> list[str]:
    """A corrected group replaces the group of the same length said just before it.

    When the lengths do not show what was corrected, every plausible cut is tried and the
    one that makes a valid number is used, with a doubt; a complete new number wins outright.
    """
    said = " ".join(new)
    previous = "".join(old)
    replaced = old[-1] if old else ""
    whole = "".join(new)
    # "612 904 338, no, 612 904 383": several groups that make a valid number at least as
    # long as what came before are the number said again, not a tail to put after it.
    if len(new) > 1 and len(whole) >= len(previous) and _valid(whole, country):
        appended = _valid("".join(old[:-1] + new), country)
        if appended is not None and len(old) > 1:
            doubts.append(f"took '{said}' as the whole number said again, not as its end")
        return new
    if len(new[0].lstrip("+")) == len(replaced.lstrip("+")) and not new[0].startswith("+"):
        # Said as one group, the whole number is not what a same-length group corrects.
        if len(old) > 1 or _valid(whole, country):
            return old[:-1] + new
    # After "null zwei eins eins …", digits with no 0 are the rest of the number, even
    # when they happen to make a valid one on their own.
    lost_trunk = previous.startswith("0") and not new[0].startswith("0")
    if new[0].startswith("+") or (
        not lost_trunk and _valid("".join(new), country) and len("".join(new)) >= len(previous)
    ):
        return new
    candidates: list[tuple[int, str]] = []
    for cut in sorted(range(1, len(previous) + 1), key=lambda c: _cut_rank(c, previous, new[0])):
        merged = previous[: len(previous) - cut] + "".join(new)
        if _valid(merged, country):
            candidates.append((cut, merged))
    if candidates:
        cut, merged = candidates[0]
        doubts.append(
            f"took the correction '{said}' to replace '{previous[len(previous) - cut :]}'"
        )
        return [merged]
    doubts.append(f"could not tell what the correction '{said}' replaces")
    return new


def _cut_rank(cut: int, previous: str, first: str) -> tuple[int, int]:
    """How likely the last ``cut`` digits said are what the correction ``first`` replaces.

    A caller who restarts a part says its start again ("one two four, no, one two three
    four five"): a replaced tail that begins as the correction does comes first; then the
    tail as long as the correction.
    """
    tail = previous[len(previous) - cut :]
    shared = 0
    while shared < min(len(tail), len(first)) and tail[shared] == first[shared]:
        shared += 1
    return (-shared, abs(cut - len(first)))
