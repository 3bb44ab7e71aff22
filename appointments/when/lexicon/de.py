"""German: "morgen um 15 Uhr", "übermorgen", "nächsten Montag", "am Dienstagvormittag",
"um halb vier" (3:30), "Viertel nach zehn", "Viertel vor fünf", "am 3. Dezember",
"vor zwei Tagen", "mittags", "heute Nachmittag"."""

from __future__ import annotations

import re

from appointments.when.lexicon.base import (
    MONTH,
    MONTHS,
    WEEKDAY,
    WEEKDAY_DATE,
    Lexicon,
    hours_and,
    minus_one,
)

UNITS = ["eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"]
TEENS = ["zehn", "elf", "zwölf", "dreizehn", "vierzehn", "fünfzehn", "sechzehn", "siebzehn"]
TEENS += ["achtzehn", "neunzehn"]
TENS = {"zwanzig": 20, "dreißig": 30, "vierzig": 40, "fünfzig": 50}
# Past fifty-nine for minutes from now ("in neunzig Minuten").
TENS |= {"sechzig": 60, "siebzig": 70, "achtzig": 80, "neunzig": 90}
# Ordinal stems that differ from the cardinal ("am dritten Dezember").
ORDINAL_STEMS = {"eins": "ers", "drei": "drit", "sieben": "sieb", "acht": "ach"}
GERMAN_WEEKDAYS = "montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag"


def _numbers() -> dict[str, int]:
    cardinals = {word: i + 1 for i, word in enumerate(UNITS)}
    cardinals |= {word: i + 10 for i, word in enumerate(TEENS)}
    for tens, value in TENS.items():
        cardinals[tens] = value
        for i, unit in enumerate(UNITS):
            cardinals[f"{'ein' if unit == 'eins' else unit}und{tens}"] = value + i + 1
    numbers = dict(cardinals)
    for word, value in cardinals.items():
        stem = ORDINAL_STEMS.get(word, word)
        suffix = "sten" if value >= 20 else "ten"
        if value <= 31:  # "am vierten", "der vierte", "Freitag, vierter Dezember"
            for ending in ("n", "", "r"):
                numbers[f"{stem}{suffix[:-1]}{ending}"] = value
    return numbers | {"ein": 1, "eine": 1, "einen": 1, "einer": 1, "einem": 1, "zwo": 2}


def _numeric_date(match: re.Match[str]) -> str:
    """'3.12.2026' → '3 december 2026'."""
    day, month, year = match.groups()
    if not 1 <= int(month) <= 12:
        return match.group(0)
    return f"{day} {MONTHS[int(month) - 1]} {year or ''}"


def _minus(match: re.Match[str]) -> str:
    """'10 vor 4' → 3:50."""
    return f"{minus_one(match.group(2))}:{60 - int(match.group(1)):02d}"


