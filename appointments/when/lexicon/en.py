"""English: the canonical vocabulary itself, plus spoken clock forms ("half past three",
"three thirty", "fifteen hundred", "1500 hours", "nine fifteen a m") and number words."""

from __future__ import annotations

import re

from appointments.when.lexicon.base import MONTH, MONTHS, WEEKDAY, WEEKDAYS, Lexicon, minus_one

UNITS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"]
TEENS += ["eighteen", "nineteen"]
# Up to ninety: minutes from now ("in ninety minutes") run past the clock's fifty-nine.
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70}
TENS |= {"eighty": 80, "ninety": 90}
ORDINAL_UNITS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth"]
ORDINAL_UNITS += ["ninth"]
ORDINAL_TEENS = ["tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth"]
ORDINAL_TEENS += ["sixteenth", "seventeenth", "eighteenth", "nineteenth"]


ORDINAL = "(?:(?:twenty|thirty)[- ])?(?:" + "|".join(ORDINAL_UNITS) + ")|"
ORDINAL += "|".join([*ORDINAL_TEENS, "twentieth", "thirtieth"])
ORDINAL = f"(?:{ORDINAL})"


def _numbers() -> dict[str, int]:
    numbers = {word: i + 1 for i, word in enumerate(UNITS)}
    numbers |= {word: i + 10 for i, word in enumerate(TEENS)}
    numbers |= {word: i + 1 for i, word in enumerate(ORDINAL_UNITS)}
    numbers |= {word: i + 10 for i, word in enumerate(ORDINAL_TEENS)}
    numbers |= {"twentieth": 20, "thirtieth": 30}
    for tens, value in TENS.items():
        numbers[tens] = value
        for i, unit in enumerate(UNITS):
            for joiner in ("-", " "):
                numbers[f"{tens}{joiner}{unit}"] = value + i + 1
                if value <= 30:  # dates only go to the thirty-first
                    numbers[f"{tens}{joiner}{ORDINAL_UNITS[i]}"] = value + i + 1
    return numbers


def _whole_weekday(match: re.Match[str]) -> str:
    """'satur day', 'weds day' → the weekday its first three letters start."""
    return next(day for day in WEEKDAYS if day.startswith(match.group(1)[:3]))


def _minutes_to(match: re.Match[str]) -> str:
    """'ten to 4' → 3:50."""
    return f"{minus_one(match.group(2))}:{60 - int(match.group(1)):02d}"


def _week_from(match: re.Match[str]) -> str:
    return f"1 week from {match.group(1) or match.group(2)}"


def _two_numbers(match: re.Match[str]) -> str:
    """'3 30' (three thirty) → 3:30, but not '15 30' after a month ('june 15 30')."""
    before = match.string[: match.start()].split()
    if before and before[-1] in MONTHS:
        return match.group(0)
    return f"{match.group(1)}:{match.group(2)}"


