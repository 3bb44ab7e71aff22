"""What callers say about the letters of a word they have just said.

- a hint: "anne with an e", "vázquez con uve", "meyer mit e ypsilon", "zoé avec un accent
  sur le e": the hint goes; when the word does not hold the letters it names, a doubt;
- spelling again what was just said: "rocio r o c i o", "smith that's s m i t h",
  "william at gmail dot com that's w i l l i a m": the letters go, the word stays.
"""

from __future__ import annotations

import re
import unicodedata

from contacts.spoken.lexicons import Lexicon
from contacts.spoken.lexicons.base import phrase_pattern

_TRANSLITERATED = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _letter(token: str, lexicon: Lexicon) -> str | None:
    """One spelled letter: "h", "uve", "ypsilon"; None for a word."""
    token = token.lower().strip(",.;:")
    if len(token) == 3 and token.endswith("'s"):
        token = token[0]  # "two l's"
    if len(token) == 1 and token.isalpha():
        return token
    return lexicon.letter_of(token)


def _hint_letters(tokens: list[str], lexicon: Lexicon, *, counts: bool = False) -> tuple[str, int]:
    """The letters at the start of ``tokens`` and how many tokens they took.

    With ``counts``, a letter may follow how many of it there are: "one l", "zwei t".
    """
    letters = ""
    used = 0
    times = 1
    for token in tokens:
        word = token.lower().strip(",.;:")
        count = lexicon.repeats.get(word) or lexicon.numbers.get(word)
        if counts and count is not None and 0 < count <= 3 and times == 1:
            times = count
            used += 1
            continue
        letter = _letter(token, lexicon)
        if letter is None and times > 1 and len(word) == 2 and word.endswith("s"):
            letter = word[0]  # "two fs"
        if letter is None:
            break
        letters += letter * times
        times = 1
        used += 1
    if times != 1:  # a count with no letter after it: no hint
        return "", 0
    return letters, used


def _multiword_letters(text: str, lexicon: Lexicon) -> str:
    """ "i griega" → "y" so that the hint reads it as one letter."""
    for name, letter in lexicon.letter_names.items():
        if " " in name:
            text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", letter, text, flags=re.I)
    return text


def apply_hints(text: str, lexicon: Lexicon, doubts: list[str]) -> str:
    """The text without its spelling hints; a doubt when a hint does not fit its word."""
    if not lexicon.hint_words and not lexicon.accent_words:
        return text
    text = _letter_then_mark(text, lexicon, doubts)
    accents = phrase_pattern(lexicon.accent_words)
    text = re.sub(
        rf"([^\W\d_][\w'-]*)[\s,]+({accents})(?:\s+([^\W\d_]))?(?![\w])",
        lambda m: _accent(m, doubts),
        text,
        flags=re.I,
    )
    said = phrase_pattern((*lexicon.hint_words, *lexicon.without_words))
    hints = re.compile(rf"([^\W\d_][\w'-]*)[\s,]+({said})\s+", re.I)
    without = re.compile(phrase_pattern(lexicon.without_words), re.I)
    text = _multiword_letters(text, lexicon)
    position = 0
    while match := hints.search(text, position):
        rest = text[match.end() :].split()
        letters, used = _hint_letters(rest, lexicon, counts=True)
        if used >= 2 and rest[used - 1].lower() in lexicon.connectors:
            # "uve y con be": the "y" before another hint joins the hints, it is no letter.
            if re.match(rf"{said}\s+", " ".join(rest[used:]), re.I):
                letters, used = letters[:-1], used - 1
        # "mit c h und p h": more letters after "and".
        while used and used + 1 < len(rest) and rest[used].lower() in lexicon.connectors:
            # "con uve y con be": the hint word may be said again after "and".
            again = re.match(rf"{said}\s+", " ".join(rest[used + 1 :]), re.I)
            skip = 1 + (len(again.group(0).split()) if again else 0)
            more, extra = _hint_letters(rest[used + skip :], lexicon, counts=True)
            if not extra:
                break
            letters, used = letters + " " + more, used + skip + extra
        if not used:
            position = match.end()
            continue
        word = match.group(1)
        absent = bool(without.fullmatch(match.group(2)))
        if any((_plain(part) in _plain(word)) is absent for part in letters.split()):
            doubts.append(f"'{word}' was said with the hint '{letters}', which does not fit it")
        tail = re.match(rf"\s*{phrase_pattern(lexicon.hint_tails)}", " ".join(rest[used:]), re.I)
        after = " ".join(rest[used:])[tail.end() if tail else 0 :]
        text = f"{text[: match.end(1)]} {after}".strip()
        position = match.end(1)
    return text


# The mark a hint names; an accent not named is acute ("con acento", "con tilde en la e").
_MARKS = (
    (("grave",), "\u0300"),
    (("circonflexe", "circumflex"), "\u0302"),
    (("tréma", "diéresis", "umlaut", "diaeresis", "dots", "punkte"), "\u0308"),
    (("cédille", "cedilla"), "\u0327"),
)


def _mark(hint: str, letter: str) -> str:
    if letter == "n" and "tilde" in hint:
        return "\u0303"
    return next((m for names, m in _MARKS if any(n in hint for n in names)), "\u0301")


def _accent(match: re.Match[str], doubts: list[str]) -> str:
    return _marked(match.group(1), match.group(2), match.group(3) or "", doubts)


