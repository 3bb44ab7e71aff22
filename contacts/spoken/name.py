"""Spoken names: "my name is j o h n, capital M c Donald", "ich heiße M wie Martha ü l l e r"."""

from __future__ import annotations

import re

from contacts.spoken.conversation import clean_text, split_corrections, strip_talk
from contacts.spoken.domains import edit_distance
from contacts.spoken.hints import apply_hints, drop_spelled_repeats
from contacts.spoken.lexicons import Lexicon, lexicon_for
from contacts.spoken.lexicons.base import phrase_pattern
from contacts.spoken.name_checks import (
    all_talk,
    cut_trailing_talk,
    doubt_unclean,
    has_pronoun,
    strip_leading_talk,
)
from contacts.spoken.refusals import (
    refuse_function_words,
    refuse_number,
    refuse_what_is_no_name,
)
from contacts.spoken.result import NormalizationError, Normalized, normalized
from contacts.spoken.spelling import letters_from_words, spell_phrases

_JOINERS = {"-": ("hyphen", "dash", "bindestrich", "guion", "guión", "tiret", "trait d'union")}
_SPELLED = re.compile(r"(?:[^\W\d_][-.]){2,}[^\W\d_]\.?")


def normalize_name(text: str, *, language: str = "en") -> Normalized:
    """The caller's name, capitalised, accents kept."""
    lexicon = lexicon_for(language)
    doubts: list[str] = []
    said = clean_text(re.sub(r"[;!?]", " ", text))
    if re.search(r"[\d@]", said):
        raise NormalizationError(f"'{text.strip()}' does not look like a name; ask again.")
    refuse_what_is_no_name(said, text, lexicon)
    words: list[str] | None = None
    said = _first_name_first(said, lexicon)
    talk_only = False
    for segment in split_corrections(said, lexicon):
        heard = _words(segment.text, lexicon, doubts)
        new = strip_leading_talk(heard, lexicon, doubts)
        new = cut_trailing_talk(new, lexicon, doubts, talk_before=len(new) < len(heard))
        if all_talk(new, lexicon):
            # "under my husband's name, actually …", "no importa": no name in this part.
            talk_only = True
            continue
        if not new:
            continue
        words = new if words is None or segment.restart else _correct(words, new, doubts)
    name = " ".join(words or [])
    if talk_only and not words:
        raise NormalizationError(
            f"'{text.strip()}' holds no name; ask for the caller's name again."
        )
    if not re.search(r"[^\W\d_]", name):
        raise NormalizationError("No name was given; ask for the caller's name.")
    if len(name) > 200:
        raise NormalizationError("That name is too long; ask for it again.")
    if has_pronoun(words or [], lexicon):
        raise NormalizationError(
            f"'{text.strip()}' is a sentence, not a name; answer it, then ask for the name."
        )
    numeric = refuse_number(words or [], text, lexicon)
    refuse_function_words(words or [], text, lexicon)
    if numeric:
        doubts.append(f"'{' '.join(numeric)}' is also a number word; kept it as a name")
    hint_words = {phrase.split()[0] for phrase in lexicon.hint_words}
    # "umlaut", "tilde", "accent": a word naming a mark is talk about the spelling.
    hint_words |= {w for phrase in lexicon.accent_words for w in phrase.split()[1:]}
    hint_words -= lexicon.sentence_words | lexicon.particles | lexicon.particle_articles
    talk = [w for w in (words or []) if w.lower() in hint_words]
    if talk:
        # "… with no h": a hint not understood stays in the name; it must not pass as sure.
        doubts.append(f"'{' '.join(talk)}' may be talk about the spelling, not part of the name")
    _doubt_sentence(words or [], text, lexicon, doubts)
    doubt_unclean(words or [], lexicon, doubts)
    return normalized(_with_particles(words or [], lexicon), doubts)


def _first_name_first(said: str, lexicon: Lexicon) -> str:
    """ "the last name is Nowak and the first name is Adam" → "Adam Nowak"; "first name
    Carlos last name Medina", "vorname Ralf nachname Steiner" → the names without labels."""
    surname = re.search(phrase_pattern(lexicon.surname_intros), said, re.I)
    # "a nombre de Pedro": a label followed by "de" is "in the name of", not a label.
    after = phrase_pattern(lexicon.particles)
    first = re.search(rf"{phrase_pattern(lexicon.first_name_intros)}(?!\s+{after})", said, re.I)
    if surname is None or first is None:
        return said
    if first.start() < surname.end():
        if surname.start() < first.end():
            return said  # one phrase holds both ("nom de famille" after "prénom")
        given, last = said[first.end() : surname.start()], said[surname.end() :]
    else:
        given, last = said[first.end() :], said[surname.end() : first.start()]
    glue = lexicon.connectors | lexicon.sentence_words | lexicon.common_words
    given_words = _without_glue(given.split(), glue)
    return f"{' '.join(given_words)} {' '.join(_without_glue(last.split(), glue))}".strip()


