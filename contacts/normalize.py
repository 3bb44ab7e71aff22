"""Normalisation of what speech recognition makes of emails, phone numbers and names.

"john dot doe at gmail dot com" → john.doe@gmail.com; "double five five, one two
three four" → 5551234; "J-O-H-N" → John. Every function returns a clean value or
raises ``NormalizationError`` with a message the model can read back to the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email


class NormalizationError(ValueError):
    """The text does not hold a usable value; the message says what is wrong."""


DIGIT_WORDS = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "nought": "0",
    "one": "1",
    "two": "2",
    "to": "2",
    "too": "2",
    "three": "3",
    "four": "4",
    "for": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
}
NUMBER_WORDS = {
    **{k: v for k, v in DIGIT_WORDS.items() if k not in {"o", "oh", "to", "too", "for"}},
    "thirteen": "13",
    "fourteen": "14",
    "fifteen": "15",
    "sixteen": "16",
    "seventeen": "17",
    "eighteen": "18",
    "nineteen": "19",
    "twenty": "20",
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
    "sixty": "60",
    "seventy": "70",
    "eighty": "80",
    "ninety": "90",
}
REPEATS = {"double": 2, "triple": 3, "treble": 3}
WELL_KNOWN_MAIL_DOMAINS = (
    "gmail",
    "googlemail",
    "yahoo",
    "hotmail",
    "outlook",
    "live",
    "msn",
    "icloud",
    "me",
    "aol",
    "protonmail",
    "proton",
    "gmx",
    "yandex",
    "zoho",
    "mail",
    "fastmail",
    "hey",
)
EMAIL_SYMBOLS = [
    (r"\bat the rate of\b|\bat the rate\b|\bat sign\b|\bat symbol\b|\bat\b", " @ "),
    (r"\bdot\b|\bperiod\b|\bpoint\b|\bfull stop\b", " . "),
    (r"\bunderscore\b|\bunder score\b", " _ "),
    (r"\bhyphen\b|\bdash\b|\bminus\b", " - "),
    (r"\bplus\b", " + "),
]
EMAIL_FILLER = re.compile(
    r"^(?:(?:my|the|it's|it is|its|email|e-mail|address|is|that's|that is|yes|sure|okay|ok)\s+)+",
    re.IGNORECASE,
)


# In emails, "o", "oh", "to", "too" and "for" are more likely letters and words.
EMAIL_DIGIT_WORDS = {
    k: v for k, v in DIGIT_WORDS.items() if k not in {"o", "oh", "to", "too", "for"}
}


def _expand_repeats(tokens: list[str], words: dict[str, str] = DIGIT_WORDS) -> list[str]:
    """'double five' → '5 5'; 'triple two' → '2 2 2' (digits or letters)."""
    out: list[str] = []
    count = 0
    for token in tokens:
        if token in REPEATS:
            count = REPEATS[token]
            continue
        value = words.get(token, token)
        out.extend([value] * (count or 1))
        count = 0
    return out


def normalize_email(text: str) -> str:
    raw = text.strip().strip(".,;!?").lower()
    raw = EMAIL_FILLER.sub("", raw)
    if "@" not in raw:
        for pattern, symbol in EMAIL_SYMBOLS:
            raw = re.sub(pattern, symbol, raw)
    else:
        for pattern, symbol in EMAIL_SYMBOLS[1:]:
            raw = re.sub(pattern, symbol, raw)
    raw = raw.replace("-", " - ").replace("_", " _ ")
    tokens = _expand_repeats(re.findall(r"[a-z0-9]+|[@._+\-]", raw), EMAIL_DIGIT_WORDS)
    tokens = [NUMBER_WORDS.get(token, token) for token in tokens]
    if "@" not in tokens:
        tokens = _insert_missing_at(tokens)
    email = "".join(tokens).strip(".")
    email = re.sub(r"\.{2,}", ".", email)
    if email.count("@") != 1:
        raise NormalizationError(
            f"'{text.strip()}' does not contain one '@'; ask for the email address again."
        )
    local, domain = email.split("@")
    if not local:
        raise NormalizationError("The part before the @ is missing; ask for the full address.")
    if "." not in domain or not re.fullmatch(r"[a-z]{2,24}", domain.rsplit(".", 1)[1]):
        raise NormalizationError(
            f"'{domain}' is not a complete domain (like example.com); ask for the domain again."
        )
    try:
        validate_email(email)
    except ValidationError:
        raise NormalizationError(f"'{email}' is not a valid email address.") from None
    return email


def _insert_missing_at(tokens: list[str]) -> list[str]:
    """'john gmail.com' → john@gmail.com: the @ goes before the domain name."""
    for index, token in enumerate(tokens):
        if index == 0:
            continue
        if (
            token in WELL_KNOWN_MAIL_DOMAINS
            and index + 1 < len(tokens)
            and tokens[index + 1] == "."
        ):
            return [*tokens[:index], "@", *tokens[index:]]
    return tokens


@dataclass(frozen=True)
class Phone:
    e164: str
    extension: str = ""

    def __str__(self) -> str:
        return f"{self.e164};ext={self.extension}" if self.extension else self.e164


EXTENSION = re.compile(r"\b(?:extension|ext|x)\b\.?\s*(.+)$", re.IGNORECASE)


def _spoken_digits(text: str) -> str:
    lowered = text.lower().replace("-", " ")
    lowered = re.sub(r"\bplus\b", " + ", lowered)
    tokens = re.findall(r"[a-z]+|\d+|\+", lowered)
    digits = []
    for piece in _expand_repeats(tokens):
        if piece.isdigit() or piece == "+":
            digits.append(piece)
        elif piece in NUMBER_WORDS:
            digits.append(NUMBER_WORDS[piece])
    return "".join(digits)


def normalize_phone(text: str, *, region: str | None = None) -> Phone:
    """Words to digits, country from ``region`` unless the number says otherwise → E.164."""
    main, extension = text, ""
    match = EXTENSION.search(text)
    if match:
        main, extension = text[: match.start()], _spoken_digits(match.group(1))
    digits = _spoken_digits(main)
    if sum(ch.isdigit() for ch in digits) < 6:
        raise NormalizationError(
            f"'{text.strip()}' has too few digits for a phone number; ask for it again."
        )
    try:
        number = phonenumbers.parse(digits, (region or "US").upper())
    except phonenumbers.NumberParseException:
        raise NormalizationError(f"'{text.strip()}' is not a phone number.") from None
    if not phonenumbers.is_valid_number(number):
        where = phonenumbers.region_code_for_number(number) or (region or "US").upper()
        raise NormalizationError(
            f"'{text.strip()}' is not a valid phone number for {where}; ask for it again, "
            "with the country code if it is from abroad."
        )
    return Phone(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), extension)


NAME_PREFIX = re.compile(
    r"^(?:(?:my name is|my name's|name is|i am|i'm|this is|it's|it is|call me|yes|sure|it)"
    r"(?:\s+|$))+",
    re.IGNORECASE,
)


def _capitalise(word: str) -> str:
    if not word:
        return word
    parts = re.split(r"([-'])", word.lower())
    out = []
    for part in parts:
        if part in {"-", "'"}:
            out.append(part)
        elif part.startswith("mc") and len(part) > 2:
            out.append("Mc" + part[2:].capitalize())
        else:
            out.append(part.capitalize())
    joined = "".join(out)
    # O'Connor, D'Angelo: the letter after a one-letter prefix and an apostrophe.
    return re.sub(r"^(\w)'(\w)", lambda m: f"{m.group(1).upper()}'{m.group(2).upper()}", joined)


def normalize_name(text: str) -> str:
    raw = NAME_PREFIX.sub("", re.sub(r"[,;!?]", " ", text).strip().strip("."))
    if re.search(r"[\d@]", raw):
        raise NormalizationError(f"'{text.strip()}' does not look like a name; ask again.")
    words = []
    for chunk in raw.split():
        # Spelled out: "J-O-H-N" or "J.O.H.N" becomes one word.
        if re.fullmatch(r"(?:[A-Za-z][-.]){2,}[A-Za-z]\.?", chunk):
            chunk = re.sub(r"[-.]", "", chunk)
        words.append(chunk)
    # Spelled with spaces: "j o h n smith" → "john smith".
    merged: list[str] = []
    letters: list[str] = []
    for word in words:
        if len(word) == 1 and word.isalpha():
            letters.append(word)
            continue
        if len(letters) >= 2:
            merged.append("".join(letters))
        else:
            merged.extend(letters)
        letters = []
        merged.append(word)
    merged.extend(["".join(letters)] if len(letters) >= 2 else letters)
    name = " ".join(_capitalise(word) for word in merged if word)
    if not re.search(r"[A-Za-zÀ-ÿ]", name):
        raise NormalizationError("No name was given; ask for the caller's name.")
    if len(name) > 200:
        raise NormalizationError("That name is too long; ask for it again.")
    return name