LEXICON = Lexicon(
    code="en",
    corrections=r"\b(?:no,? sorry|no,? wait|sorry|actually|i mean|or rather|scratch that|"
    r"make that|wait)\b|\bno\s*,"
    # A bare "no" before a new day or time ("december 3rd no the 4th"), not "no later".
    r"|\bno\b(?= (?:the|on|at|make|it's|\d|\w+day\b|tomorrow|today|tonight|next|this))",
    pre=[
        (r"\bi am\b", "i'm"),  # not the meridiem
        (r"\bnot (?:before|earlier than)\b", "after"),  # a bound said with a negation
        (r"\bnot (?:after|later than)\b", "before"),
        (r"\b([ap])\.? ?m\b\.?", r"\1m"),
        (r"\b(?:by |at )?(\S+(?: [ap]m)?) at the latest\b", r"before \1"),
        (r"\b(?:from |at )?(\S+(?: [ap]m)?) at the earliest\b", r"after \1"),
        # Weekday names speech-to-text splits in two ("satur day").
        (r"\b(mon|tues?|wed(?:nes|s)?|thu(?:rs)?|fri|satur|sun) day\b", _whole_weekday),
        # "forth" for "fourth" where a date is said: "the forth", "forth of december".
        (rf"\bthe forth\b|\bforth(?= (?:of )?{MONTH}\b)", "the fourth"),
        (rf"\b{MONTH} (?:the )?forth\b", r"\1 the fourth"),
        # A weekday with an ordinal is a date ("thursday the 3rd", "friday fourth"); a
        # bare number after a weekday stays a time ("monday 3" is 3 pm).
        (rf"\b{WEEKDAY},? (?:the )?(\d{{1,2}}(?:st|nd|rd|th)|{ORDINAL})\b", r"\1 the \2"),
        (r"(\d)(?:st|nd|rd|th)\b", r"\1"),
        (r"\bthis coming\b", "coming"),
        (r"\bthis (morning|afternoon|evening)\b", r"today \1"),
        (r"\bfirst thing\b", "firstthing"),
        (r"\bmid-?(morning|afternoon)\b", r"mid \1"),
        (r"\blunch ?time\b|\b(?:around|about|at|over|during) lunch\b", "lunchtime"),
        (r"\ba fortnight\b", "2 weeks"),
        # "an hour and a half from now", "three hours and a half from now": from now.
        (r"\b(?:an|one) hour and a half from now\b", "in 90 minutes"),
        (r"\b(\S+) (?:and a half hours?|hours? and a half) from now\b", r"in \1 and a half hours"),
        # "two hours from now" is "in two hours" (not a count of days, which is anchored).
        (r"\b(\S+) (minutes?|hours?) from now\b", r"in \1 \2"),
        (r"\bin (?:half an|a half) hour\b", "in 30 minutes"),
        (r"\bin (?:a|one) quarter (?:of an )?hour\b", "in 15 minutes"),
        (r"\bin (?:an|one) hour and a half\b|\bin an hour and thirty minutes\b", "in 90 minutes"),
        (r"\bin (\S+) hours? and a half\b", r"in \1 and a half hours"),
        (r"\bin an? (minute|hour|day|week|month)\b", r"in 1 \1"),
        (r"\ba (day|week|month|year) ago\b", r"1 \1 ago"),
        (r"\ban? (day|week|month|year) (from|after)\b", r"1 \1 \2"),  # "a week from monday"
        # British "Friday week", "a week on Friday": a week from the coming Friday.
        (rf"\b(?:an? week on |1 week on ){WEEKDAY}\b|\b{WEEKDAY} week\b", _week_from),
    ],
    words={
        "jan": "january",
        "feb": "february",
        "mar": "march",
        "apr": "april",
        "jun": "june",
        "jul": "july",
        "aug": "august",
        "sep": "september",
        "sept": "september",
        "oct": "october",
        "nov": "november",
        "dec": "december",
        "tues": "tuesday",
        "weds": "wednesday",
        "thurs": "thursday",
    },
    numbers=_numbers(),
    rules=[
        (r"\b(\d{1,2}) oh (\d)\b", r"\1:0\2"),
        # "in 2 and a half hours", "in 1 hour and 20 minutes": minutes from now.
        (r"\bin (\d{1,2}) and a half hours\b", lambda m: f"in {int(m.group(1)) * 60 + 30} minutes"),
        (
            r"\bin (\d{1,2}) hours? and (\d{1,2}) minutes?\b",
            lambda m: f"in {int(m.group(1)) * 60 + int(m.group(2))} minutes",
        ),
        (r"\bhalf past (\d{1,2})\b", r"\1:30"),
        (r"(?<!and a )\bhalf (\d{1,2})\b(?! hours?\b)", r"\1:30"),  # British "half three"
        (r"\bquarter past (\d{1,2})\b", r"\1:15"),
        (r"\b(?:a )?quarter (?:to|of) (\d{1,2})\b", lambda m: f"{minus_one(m.group(1))}:45"),
        (r"\b(5|10|20|25) (?:minutes )?past (\d{1,2})\b", r"\2:\1"),
        (r"(?<!from )\b(5|10|20|25) (?:minutes )?to (\d{1,2})\b", _minutes_to),
        (r"\b(\d{1,2}) hundred(?: hours)?\b", r"\1:00"),
        (r"\b(\d{1,2})(\d{2}) hours\b", r"\1:\2"),
        (r"\b(\d{1,2}) o'?clock\b", r"\1:00"),
        # Years in words: "twenty twenty-seven", "two thousand and twenty-seven".
        (r"\b2 thousand (?:and )?(\d{1,2})\b", lambda m: f"20{int(m.group(1)):02d}"),
        (rf"\b({MONTH} \d{{1,2}}|\d{{1,2}} (?:of )?{MONTH}),? 20 ([2-9]\d)\b", r"\1 20\4"),
        (r"\b(\d{1,2}) ([1-5]\d)\b(?! ?(?:day|week|month|year|minute|hour)s?\b)", _two_numbers),
    ],
    # What speech-to-text writes for a number said as a time ("at too thirty").
    homophones={"too": "two", "tree": "three", "fore": "four", "ate": "eight", "won": "one"},
    weak_homophones={"for": "four", "to": "two"},
    clock_lead=r"at|around|about|by",
    day_first=False,
    negations=r"\b(?:not|can't|cannot|don't|doesn't|won't|isn't)\b"
    r"(?! (?:before|after|until|till|later|earlier|sooner|any later|any earlier)\b)",
)
