"""Intents and the spans of an utterance that may hold a detail, by rule.

Only what words *mean to do* (book, ask, agree, leave) and *where* a detail may be;
whether a span really is an email, phone or name is the normalisers' call
(``recognise.py``).
"""

from __future__ import annotations

import re

GOODBYE = re.compile(
    r"\b(bye|goodbye|that's all|that is all|hang up|nothing else|no thanks?,? that's it)\b", re.I
)
# Wanting to book wins over a question mark: "Can I book a consultation on Monday?".
BOOKING = re.compile(
    r"\b(book|booking|schedule|reserve|appointment|make an? (?:appointment|reservation))\b", re.I
)
QUESTION = re.compile(
    r"\?\s*$|^\s*(what|when|where|which|who|why|how|do you|does|is there|are there|are you|"
    r"can you tell|could you tell)\b",
    re.I,
)
YES = re.compile(
    r"^\s*(yes|yeah|yep|sure|ok|okay|please|go ahead|book it|sounds good|perfect|great|"
    r"that works|correct|right)\b",
    re.I,
)
NO = re.compile(r"^\s*(no|nope|not really|no thanks|neither|none)\b", re.I)
# A day named in the utterance (else a time alone keeps the day being discussed).
DAY = re.compile(
    r"\b(today|tonight|tomorrow|yesterday|monday|tuesday|wednesday|thursday|friday|saturday|"
    r"sunday|week|month|january|february|march|april|may|june|july|august|september|october|"
    r"november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b|\d{4}-\d{2}-\d{2}|"
    r"\bthe \d{1,2}(st|nd|rd|th)?\b(?!\s*(o'?clock|[ap]\.?m\b|[:.]\d))|\bin \w+ days?\b",
    re.I,
)
ORDINAL = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "last": -1}
PICK = re.compile(r"\b(?:the )?(first|1st|second|2nd|third|3rd|last)(?: one| slot| time)?\b", re.I)

EMAIL_CUE = re.compile(r"\b(e-?mail|@)|\bat\b.*\b(dot|period|point)\b", re.I)
PHONE_CUE = re.compile(r"\b(phone|number|mobile|cell|call me on|reach me on|reach me at)\b", re.I)
NAME_CUE = re.compile(
    r"\b(?:my name is|my name's|name is|i am|i'm|this is|call me)\s+"
    r"([A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'.-]*(?:\s+[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'.-]*){0,3})",
    re.I,
)
WRITTEN_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# The domain of a spoken address: "at example dot com", "at gmail dot co dot uk".
SPOKEN_DOMAIN = re.compile(r"\bat\s+[a-z0-9-]+(?:\s+(?:dot|period|point)\s+[a-z0-9-]+)+", re.I)
# Words that come before an address and are not part of it.
NOT_ADDRESS = set(
    "is email e-mail address my it's its it and that's sure yes ok okay hi hello me the "
    "to send mail".split()
)
NOT_NAMES = set(
    "yes no hello hi hey ok okay thanks thank sure fine good great please sorry what why "
    "how who help nothing looking on at back a an the calling interested just here not "
    "going trying".split()
)
DATES_AND_TIMES = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s*[ap]\.?m\b")


# "the 3 o'clock", "the 2:45": a time, not the 3rd of the month.
THE_TIME = re.compile(r"\bthe (?=\d{1,2}(?::\d{2})?\s*(?:o'?clock|[ap]\.?m\b|:\d))", re.I)


def time_words(text: str) -> str:
    """The utterance for the date parser: "the 3 o'clock" → "3 o'clock"."""
    return THE_TIME.sub("", text)


def is_goodbye(text: str) -> bool:
    return GOODBYE.search(text) is not None


def wants_booking(text: str) -> bool:
    return BOOKING.search(text) is not None


def is_question(text: str) -> bool:
    return QUESTION.search(text) is not None


def is_yes(text: str) -> bool:
    return YES.search(text) is not None and NO.search(text) is None


def is_no(text: str) -> bool:
    return NO.search(text) is not None


def names_a_day(text: str) -> bool:
    return DAY.search(text) is not None


def picked(text: str) -> int | None:
    """'the first one' → 0, 'the last' → -1."""
    match = PICK.search(text)
    return ORDINAL[match.group(1).lower()] if match else None


def email_span(text: str) -> str | None:
    """The words that may be an email address: written, or spoken up to its domain."""
    written = WRITTEN_EMAIL.search(text)
    if written:
        return written.group(0)
    domain = SPOKEN_DOMAIN.search(text)
    if domain is None:
        return None
    # Back from "at" over the words of the local part ("a d a", "ada dot lovelace").
    words = text[: domain.start()].replace(",", " ").split()
    local: list[str] = []
    for word in reversed(words):
        if word.lower().strip(".:") in NOT_ADDRESS:
            break
        local.insert(0, word)
    if not local:
        return None
    return " ".join(local) + " " + domain.group(0)


def phone_span(text: str, *, asked: bool) -> str | None:
    """The words that may be a phone number: after a cue, or the whole answer when the
    phone was asked for; dates and times are not phone numbers."""
    if not asked and PHONE_CUE.search(text) is None:
        # Unasked and uncued: only a number written with enough digits.
        digits = sum(ch.isdigit() for ch in DATES_AND_TIMES.sub(" ", text))
        if digits < 7:
            return None
    cue = PHONE_CUE.search(text)
    span = text[cue.end() :] if cue else text
    span = re.sub(r"^\s*(is|it's|it is|:)\s+", "", span, flags=re.I)
    span = DATES_AND_TIMES.sub(" ", span).strip(" .,!")
    return span or None


def name_span(text: str, *, asked: bool) -> str | None:
    """The words that may be a name: after "my name is"-like words, or a short answer
    alone when the name was asked for."""
    cued = NAME_CUE.search(text)
    if cued:
        words = re.split(r"\s+(?:and|but|so)\b|[,.;!?]", cued.group(1), flags=re.I)[0].split()
        if words and words[0].lower() not in NOT_NAMES:
            return " ".join(words)
        return None
    if not asked:
        return None
    words = re.findall(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'.-]*", text)
    if 1 <= len(words) <= 4 and words[0].lower() not in NOT_NAMES and not re.search(r"\d", text):
        return " ".join(words)
    return None