def _after_intro(text: str, lexicon: Lexicon) -> str:
    """What follows the last "my name is" that is followed by more than talk: in "me llamo
    Rosa Vidal y es para mañana" the name follows the first intro, not "es para"."""
    after = lexicon.name_intro_re.sub("", text, count=1)
    if after == text or not all_talk(after.split(), lexicon):
        return after
    # "Nathalie, c'est pour demain": before the first intro, then between two of them.
    ends = [0, *(m.end() for m in re.finditer(phrase_pattern(lexicon.name_intros), text, re.I))]
    starts = [m.start() for m in re.finditer(phrase_pattern(lexicon.name_intros), text, re.I)]
    glue = lexicon.connectors | lexicon.sentence_words | lexicon.common_words
    for start, end in zip(ends, starts, strict=False):
        words = _without_glue(text[start:end].strip(" ,.;:!-").split(), glue)
        if words and not all_talk(words, lexicon):
            return " ".join(words)
    return after


def _without_glue(words: list[str], glue: frozenset[str]) -> list[str]:
    """ "Julio y el" → "Julio": the words joining a label to the next one go."""
    while words and words[-1].lower().strip(",.") in glue:
        words.pop()  # "… and the", "… y mi", "… und mein"
    return words


def _doubt_sentence(words: list[str], text: str, lexicon: Lexicon, doubts: list[str]) -> None:
    """A sentence is no name: "The Appointment Would Be For …" must not pass as sure, and
    one that is half words of a sentence ("ich weiß nicht", "ya se lo dije") is refused."""
    inside = [w for w in words[1:-1] if w.lower() in lexicon.particles | lexicon.particle_articles]
    common = [w for w in words if w.lower() in lexicon.sentence_words and w not in inside]
    if len(common) >= 2 and 2 * len(common) >= len(words):
        raise NormalizationError(
            f"'{text.strip()}' sounds like a sentence, not a name; ask for the caller's name."
        )
    if common:
        doubts.append(f"'{' '.join(common)}' may be part of a sentence, not of the name")
    if len(words) - len(inside) > 4:
        doubts.append("that is a long name; it may hold more than the name")


def _with_particles(words: list[str], lexicon: Lexicon) -> str:
    """ "María de la Cruz", "Ursula von der Leyen", "Jérôme d'Arcy": particles inside a name
    are lower-case; a name that starts with one keeps its capital ("De Niro", "Van Der Berg")."""
    out: list[str] = []
    after_particle = False
    for index, word in enumerate(words):
        lower = word.lower()
        inside = 0 < index < len(words) - 1
        article = after_particle and lower in lexicon.particle_articles
        if inside and (lower in lexicon.particles or article):
            out.append(lower)
            after_particle = True
            continue
        after_particle = False
        if index and "d'" in lexicon.particles and lower.startswith("d'") and len(word) > 2:
            word = "d'" + word[2:]
        out.append(word)
    return " ".join(out)