LEXICON = Lexicon(
    code="de",
    corrections=r"\b(?:nein,? (?:sorry|warte|moment)|sorry|entschuldigung|lieber|besser|"
    r"ich meine|eigentlich|doch|nein)\b",
    pre=[
        # Words speech-to-text splits: "nach mittags" is "nachmittags".
        (r"\bnach mittags?\b", "nachmittag"),
        (r"\bvor mittags?\b", "vormittag"),
        (r"\büber morgen\b", "übermorgen"),
        (r"\bvor gestern\b", "vorgestern"),
        (r"\bmitter nacht\b", "mitternacht"),
        (r"\bwochen ende\b", "wochenende"),
        (r"\bin einer halben stunde\b", "in 30 minutes"),
        (r"\bin einer viertel ?stunde\b", "in 15 minutes"),
        (r"\bin einer dreiviertel ?stunde\b", "in 45 minutes"),
        (r"\bin (?:anderthalb|eineinhalb) stunden\b", "in 90 minutes"),
        (r"\bin zweieinhalb stunden\b", "in 150 minutes"),
        (r"\bstunden? und (?:einer|eine) halben?\b", "stunden einhalb"),
        # "in dreieinhalb Stunden", split or not by speech-to-text.
        (
            r"\bin (drei|vier|fünf|sechs|sieben|acht|neun|zehn) ?(?:und ?)?einhalb stunden\b",
            r"in \1 stunden einhalb",
        ),
        # "um acht zehn Uhr": a teen speech-to-text split in two (8:10 is "acht Uhr zehn").
        (
            r"\b(drei|vier|fünf|sech|sechs|sieb|sieben|acht|neun) zehn uhr\b",
            lambda m: f"{m.group(1).removesuffix('s').removesuffix('en')}zehn uhr",
        ),
        # "vorigen Dienstag": said of the past.
        (rf"\bvorige[nrs]? ({GERMAN_WEEKDAYS})\b", r"letzten \1"),
        # "in genau vier Stunden", "in etwa zehn Minuten": minutes or hours from now.
        (r"\bin (?:genau|etwa|ungefähr|circa|ca\.?|rund|so) (?=\S+ (?:stunden?|minuten)\b)", "in "),
        (r"\bzweitausend(?:und)? ?", "2000 "),  # a year in words: "zweitausendsiebenundzwanzig"
        (rf"\b({GERMAN_WEEKDAYS})(morgen|vormittag|mittag|nachmittag|abend)s?\b", r"\1 \2"),
        (r"\bnicht vor\b|\bfrühestens(?: um)?\b", "nach"),  # bounds
        (r"\bnicht (?:nach|später als)\b|\bspätestens(?: um)?\b", "vor"),
        (r"\bübermorgen\b", "day after tomorrow"),
        (r"\bvorgestern\b", "day before yesterday"),
        (r"\bheute (?:morgen|früh|vormittag)\b", "today morning"),
        (r"\bheute nachmittag\b", "today afternoon"),
        (r"\bheute abend\b", "tonight"),
        (r"\bmorgen (?:früh|vormittag)\b", "tomorrow morning"),
        (rf"\b({GERMAN_WEEKDAYS}) morgen\b", r"\1 morning"),
        (r"\b(?:am )?späten vormittag\b", "late morning"),
        (r"\b(?:am )?späten nachmittag\b|\bspätnachmittags?\b", "late afternoon"),
        (r"\b(?:am )?frühen nachmittag\b", "early afternoon"),
        (r"\bnach dem mittagessen\b", "after lunch"),
        (r"\b(?:gleich (?:morgens|früh|als erstes)|als erstes)\b", "firstthing"),
        (r"\bvormittags?\b|\bmorgens\b|\bfrüh\b", "morning"),
        (r"\bnachmittags?\b", "afternoon"),
        (r"\babends?\b", "evening"),
        (r"\bnachts\b", "at night"),
        # "gegen Mittag" is about noon; a bare "Mittag" ("Donnerstag mittag", "morgen
        # mittags") is the lunch hours, a range, unless a clock says the hour.
        (r"\bgegen mittags?\b", "around noon"),
        (r"\b(?:zu |über )?mittags?\b|\b(?:zur |in der )?mittags(?:zeit|pause)\b", "lunchtime"),
        (r"\bmitternacht\b", "midnight"),
        (r"\bheute\b", "today"),
        (r"\bmorgen\b", "tomorrow"),
        (r"\bgestern\b", "yesterday"),
        (r"\banfang (?:der )?nächste[nr]? woche\b", "early next week"),
        (r"\bende (?:der )?nächste[nr]? woche\b", "end of next week"),
        (r"\b(?:im laufe der|irgendwann) nächste[nr]? woche\b", "sometime next week"),
        (r"\b(?:nächste[nr]?|kommende[nr]?) woche\b", "next week"),
        (r"\b(?:ende (?:des|dieses) monats|monatsende)\b", "end of the month"),
        (r"\b(?:nächste[nr]?|kommende[nr]?) monat\b", "next month"),
        (r"\b(?:dieses|am) wochenende\b", "this weekend"),
        (r"\bdiese woche\b", "this week"),
        (r"\b(?:letzte[nr]?|vergangene[nr]?|vorige[nr]?) woche\b", "last week"),
        (r"\bam\b", "on"),  # before English reads it as the meridiem
        (r"\bum\b", "at"),
        (r"\bgegen\b", "around"),
    ],
    words={
        "montag": "monday",
        "dienstag": "tuesday",
        "mittwoch": "wednesday",
        "donnerstag": "thursday",
        "freitag": "friday",
        "samstag": "saturday",
        "sonnabend": "saturday",
        "sonntag": "sunday",
        "januar": "january",
        "jänner": "january",
        "februar": "february",
        "märz": "march",
        "april": "april",
        "mai": "may",
        "juni": "june",
        "juli": "july",
        "august": "august",
        "september": "september",
        "oktober": "october",
        "november": "november",
        "dezember": "december",
        "tag": "days",
        "tage": "days",
        "tagen": "days",
        "woche": "weeks",
        "wochen": "weeks",
        "monat": "months",
        "monate": "months",
        "monaten": "months",
        "stunde": "hours",
        "stunden": "hours",
        "minuten": "minutes",
    },
    numbers=_numbers(),
    rules=[
        (rf"\b(?:nächste[nrs]?|kommende[nrs]?) {WEEKDAY}\b", r"next \1"),
        (rf"\b(?:letzte[nrs]?|vergangene[nrs]?) {WEEKDAY}\b", r"last \1"),
        (r"\bvor (\d+) (days|weeks|months)\b", r"\1 \2 ago"),
        (r"\bin (\d+) hours (?:und )?(einhalb|\d+(?= minutes))(?: minutes)?\b", hours_and),
        (r"\bviertel nach (\d{1,2})\b", r"\1:15"),
        (r"\bviertel vor (\d{1,2})\b", lambda m: f"{minus_one(m.group(1))}:45"),
        (r"\b(?:dreiviertel|3 ?viertel) (\d{1,2})\b", lambda m: f"{minus_one(m.group(1))}:45"),
        (r"\bviertel (\d{1,2})\b", lambda m: f"{minus_one(m.group(1))}:15"),
        (r"\bhalb (\d{1,2})\b", lambda m: f"{minus_one(m.group(1))}:30"),
        (r"\b(\d{1,2}) (?:minuten )?nach (\d{1,2})\b", r"\2:\1"),
        (r"\b(\d{1,2}) (?:minuten )?vor (\d{1,2})\b", _minus),
        (
            r"\b(\d{1,2})(?::(\d{2}))? uhr(?: (\d{1,2})\b)?",
            lambda m: f"{m.group(1)}:{int(m.group(2) or m.group(3) or 0):02d}",
        ),
        (r"\b2000 (\d{1,2})\b", lambda m: f"20{int(m.group(1)):02d}"),
        (r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})?", _numeric_date),
        (rf"\b(\d{{1,2}})\. ?{MONTH}\b", r"\1 \2"),
        (r"\bon (?:the )?(\d{1,2})\b\.?", r"the \1"),
        (r"\b(\d{1,2}(?::\d{2})?) oder so\b", r"\1 or so"),
        # "von 9 bis 12", "Montag 9 bis 12": a range of hours.
        (r"\b(?:von )?(\d{1,2}(?::\d{2})?) bis (\d{1,2}(?::\d{2})?)\b", r"from \1 until \2"),
        (r"\bvor (\d)", r"before \1"),
        (r"\bnach (\d)", r"after \1"),
        (r"\bbis (\d)", r"until \1"),
        (r"\bab (\d)", r"from \1"),
        (r"\bzwischen (\S+) und (\S+)", r"between \1 and \2"),
        WEEKDAY_DATE,  # "Dienstag den achten": Tuesday the 8th
    ],
    # Lunch is at noon, so "der frühe Nachmittag" starts after it, at 13:00.
    spans={"early afternoon": (13 * 60, 15 * 60)},
    negations=r"\b(?:nicht|kein|keine|keinen)\b(?! (?:vor|nach|später|früher)\b)",
    # What speech-to-text writes for a number said as a time ("um vir Uhr").
    # "um sex zehn Uhr": "sechzehn" split in two as well.
    homophones={
        "vir": "vier",
        "fir": "vier",
        "fia": "vier",
        "sex": "sechs",
        "sex zehn": "sechzehn",
    },
    clock_lead=r"um|gegen|ab",
    clock_tail=r"uhr",
)
