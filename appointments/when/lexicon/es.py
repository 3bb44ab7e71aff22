"""Spanish: "mañana a las tres de la tarde", "pasado mañana", "el lunes que viene",
"a las diez y media", "a las cinco menos cuarto", "el 3 de diciembre", "hace dos días"."""

from __future__ import annotations

import re

from appointments.when.lexicon.base import (
    MONTH,
    WEEKDAY,
    WEEKDAY_DATE,
    Lexicon,
    hours_and,
    minus_one,
)

UNITS = ["uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"]
TEENS = ["diez", "once", "doce", "trece", "catorce", "quince", "dieciséis", "diecisiete"]
TEENS += ["dieciocho", "diecinueve"]
TWENTIES = ["veintiuno", "veintidós", "veintitrés", "veinticuatro", "veinticinco"]
TWENTIES += ["veintiséis", "veintisiete", "veintiocho", "veintinueve"]


def _numbers() -> dict[str, int]:
    numbers = {word: i + 1 for i, word in enumerate(UNITS)}
    numbers |= {word: i + 10 for i, word in enumerate(TEENS)}
    numbers |= {word: i + 21 for i, word in enumerate(TWENTIES)}
    numbers |= {"un": 1, "una": 1, "veintiún": 21, "veintiuna": 21, "veinte": 20}
    numbers |= {"primero": 1, "primer": 1}
    # Past fifty-nine for minutes from now ("en noventa minutos").
    tens_words = {"treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60}
    tens_words |= {"setenta": 70, "ochenta": 80, "noventa": 90}
    for tens, value in tens_words.items():
        numbers[tens] = value
        numbers |= {f"{tens} y {unit}": value + i + 1 for i, unit in enumerate(UNITS)}
    return numbers


def _minus(match: re.Match[str]) -> str:
    """'5 menos 10' → 4:50."""
    return f"{minus_one(match.group(1))}:{60 - int(match.group(2)):02d}"


LEXICON = Lexicon(
    code="es",
    corrections=r"\b(?:no,? (?:perdón|perdone|espera|espere)|perdón|perdona|mejor dicho|"
    r"mejor|quiero decir|digo|en realidad)\b|\bno\s*,|\bno\b(?= (?:el|la|las|al|a|mejor|para)\b)",
    pre=[
        # "De hoy en ocho (días)" is a week today, "en quince días" two weeks: the days
        # are counted inclusively, as in French.
        (r"\bde hoy en ocho(?: días)?\b", "in 1 weeks"),
        (r"\bde hoy en quince(?: días)?\b", "in 2 weeks"),
        (r"\bde mañana en ocho(?: días)?\b", "in 8 days"),
        (r"\b(?:dentro de|en) ocho días\b", "in 1 weeks"),
        (r"\b(?:dentro de|en) quince días\b", "in 2 weeks"),
        (r"\bde aquí a\b", "dentro de"),  # "de aquí a tres horas": from now
        (r"\b(?:dentro de|en) media hora\b", "in 30 minutes"),
        (r"\b(?:dentro de|en) un cuarto de hora\b", "in 15 minutes"),
        (r"\b(?:dentro de|en) (?:una |1 )?hora y media\b", "in 90 minutes"),
        (r"\bno antes de\b", "después de"),  # a bound said with a negation
        (r"\bno (?:después de|más tarde de)\b", "antes de"),
        (r"\bpasado mañana\b", "day after tomorrow"),
        (r"\b(?:anteayer|antier|antes de ayer)\b", "day before yesterday"),
        (r"\b(esta|hoy) mism[ao]\b", r"\1"),  # "esta misma tarde": this very afternoon
        (r"\besta mañana\b", "today morning"),
        (r"\ba primera hora de la tarde\b", "early afternoon"),
        (r"\b(?:a última hora de|al final de) la tarde\b", "late afternoon"),
        (r"\besta tarde\b", "today afternoon"),
        (r"\besta noche\b", "tonight"),
        (r"\ba lo largo de la (mañana|tarde|noche)\b", r"durante la \1"),  # not "de la", am/pm
        (r"\bde la mañana\b", "am"),
        (r"\bde la (?:tarde|noche)\b", "pm"),
        (r"\ba primera hora(?: de la mañana)?\b", "firstthing"),
        (r"\bdespués de (?:comer|almorzar|la comida|el almuerzo)\b", "after lunch"),
        # "la mañana" is the morning, never tomorrow: "por / durante / a lo largo de la
        # mañana", "la mañana del sábado" ("de la mañana", am, is read above).
        (r"\b(?:(?:por|en|durante|para|sobre|hacia|toda) )?la mañan(?:a|ita)\b", "morning"),
        (r"\b(?:sobre|hacia|a eso de)l? (?:medio ?día|mediodía)\b", "around noon"),
        (r"\b(?:a la )?hora (?:de comer|del almuerzo|de la comida)\b", "lunchtime"),
        (r"\b(?:por|en|durante|para|sobre|hacia|toda) la tarde\b", "afternoon"),
        (r"\b(?:por|en|durante|para|sobre|hacia|toda) la noche\b", "evening"),
        (r"\b(?:a )?media mañana\b", "mid morning"),  # not "mañana", tomorrow
        (r"\b(?:a )?media tarde\b", "mid afternoon"),
        (r"\bmañana\b", "tomorrow"),
        (r"\bhoy\b", "today"),
        (r"\bayer\b", "yesterday"),
        (r"\b(?:a |al )?medio ?día\b", "noon"),  # "medio día": split by speech-to-text
        (r"\b(?:a )?media ?noche\b", "midnight"),
        (
            r"\b(?:a )?principios de (?:la )?(?:semana que viene|próxima semana)\b",
            "early next week",
        ),
        (
            r"\b(?:a )?(?:finales|final) de (?:la )?(?:semana que viene|próxima semana)\b",
            "end of next week",
        ),
        (r"\b(?:a )?(?:finales|fin|final) de(?:l)? mes\b", "end of the month"),
        (r"\b(?:la )?(?:semana que viene|próxima semana|semana próxima)\b", "next week"),
        (r"\b(?:el )?(?:mes que viene|próximo mes)\b", "next month"),
        (r"\b(?:este|el) fin de semana\b", "this weekend"),
        (r"\besta semana\b", "this week"),
        (r"\bla semana pasada\b", "last week"),
        (r"\ben algún momento de\b", "sometime"),
    ],
    words={
        "lunes": "monday",
        "martes": "tuesday",
        "miércoles": "wednesday",
        "jueves": "thursday",
        "viernes": "friday",
        "sábado": "saturday",
        "domingo": "sunday",
        "enero": "january",
        "febrero": "february",
        "marzo": "march",
        "abril": "april",
        "mayo": "may",
        "junio": "june",
        "julio": "july",
        "agosto": "august",
        "septiembre": "september",
        "setiembre": "september",
        "octubre": "october",
        "noviembre": "november",
        "diciembre": "december",
        "día": "days",
        "días": "days",
        "semana": "weeks",
        "semanas": "weeks",
        "mes": "months",
        "meses": "months",
        "hora": "hours",
        "horas": "hours",
        "minutos": "minutes",
    },
    numbers=_numbers(),
    rules=[
        (rf"\b(?:el )?{WEEKDAY} que viene\b", r"next \1"),
        (rf"\b(?:el )?próximo {WEEKDAY}\b", r"next \1"),
        (rf"\b(?:el )?{WEEKDAY} próximo\b", r"next \1"),
        (rf"\b(?:el )?{WEEKDAY} pasado\b", r"last \1"),
        (r"\bhace (\d+) (days|weeks|months)\b", r"\1 \2 ago"),
        (r"\b(?:dentro de|en) (\d+) hours y (media|cuarto|\d+)(?: minutes)?\b", hours_and),
        (r"\b(?:dentro de|en) (\d+) (days|weeks|months|hours|minutes)\b", r"in \1 \2"),
        # "de 9 a 12", "de las 9 a las 12": a range of hours.
        (
            r"\bde (?:las? )?(\d{1,2}(?::\d{2})?) a (?:las? )?(\d{1,2}(?::\d{2})?)\b",
            r"from \1 until \2",
        ),
        (r"\bentre las? (\d{1,2}(?::\d{2})?) y las? (\d{1,2}(?::\d{2})?)", r"between \1 and \2"),
        (r"\b(\d{1,2}(?::\d{2})?) (?:o así|más o menos)\b", r"\1 or so"),
        (r"\b(\d{1,2}) y media\b", r"\1:30"),
        (r"\b(\d{1,2}) y cuarto\b", r"\1:15"),
        (r"\b(\d{1,2}) menos cuarto\b", lambda m: f"{minus_one(m.group(1))}:45"),
        (r"\b(\d{1,2}) menos (\d{1,2})\b", _minus),
        (r"\b(\d{1,2}) y (\d{1,2})\b", lambda m: f"{m.group(1)}:{int(m.group(2)):02d}"),
        (r"\ben punto\b", ""),
        (
            r"\b(\d{1,2}) ?(?:h|hs|hrs)\b(?: ?(\d{2})\b)?",
            lambda m: f"{m.group(1)}:{m.group(2) or '00'}",
        ),
        (r"(?<!in )\b(\d{1,2}) hours\b", r"\1:00"),
        (r"\bantes de las?\b", "before"),
        (r"\bdespués de las?\b", "after"),
        (r"\b(?:sobre|hacia|a eso de) las?\b", "around"),
        (r"\ba las? (\d)", r"at \1"),
        (r"\blas? (\d)", r"at \1"),
        (rf"\b(\d{{1,2}}) de {MONTH}\b", r"\1 \2"),
        (rf"\b{MONTH} del? (\d{{4}})\b", r"\1 \2"),
        (rf"\b{MONTH} del? 2 mil (\d{{1,2}})\b", lambda m: f"{m.group(1)} 20{int(m.group(2)):02d}"),
        (r"\bel (\d{1,2})\b", r"the \1"),
        WEEKDAY_DATE,  # "el jueves tres": Thursday the 3rd
    ],
    # Parts of the day as a receptionist in Spain reads them: the morning lasts until
    # lunch (14:00), lunch until about 15:00, "la tarde" until about 20:00, "la noche"
    # after it.
    spans={
        "morning": (9 * 60, 14 * 60),
        "mid morning": (10 * 60, 12 * 60),
        "mid afternoon": (16 * 60, 18 * 60),
        "after lunch": (15 * 60, 18 * 60),
        "lunchtime": (14 * 60, 15 * 60 + 30),  # "a la hora de comer"
        "early afternoon": (14 * 60, 16 * 60),
        "afternoon": (14 * 60, 20 * 60),
        "late afternoon": (18 * 60, 20 * 60),
        "evening": (20 * 60, 22 * 60),
        "tonight": (20 * 60, 22 * 60),
        "night": (20 * 60, 23 * 60),
    },
    # Seseo spellings speech-to-text writes for number words ("a las dies").
    homophones={"dies": "diez", "sinco": "cinco", "dose": "doce", "onse": "once", "trese": "trece"},
    clock_lead=r"a las?|las?|sobre las?|hacia las?",
    clock_tail=r"de la|y|menos|en punto|horas?",
    negations=r"\bno\b(?! (?:antes|después|más tarde|más temprano)\b)",
)
