"""French: "demain à 15h", "quinze heures trente", "après-demain", "lundi prochain",
"mardi matin", "le 3 décembre", "à midi", "il y a deux jours", "en fin de matinée"."""

from __future__ import annotations

import re

from appointments.when.lexicon.base import WEEKDAY, WEEKDAY_DATE, Lexicon, hours_and, minus_one

UNITS = ["un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"]
TEENS = ["dix", "onze", "douze", "treize", "quatorze", "quinze", "seize", "dix-sept"]
TEENS += ["dix-huit", "dix-neuf"]


def _numbers() -> dict[str, int]:
    numbers = {word: i + 1 for i, word in enumerate(UNITS)}
    numbers |= {word: i + 10 for i, word in enumerate(TEENS)}
    numbers |= {"une": 1, "premier": 1, "dix sept": 17, "dix huit": 18, "dix neuf": 19}
    for tens, value in {"vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50}.items():
        numbers[tens] = value
        numbers[f"{tens} et un"] = numbers[f"{tens} et une"] = value + 1
        for i, unit in enumerate(UNITS[1:], start=2):
            numbers[f"{tens}-{unit}"] = numbers[f"{tens} {unit}"] = value + i
    # Past fifty-nine for minutes from now ("dans quatre-vingt-dix minutes").
    for tens, value in {"soixante": 60, "quatre-vingt": 80, "quatre vingt": 80}.items():
        numbers[tens] = numbers[f"{tens}s"] = value
        for i, word in enumerate([*UNITS, *TEENS], start=1):
            joined = "et" if word in {"un", "onze"} and tens == "soixante" else ""
            numbers[f"{tens} {joined} {word}".replace("  ", " ")] = value + i
            numbers[f"{tens}-{joined}-{word}".replace("--", "-")] = value + i
    return numbers


def _minus(match: re.Match[str]) -> str:
    """'5 h moins 10' → 4:50."""
    return f"{minus_one(match.group(1))}:{60 - int(match.group(2)):02d}"


def _hour_minute(match: re.Match[str]) -> str:
    """'15 h 5' → 15:05."""
    return f"{match.group(1)}:{int(match.group(2)):02d}"


def _past_twelve(match: re.Match[str]) -> str:
    """'midi et demi' → 12:30 pm, 'minuit et quart' → 0:15 (midi/minuit say am or pm)."""
    minutes = 15 if match.group(2) == "quart" else 30
    return f"at 12:{minutes} pm" if match.group(1) == "midi" else f"at 0:{minutes}"


HOURS = r"(?:h|heures?)"

LEXICON = Lexicon(
    code="fr",
    corrections=r"\b(?:non,? (?:pardon|attendez|attends)|pardon|plutôt|je veux dire|"
    r"en fait|enfin)\b|\bnon\s*,|\bnon\b(?! plus\b)",
    pre=[
        # "D'aujourd'hui en huit", "dans huit jours": a week today; "quinze jours": two
        # weeks (the days are counted inclusively).
        (r"\bd'? ?aujourd'? ?hui en huit\b|\b(?:dans|d'ici) huit jours\b", "in 1 weeks"),
        (r"\bd'? ?aujourd'? ?hui en quinze\b|\b(?:dans|d'ici) quinze jours\b", "in 2 weeks"),
        (r"\bdemain en huit\b", "in 8 days"),
        (r"\bdans (?:une )?demi-? ?heure\b", "in 30 minutes"),
        (r"\bdans un quart d'? ?heure\b", "in 15 minutes"),
        (r"\bdans trois quarts? d'? ?heure\b", "in 45 minutes"),
        (r"\bdans une heure et demie\b", "in 90 minutes"),
        (r"\b(?:ne )?pas avant\b|\bau plus tôt(?: à)?\b", "après"),  # bounds
        (r"\b(?:ne )?pas (?:après|plus tard que)\b|\bau plus tard(?: à)?\b", "avant"),
        (r"\baprès-? ?demain\b", "day after tomorrow"),
        (r"\bavant-? ?hier\b", "day before yesterday"),
        (r"\bce matin\b", "today morning"),
        (r"\bcet après-? ?midi\b", "today afternoon"),
        (r"\bce soir\b", "tonight"),
        (r"\bdu matin\b", "am"),
        (r"\b(?:de l'après-? ?midi|du soir)\b", "pm"),
        (r"\b(?:en )?fin de matinée\b", "late morning"),
        (r"\b(?:en )?début d'après-? ?midi\b", "early afternoon"),
        (r"\b(?:en )?fin d'après-? ?midi\b", "late afternoon"),
        (r"\b(?:en )?début de matinée\b|\btôt le matin\b", "early morning"),
        (r"\b(?:à la )?première heure\b", "firstthing"),
        (r"\b(?:en )?milieu de (?:la )?matinée\b", "mid morning"),
        (r"\b(?:en )?milieu d'après-? ?midi\b", "mid afternoon"),
        (r"\baprès (?:le déjeuner|manger)\b", "after lunch"),
        (r"\b(?:à |vers )?l'heure du (?:déjeuner|midi)\b", "lunchtime"),
        (r"\bpendant (?:le déjeuner|la pause(?: de midi)?)\b", "lunchtime"),
        (r"\baprès-? ?midi\b|\baprem\b", "afternoon"),
        (r"\bmatin(?:ée)?\b", "morning"),
        (r"\bsoir(?:ée)?\b", "evening"),
        # "midi et demi", "minuit et quart", "midi moins le quart": clock times on 12 and 0.
        (r"\b(?:à )?(midi|minuit) et (demie?|quart)\b", _past_twelve),
        (r"\b(?:à )?midi moins le quart\b", "at 11:45 am"),
        (r"\b(?:à )?midi\b", "noon"),
        (r"\b(?:à )?minuit\b", "midnight"),
        (r"\baujourd'? ?hui\b", "today"),
        (r"\bdemain\b", "tomorrow"),
        (r"\bhier\b", "yesterday"),
        (r"\b(?:en |au )?début de (?:la )?semaine prochaine\b", "early next week"),
        (r"\b(?:en |au )?milieu de (?:la )?semaine prochaine\b", "middle of next week"),
        (r"\b(?:en |à la )?fin de (?:la )?semaine prochaine\b", "end of next week"),
        (r"\b(?:en |à la )?fin de (?:la |cette )?semaine\b", "end of this week"),
        (r"\b(?:en |au )?début (?:du|de) mois prochain\b", "early next month"),
        (r"\b(?:en |à la )?fin (?:du|de ce|de) mois\b", "end of the month"),
        (r"\b(?:dans )?la semaine prochaine\b", "next week"),
        (r"\ble mois prochain\b", "next month"),
        (r"\bce week-? ?end\b", "this weekend"),
        (r"\bcette semaine\b", "this week"),
        (r"\bla semaine dernière\b", "last week"),
    ],
    words={
        "lundi": "monday",
        "mardi": "tuesday",
        "mercredi": "wednesday",
        "jeudi": "thursday",
        "vendredi": "friday",
        "samedi": "saturday",
        "dimanche": "sunday",
        "janvier": "january",
        "février": "february",
        "mars": "march",
        "avril": "april",
        "mai": "may",
        "juin": "june",
        "juillet": "july",
        "août": "august",
        "septembre": "september",
        "octobre": "october",
        "novembre": "november",
        "décembre": "december",
        "jour": "days",
        "jours": "days",
        "semaine": "weeks",
        "semaines": "weeks",
        "mois": "months",
    },
    numbers=_numbers(),
    rules=[
        (r"\b(\d{1,2}) ?(?:er|re|e|eme)\b", r"\1"),  # "le 1er", "le 2e": ordinals as written
        (rf"\b{WEEKDAY} prochain\b", r"next \1"),
        (rf"\b{WEEKDAY} dernier\b", r"last \1"),
        (rf"\b{WEEKDAY} en 8\b", r"\1 next week"),  # "huit" is a digit by now
        (r"\b2 mille (\d{1,2})\b", lambda m: f"20{int(m.group(1)):02d}"),  # a year in words
        (r"\bil y a (\d+) (days|weeks|months)\b", r"\1 \2 ago"),
        (r"\bdans (\d+) (days|weeks|months)\b", r"in \1 \2"),
        (rf"\b(?:dans|d'? ?ici) (\d+) {HOURS} et (demie?|quart|\d+)(?: minutes)?\b", hours_and),
        (rf"\bdans (\d+) {HOURS}\b", r"in \1 hours"),
        (r"\bdans (\d+) minutes\b", r"in \1 minutes"),
        (rf"\b(\d{{1,2}}) ?{HOURS} et demie?\b", r"\1:30"),
        (rf"\b(\d{{1,2}}) ?{HOURS} et quart\b", r"\1:15"),
        (rf"\b(\d{{1,2}}) ?{HOURS} moins (?:le )?quart\b", lambda m: f"{minus_one(m.group(1))}:45"),
        (rf"\b(\d{{1,2}}) ?{HOURS} moins (\d{{1,2}})\b", _minus),
        (
            rf"\b(\d{{1,2}}) ?{HOURS} ?(\d{{1,2}})\b",
            _hour_minute,
        ),
        (rf"\b(\d{{1,2}}) ?{HOURS}\b", r"\1:00"),
        # "de 9 h à 12 h", "de 9 à 12": a range of hours.
        (r"\bde (\d{1,2}(?::\d{2})?) à (\d{1,2}(?::\d{2})?)\b", r"from \1 until \2"),
        (r"\bentre (\S+) et (\S+)", r"between \1 and \2"),
        (r"\bvers\b", "around"),
        (r"\bavant\b", "before"),
        (r"\baprès\b", "after"),
        (r"\bjusqu'? ?à\b", "until"),
        (r"\bà (\d)", r"at \1"),
        (r"\ble (\d{1,2})\b", r"the \1"),
        WEEKDAY_DATE,  # "mardi 8": Tuesday the 8th
    ],
    # Parts of the day as a receptionist in France reads them: lunch runs 12:00–14:00,
    # so "l'après-midi" and "après le déjeuner" start at 14:00; "le soir" is 18:00–22:00.
    # "En début d'après-midi" is the end of that lunch: from 13:30 (when shops reopen)
    # to about 15:00.
    spans={
        "after lunch": (14 * 60, 17 * 60),
        "early afternoon": (13 * 60 + 30, 15 * 60 + 30),
        "mid afternoon": (15 * 60, 17 * 60),
        "afternoon": (14 * 60, 18 * 60),
        "late afternoon": (16 * 60, 19 * 60),
        "evening": (18 * 60, 22 * 60),
        "tonight": (18 * 60, 22 * 60),
    },
    # Words speech-to-text writes for a number said as a time ("à vin heures").
    homophones={"vin": "vingt", "vins": "vingt", "vain": "vingt", "vint": "vingt", "dis": "dix"},
    clock_lead=r"à|a|vers",
    clock_tail=r"heures?|h|et demie?|et quart|moins",
    negations=r"\bpas\b(?! (?:avant|après|plus tard|plus tôt)\b)",
)
