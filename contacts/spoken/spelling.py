"""Letters said one by one: "j o h n", "J as in Juliet", "B de Barcelona", "A wie Anton",
NATO words in a row ("juliet oscar hotel november") and letter names ("jay", "bee")."""

from __future__ import annotations

import re
import unicodedata

from contacts.spoken.lexicons import Lexicon


def _base_letter(text: str) -> str:
    """'É' → 'e': accents do not matter when checking that 'é comme Émile' agrees."""
    decomposed = unicodedata.normalize("NFD", text[:1].lower())
    return decomposed[:1]


def spell_phrases(text: str, lexicon: Lexicon, doubts: list[str]) -> str:
    """'j as in juliet' → 'j', 'capital j' → 'J'; 'all lower case' goes.

    The letter is kept only when the word starts with it, so "m for mike" is m and
    "a for example" stays as said.
    """

    def letter(match: re.Match[str]) -> str:
        said, word = match.group(1), match.group(2)
        if len(said) > 1:  # a letter name: "ge de Granada"
            said = lexicon.letter_of(said) or said
        first = _base_letter(word)
        if lexicon.spelling_words.get(word.lower()) == said.lower() or first == _base_letter(said):
            return said
        return match.group(0)

    for name, said in lexicon.letter_names.items():
        if " " in name or "-" in name:  # "double u": one letter, not a repeat of "u"
            text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", said, text, flags=re.IGNORECASE)
    text = lexicon.spell_re.sub(letter, text)
    text = lexicon.capital_re.sub(lambda m: " " + m.group(1).upper() + " ", text)
    return lexicon.lower_re.sub(" ", text)


def _is_letter(token: str) -> bool:
    return len(token) == 1 and token.isalpha()


def letters_from_words(
    tokens: list[str], lexicon: Lexicon, doubts: list[str], *, min_run: int = 2
) -> list[str]:
    """Runs of spelling-alphabet words become letters; letter names beside letters too.

    A lone "juliet" or "oscar" is a word; two or more in a row are spelling (with a
    doubt, as they could be words). "jay oh aitch en" → "john", a doubt too.
    """
    out: list[str] = []
    index = 0
    alphabet = lexicon.spelling_words
    while index < len(tokens):
        end = index
        while end < len(tokens) and tokens[end].lower() in alphabet:
            end += 1
        if end - index >= min_run:
            words = tokens[index:end]
            letters = [alphabet[w.lower()] for w in words]
            doubts.append(f"read the words '{' '.join(words)}' as the letters '{''.join(letters)}'")
            out.extend(letters)
            index = end
            continue
        out.append(tokens[index])
        index += 1
    return _letter_names(out, lexicon, doubts)


def _letter_names(tokens: list[str], lexicon: Lexicon, doubts: list[str]) -> list[str]:
    names, weak = lexicon.letter_names, lexicon.weak_letter_names
    if not names:
        return tokens
    out = list(tokens)
    changed: list[str] = []
    for index, token in enumerate(tokens):
        letter = lexicon.letter_of(token)
        if letter is None:
            continue
        neighbours = tokens[max(0, index - 1) : index] + tokens[index + 1 : index + 2]
        spelled = [_is_letter(n) or n.lower() in names for n in neighbours]
        # A weak name ("te") is a letter only with letters on both sides: "ene te e".
        if all(spelled) and len(spelled) == 2 if token.lower() in weak else any(spelled):
            out[index] = letter
            changed.append(token)
    if changed:
        doubts.append(f"heard '{' '.join(changed)}' as spelled letters")
    return out