def _marked(word: str, hint: str, said_letter: str, doubts: list[str]) -> str:
    hint, letter = hint.lower(), said_letter.lower()
    if len(word) == 1:
        # Among spelled letters, "e accent grave" is the letter è; what follows stays.
        marked = unicodedata.normalize("NFC", word + _mark(hint, word.lower()))
        return f"{marked} {said_letter}" if said_letter else marked
    accented = [
        ch for ch in word.lower() if ch != _plain(ch) and (not letter or _plain(ch) == letter)
    ]
    if accented:
        return word
    places = [i for i, ch in enumerate(word.lower()) if letter and ch == letter]
    if len(places) == 1:
        # "ines con acento en la e": the recogniser dropped the accent the caller names.
        at = places[0]
        return unicodedata.normalize("NFC", word[: at + 1] + _mark(hint, letter) + word[at + 1 :])
    said = f"an accent on '{letter}'" if letter else "an accent"
    doubts.append(f"'{word}' was said with {said}, which it does not have")
    return word


# "avec un e tréma", "with an e acute": the letter, then the mark's name.
_MARK_NAMES = (
    "accent aigu, accent grave, accent circonflexe, aigu, grave, circonflexe, tréma, cédille, "
    "acute, circumflex, umlaut, cedilla, diaeresis, acento, tilde, diéresis, akzent"
)


def _letter_then_mark(text: str, lexicon: Lexicon, doubts: list[str]) -> str:
    said = phrase_pattern(lexicon.hint_words)
    marks = phrase_pattern(tuple(m.strip() for m in _MARK_NAMES.split(",")))

    def mark(match: re.Match[str]) -> str:
        before, word, letter, hint = match.group(1), match.group(2), match.group(3), match.group(4)
        earlier = [w for w in before.split() if letter.lower() in _plain(w)]
        if any(_plain(w) != w.lower() for w in earlier):
            return f"{before}{word}"  # "Noël Faure avec un e tréma": Noël has it already
        if earlier:
            doubts.append(f"the {hint} on '{letter}' may belong to another word than '{word}'")
        return before + _marked(word, hint, letter, doubts)

    return re.sub(
        rf"((?:[^\W\d_][\w'-]*[\s,]+){{0,3}})([^\W\d_][\w'-]+)[\s,]+{said}\s+([^\W\d_])\s+({marks})",
        mark,
        text,
        flags=re.I,
    )


def drop_spelled_repeats(text: str, lexicon: Lexicon) -> str:
    """ "david d a v i d" → "david": letters that spell a word said before them go.

    The letters must follow the word (after an optional "that's") or end the text; the word
    is kept, as said, since the letters only confirm it.
    """
    tokens = _multiword_letters(text, lexicon).split()
    intro = re.compile(rf"^{phrase_pattern(lexicon.spelled_intros)}[,.;:]?$", re.I)
    out: list[str] = []
    index = 0
    while index < len(tokens):
        skip = 0
        for size in (3, 2, 1):
            if intro.match(" ".join(tokens[index : index + size])):
                skip = size
                break
        letters, used = _hint_letters(tokens[index + skip :], lexicon, counts=True)
        end = index + skip + used
        if used >= 2 and _spells_earlier(letters, out, at_end=end == len(tokens), near=skip == 0):
            index = end
            continue
        aid = _spelling_aid(tokens[index:], out, lexicon)
        if aid:
            index += aid
            continue
        out.append(tokens[index])
        index += 1
    return " ".join(out)


def _spelling_aid(tokens: list[str], said: list[str], lexicon: Lexicon) -> int:
    """ "maëlle avec un tréma m a e l l e", "jürgen ohne umlaut also j u e r g e n": talk
    about the letters, then the word spelled. The talk and the letters go; after "without"
    ("ohne umlaut") the spelled letters replace the word. Returns the tokens taken."""
    if not said:
        return 0
    aid_words = {
        word
        for phrase in (
            *lexicon.hint_words,
            *lexicon.without_words,
            *lexicon.accent_words,
            *lexicon.spelled_intros,
        )
        for word in phrase.split()
    }
    for gap in range(1, min(5, len(tokens))):
        talk = [t.lower().strip(",.;:") for t in tokens[:gap]]
        if not all(t in aid_words or _letter(t, lexicon) for t in talk):
            break
        letters, used = _hint_letters(tokens[gap:], lexicon, counts=True)
        if used < 2:
            continue
        word = said[-1].strip(".,")
        forms = {_plain(word), _plain(word.lower().translate(_TRANSLITERATED))}
        if _plain(letters) not in forms:
            continue
        without = phrase_pattern(lexicon.without_words)
        if re.search(rf"(?<!\w){without}(?!\w)", " ".join(talk), re.I):
            said[-1] = letters  # "ohne umlaut": the letters as spelled
        return gap + used
    return 0


def _spells_earlier(letters: str, said: list[str], *, at_end: bool, near: bool) -> bool:
    if not said:
        return False
    letters = _plain(letters)  # "i be a eñe e zeta" spells "Ibáñez" as said
    last = said[-1].strip(".,")
    # "jörg j o e r g": an umlaut spelled as its two letters.
    if letters in {_plain(last), _plain(last.lower().translate(_TRANSLITERATED))}:
        return True
    # Spelled at the end, a word said earlier: "… dot com that's w i l l i a m".
    return (at_end or not near) and any(_plain(w).strip(".,") == letters for w in said)
