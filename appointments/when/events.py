"""Days a caller names by an event rather than a date — holidays ("the day after
Thanksgiving", "después de Navidad", "vor Ostern") and days counted from something the
parser cannot date ("the day after my surgery", "le lendemain de l'opération").

They are not read (which holidays a business keeps, and when some fall, vary by
country and year); what is read around them must not be booked without checking, so
each is noted as a doubt, and a text with nothing else is refused as having no date.
"""

from __future__ import annotations

import re

# Folded (lower case, no accents): the parser folds the text before matching.
_HOLIDAYS = (
    # English
    r"thanksgiving|christmas(?: eve| day)?|xmas|easter|new year'?s?(?: eve| day)?|halloween"
    r"|valentine'?s?(?: day)?|memorial day|labou?r day|independence day|boxing day"
    r"|mother'?s day|father'?s day|hanukk?ah|passover|ramadan|eid|good friday|black friday"
    r"|(?:bank |public )?holidays?"
    # Spanish
    r"|navidad|nochebuena|nochevieja|ano nuevo|(?:dia de )?reyes|semana santa|pascua"
    r"|(?:dia )?festivo|puente|vacaciones"
    # French
    r"|noel|paques|toussaint|nouvel an|jour de l'an|pentecote|ascension|(?:jour )?ferie"
    r"|vacances"
    # German
    r"|weihnacht\w*|heilig ?abend|silvester\w*|neujahr\w*|oster\w*|pfingst\w*|feiertag\w*"
    r"|bruckentag|urlaub"
)
HOLIDAY = re.compile(rf"(?<![\w'-])(?:{_HOLIDAYS})(?![\w'-])")

# "the day after X" where X is no day the grammar reads (it reads "the day after
# tomorrow", "pasado mañana", "übermorgen" itself).
DAY_FROM_EVENT = re.compile(
    r"\b(?:the )?day (?:after|before) (?!tomorrow\b|yesterday\b)\w+"
    r"|\bel dia (?:despues|antes) de(?:l)? (?!manana\b|ayer\b|hoy\b)\w+"
    r"|\b(?:le lendemain|la veille) d(?:e |u |es |')\w+"
    r"|\b(?:am )?tag (?:nach|vor) (?!morgen\b|heute\b)\w+"
)


# "Your first available", "el primer hueco", "le premier créneau", "der nächstmögliche
# Termin": the earliest opening, not the first of the month nor 1 o'clock.
SOONEST = re.compile(
    r"\b(?:(?:the |your )?first (?:available|free|open|opening|slot|appointment)"
    r"|(?:el |la |su )?primer[oa]? (?:hueco|cita)"
    r"|(?:le |votre )?premier (?:creneau|rendez-vous)"
    r"|(?:der |den |dem |ihr(?:en)? )?(?:erste[nmrs]?|nachstmoglichen?|fruhestmoglichen?)"
    r"(?: freie[nmr]?)? termin)\b"
)


def without_soonest(folded: str) -> str:
    """``folded`` with a request for the earliest opening put as "soonest", which names
    no day or time (so alone it is refused, and the model offers the first free slot)."""
    return SOONEST.sub("soonest", folded)


def event_doubts(folded: str) -> list[str]:
    """Doubts for the days in ``folded`` named by an event."""
    doubts = []
    if match := HOLIDAY.search(folded):
        doubts.append(
            f"heard '{match.group(0)}', a holiday, which I do not place on the calendar; "
            "ask for the date"
        )
    elif match := DAY_FROM_EVENT.search(folded):
        doubts.append(f"heard '{match.group(0)}', a day counted from an event; ask for the date")
    return doubts
