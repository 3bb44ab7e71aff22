"""Replies to "what is your name?" that hold no name: a question back, a request to repeat,
"I don't know", a refusal, a number or an email address.

Each is a class of reply, not a list of sentences: a refusal is a negation near a verb of
giving or telling with the word "name" in the reply ("je donne pas mon nom"); a reply whose
words are all function words ("wie", "no sé") names nobody.
"""

from __future__ import annotations

import re

from contacts.spoken.email import normalize_email
from contacts.spoken.lexicons import Lexicon
from contacts.spoken.numbers import word_value
from contacts.spoken.result import NormalizationError

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")


def refuse_what_is_no_name(said: str, text: str, lexicon: Lexicon) -> None:
    """Raise when the reply is no name; ``said`` is ``text`` cleaned."""
    words = [w.lower() for w in _WORD.findall(said)]
    if lexicon.decline_re.search(said) or _declines(said, lexicon):
        raise NormalizationError(
            f"'{text.strip()}': the caller would rather not give a name; do not insist."
        )
    if "?" in text or _asks(words, lexicon):
        raise NormalizationError(
            f"'{text.strip()}' is a question, not a name; answer it, then ask for the name."
        )
    if lexicon.ask_back_re.search(said):
        raise NormalizationError(
            f"'{text.strip()}' is no name: the caller asks to wait, to repeat, or does not "
            "know; ask for the name again when they are ready."
        )
    try:
        normalize_email(said, language=lexicon.code)
    except NormalizationError:
        return
    raise NormalizationError(f"'{text.strip()}' is an email address, not a name; ask for the name.")


def refuse_number(words: list[str], text: str, lexicon: Lexicon) -> list[str]:
    """The number words of a name; raise when most of it is numbers ("es el seis cuatro…")."""
    numeric = [w for w in words if word_value(w.lower(), lexicon, phone=True) is not None]
    if len(numeric) >= 2 and (len(numeric) == len(words) or 2 * len(numeric) > len(words) >= 4):
        raise NormalizationError(
            f"'{text.strip()}' sounds like a number, not a name; ask for the caller's name."
        )
    return numeric


def refuse_function_words(words: list[str], text: str, lexicon: Lexicon) -> None:
    """ "wie", "sé", "you": what is left holds only words of a sentence, no name."""
    common = lexicon.sentence_words | lexicon.question_words
    if words and all(w.lower() in common for w in words):
        raise NormalizationError(
            f"'{text.strip()}' holds no name; ask for the caller's name again."
        )


def _asks(words: list[str], lexicon: Lexicon) -> bool:
    if len(words) >= 2 and words[0] in lexicon.question_openers:
        # "do you need it", "muss das sein": a verb, then a pronoun ("Will Smith" is no question)
        if words[1] in lexicon.sentence_words:
            return True
    # A question has a verb: "para qué lo necesitan"; "Dr Who" is two words, and "why"
    # among spelled letters ("why o u n g") is the letter y.
    return len(words) >= 3 and any(
        word.split("'")[0] in lexicon.question_words
        and not any(
            _spelled(n) for n in words[max(0, index - 1) : index] + words[index + 1 : index + 2]
        )
        for index, word in enumerate(words[:3])
    )


def _spelled(word: str) -> bool:
    """A letter said alone ("o", "y"); "à" and "y" as words are the same to a recogniser, but
    French "à" is never a spelled letter."""
    return len(word) == 1 and word.isascii()


def _declines(said: str, lexicon: Lexicon) -> bool:
    """A negation close to a verb of giving, in a reply that speaks of the name.

    "no quiero dar mi nombre", "je donne pas mon nom", "I won't give you my name"; a "no"
    said on its own ("no, my name is Ana, I'll give it") is a correction, not a refusal.
    """
    tokens = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)*|[,.;:]", said.lower())
    if not any(t in lexicon.name_nouns for t in tokens):
        return False
    negations = [
        i
        for i, t in enumerate(tokens)
        if (t in lexicon.negations or t.endswith("n't"))
        and not (i + 1 < len(tokens) and tokens[i + 1] in ",.;:")
    ]
    verbs = [i for i, t in enumerate(tokens) if t in lexicon.giving_verbs]
    return any(abs(n - v) <= 3 for n in negations for v in verbs)
