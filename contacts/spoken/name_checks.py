"""When a reading of a name may be called certain.

Names are open-ended: the parser cannot know every name, but it can tell when what it
kept does not look like one. A reading is certain only when every word is a name word:
letters (with "'" or "-" inside), not one of the language's frequent words ("the", "use",
"genau", "moi"), not a lone letter left over from a spelling. Anything else comes back
with a doubt, so the agent reads it back instead of saving it.
"""

from __future__ import annotations

import re

from contacts.spoken.lexicons import Lexicon
from contacts.spoken.numbers import word_value

_NAME_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")


def is_talk_word(word: str, lexicon: Lexicon) -> bool:
    """A frequent word of the language, not of a name: "use", "habla", "genau", "moi"."""
    lower = word.lower()
    return lower in lexicon.common_words or lower in lexicon.sentence_words


def all_talk(words: list[str], lexicon: Lexicon) -> bool:
    """ "it doesn't matter", "ist doch egal": every word is a frequent word; no name in it.

    Particles count as talk here ("da igual"); "de la Cruz" has "Cruz".
    """
    talk = lexicon.common_words | lexicon.sentence_words | lexicon.question_words
    return bool(words) and all(w.lower() in talk for w in words)


def strip_leading_talk(words: list[str], lexicon: Lexicon, doubts: list[str]) -> list[str]:
    """ "Use My Maiden Name Amanda Tolliver" → "Amanda Tolliver", with a doubt.

    A name starting with a particle keeps it ("De la Cruz", "Le Goff" said alone): a run
    of particles alone, or one word before a single word, stays.
    """
    end = 0
    while end < len(words) and is_talk_word(words[end], lexicon):
        end += 1
    if end + 2 < len(words) and words[end + 1].lower() in lexicon.name_nouns:
        end += 2  # "use my work name Nadia Orlov": one word between the talk and "name"
    if not end or end == len(words):
        return words
    run = [w.lower() for w in words[:end]]
    particles = lexicon.particles | lexicon.particle_articles
    if all(w in particles for w in run):
        return words
    if words[end].lower() in lexicon.particles and len(words) - end >= 3:
        end += 1  # "le nom de Claire Guérin": the "de" of "the name of"
    if end == 1 and len(words) == 2:
        return words
    doubts.append(f"left out '{' '.join(words[:end])}' said before the name")
    return words[end:]


def cut_trailing_talk(
    words: list[str], lexicon: Lexicon, doubts: list[str], *, talk_before: bool
) -> list[str]:
    """ "Nathan Kimura calling about my dog", "Lebrun en un seul mot": talk after the name.

    The talk starts with a frequent word, or with a verb form then a frequent word
    ("calling about", "llamaba por"), and holds at least two; particles do not start it
    ("de la Cruz"). One word between talk before and talk after ("non ça je le garde pour
    moi"), or before talk with a pronoun ("lassen sie mal"), is a sentence, not a name: it
    stays whole for the sentence checks.
    """
    glue = lexicon.particles | lexicon.particle_articles | lexicon.connectors
    talk = lexicon.common_words | lexicon.sentence_words | lexicon.question_words
    starters = talk - glue
    lower = [w.lower() for w in words]
    for cut in range(1, len(words) - 1):
        tail = lower[cut:]
        # A verb form: by its ending, or after an elided pronoun ("j'appelais pour").
        verb = tail[0].endswith(lexicon.verb_endings) or tail[0].startswith(lexicon.elided_pronouns)
        verb = verb and tail[1] in starters
        if not (tail[0] in starters or verb):
            continue
        # Particles and number words count as talk here: "pour la réservation de samedi",
        # "en deux mots".
        said = [w for w in tail if w in talk | glue or _number(w, lexicon)]
        if len(said) < 2 or all(w in talk or _number(w, lexicon) for w in lower[:cut]):
            continue
        if cut == 1 and (talk_before or has_pronoun(tail, lexicon)):
            return words
        doubts.append(f"left out '{' '.join(words[cut:])}' said after the name")
        while cut > 1 and lower[cut - 1] in glue:
            cut -= 1  # "Beatriz Campos y llamo …": the "y" goes with the talk
        return words[:cut]
    return words


def _number(word: str, lexicon: Lexicon) -> bool:
    return word_value(word, lexicon, phone=True) is not None


def has_pronoun(words: list[str], lexicon: Lexicon) -> bool:
    """ "hear me", "vous m'entendez", "hören sie mich": a personal pronoun is no name, nor
    is the word "name" itself ("avez besoin de mon nom")."""
    lower = [w.lower() for w in words]
    return any(
        w in lexicon.pronouns
        or w in lexicon.name_nouns
        or (w.startswith(lexicon.elided_pronouns) and len(w) > 2)
        for w in lower
    )


def doubt_unclean(words: list[str], lexicon: Lexicon, doubts: list[str]) -> None:
    """A doubt for each kind of word that is not clearly part of a name."""
    particles = lexicon.particles | lexicon.particle_articles
    # "María de la O": after a particle, a short word is the name itself.
    named = [w for i, w in enumerate(words) if not (i and words[i - 1].lower() in particles)]
    inner = [
        w
        for i, w in enumerate(words)
        if not (0 < i < len(words) - 1 and w.lower() in particles) and w in named
    ]
    # "double", "doble", "doppel": a count from a spelling that did not read as one.
    talk = [w for w in inner if w.lower() in lexicon.common_words or w.lower() in lexicon.repeats]
    if talk:
        doubts.append(f"'{' '.join(talk)}' is a common word, maybe not part of the name")
    letters = [w for w in named if len(w) == 1]
    if letters:
        doubts.append(f"'{' '.join(letters)}' is a single letter; a spelling may be unfinished")
    odd = [w for w in words if not _NAME_WORD.fullmatch(w)]
    if odd:
        doubts.append(f"'{' '.join(odd)}' does not look like a word of a name")