def _words(text: str, lexicon: Lexicon, doubts: list[str]) -> list[str]:
    spelled = spell_phrases(text, lexicon, doubts)
    if spelled != text:
        # "Gil, ge de Granada": one letter spelled after a name that starts with it confirms it.
        spelled = re.sub(r"(?i)\b(\w)(\w+)[\s,]+\1\s*$", r"\1\2", spelled)
    hint = phrase_pattern((*lexicon.hint_words, *lexicon.without_words, *lexicon.accent_words))
    # "Xavier Bosch, Xavier con equis": a word said again to hint at it is not said twice.
    text = re.sub(rf"(?i)\b([^\W\d_]{{2,}})\b(.+?)\s+\1([\s,]+{hint}\s+\S+)", r"\1\3\2", spelled)
    text = apply_hints(drop_spelled_repeats(text, lexicon), lexicon, doubts)
    # Letters with their accents named ("l e f e accent grave v r e") spell only now.
    text = drop_spelled_repeats(text, lexicon)
    # The intro first: "la cita es para mi mujer …" keeps its "para" for the intro.
    text = _after_intro(text, lexicon)
    text = lexicon.relation_re.sub(" ", text)
    text = lexicon.name_joiner_re.sub(" ", text)
    text = strip_talk(
        text, lexicon, lead_in=lexicon.name_lead_in_re, trailing=lexicon.name_trailing_re
    ).strip(" .,")
    for joiner, phrases in _JOINERS.items():
        pattern = "|".join(re.escape(p) for p in phrases)
        text = re.sub(rf"\s*(?<!\w)(?:{pattern})(?!\w)\s*", joiner, text, flags=re.IGNORECASE)
    text = re.sub(r"\s*(?<!\w)apostrophe(?!\w)\s*", "'", text, flags=re.IGNORECASE)
    chunks: list[str] = []
    for chunk in re.sub(r"[,.]\s", " ", text).split():
        # Spelled out: "J-O-H-N" or "J.O.H.N" becomes one word.
        if _SPELLED.fullmatch(chunk):
            chunk = re.sub(r"[-.]", "", chunk)
        chunk = chunk.strip(".,")
        if chunk:
            chunks.append(chunk)
    chunks = letters_from_words(chunks, lexicon, doubts, min_run=3)
    words = [_capitalise_spelled(word) for word in _merge_letters(chunks) if word]
    return _without_repeats(words, doubts, lexicon)


def _without_repeats(words: list[str], doubts: list[str], lexicon: Lexicon) -> list[str]:
    """ "s m i t h, smith": a name spelled and then said is one word, not two; and a name
    said twice ("Vega, v de Valencia …, Sara Vega") is kept as last said, not doubled."""
    out: list[str] = []
    for word in words:
        if out and out[-1].lower() == word.lower():
            doubts.append(f"heard '{word}' twice in a row; kept it once")
            continue
        out.append(word)
    lowered = [word.lower() for word in out]
    glue = lexicon.particles | lexicon.particle_articles
    named = [word for word in lowered if word not in glue]
    if len(set(named)) == len(named):
        return out
    # The shortest ending that still holds every word of the name: its last saying.
    start = max(i for i in range(len(out)) if set(named) <= set(lowered[i:]))
    doubts.append(f"heard the name more than once ('{' '.join(out)}'); kept its last saying")
    return out[start:]


def _merge_letters(words: list[str]) -> list[str]:
    """Spelled with spaces: "j o h n smith" → "john smith"."""
    merged: list[str] = []
    letters: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            letters.append(word)
            continue
        if len(letters) >= 2:
            # A letter marked "capital" inside keeps its case: "M c capital D" → "McD".
            marked = any(ch.isupper() for ch in letters[1:])
            merged.append(("\x00" if marked else "") + "".join(letters))
        else:
            merged.extend(letters)
        letters = []
        if word:
            merged.append(word)
    return merged


def _capitalise_spelled(word: str) -> str:
    if word.startswith("\x00"):
        word = word[1:]
        return word[:1].upper() + word[1:]
    return _capitalise(word)


def _capitalise(word: str) -> str:
    parts = re.split(r"([-'])", word.lower())
    out = []
    for part in parts:
        if part in {"-", "'"}:
            out.append(part)
        elif part == "s" and out and out[-1] == "'":
            out.append(part)  # a possessive "'s" stays lower-case
        elif part.startswith("mc") and len(part) > 2:
            out.append("Mc" + part[2:].capitalize())
        else:
            out.append(part.capitalize())
    joined = "".join(out)
    # O'Connor, D'Angelo: the letter after a one-letter prefix and an apostrophe.
    return re.sub(r"^(\w)'(\w)", lambda m: f"{m.group(1).upper()}'{m.group(2).upper()}", joined)


def _correct(old: list[str], new: list[str], doubts: list[str]) -> list[str]:
    """A whole new name replaces the old; one shorter replaces the words it resembles most."""
    if len(new) >= len(old):
        return new
    best = min(
        range(len(old) - len(new) + 1),
        key=lambda start: sum(
            edit_distance(a.lower(), b.lower()) for a, b in zip(old[start:], new, strict=False)
        ),
    )
    corrected = " ".join(old[best : best + len(new)])
    doubts.append(f"took the correction '{' '.join(new)}' to replace '{corrected}'")
    return old[:best] + new + old[best + len(new) :]
