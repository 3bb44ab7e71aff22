"""Spoken email addresses.

"okay so it's j o h n thirty one at gmail, no sorry, at yahoo dot com" → john31@yahoo.com.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from contacts.spoken.conversation import Segment, clean_text, split_corrections, strip_talk
from contacts.spoken.domains import (
    COMMON_TLDS,
    KNOWN_MAIL_LABELS,
    domain_doubts,
    edit_distance,
    known_label_near,
    provider_sounding_like,
)
from contacts.spoken.hints import apply_hints, drop_spelled_repeats
from contacts.spoken.lexicons import Lexicon, lexicon_for
from contacts.spoken.lexicons.base import phrase_pattern
from contacts.spoken.lexicons.en import LEXICON as ENGLISH
from contacts.spoken.numbers import Piece, read_numbers, word_value
from contacts.spoken.result import NormalizationError, Normalized, normalized
from contacts.spoken.spelling import letters_from_words, spell_phrases

SYMBOLS = "@._+-"
_TOKEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*|\d+|[@._+\-]")


@dataclass(frozen=True)
class Chunk:
    """A piece of the address: a symbol, a word, a spelled letter or digits."""

    text: str
    kind: str  # "sym", "word", "letter", "num"


def normalize_email(text: str, *, language: str = "en") -> Normalized:
    """The address said in ``text``, lowercased, with what may be wrong with it."""
    lexicon = lexicon_for(language)
    doubts: list[str] = []
    said = clean_text(text).lower()
    # "all one word" before anything else: its "no" ("no spaces") is no correction.
    joined_said = bool(lexicon.joined_re.search(said))
    said = lexicon.joined_re.sub(" ", said)
    chunks: list[Chunk] | None = None
    for segment in split_corrections(said, lexicon):
        new = _chunks(segment.text, lexicon, doubts)
        if not new:
            continue
        chunks = new if chunks is None else _correct(chunks, new, segment, lexicon, doubts)
    if not chunks:
        raise NormalizationError(f"'{text.strip()}' holds no email address; ask for it again.")
    if not any(c.text == "@" for c in chunks):
        chunks = _insert_missing_at(chunks, doubts)
    chunks = _ending_sound_alike(chunks, lexicon, doubts)
    chunks = _without_talk_before(chunks, lexicon, doubts)
    chunks = _without_talk_after(chunks, doubts)
    if not joined_said:
        _doubt_joined_words(chunks, doubts)
    email = "".join(c.text for c in chunks).strip(".")
    email = re.sub(r"\.{2,}", ".", email).replace(".@", "@").replace("@.", "@")
    email = _ascii(email, lexicon, doubts)
    return normalized(_validated(email, text), doubts + _split_doubts(email))


def _chunks(text: str, lexicon: Lexicon, doubts: list[str]) -> list[Chunk]:
    # Spelling first: "l like lima" must not lose its "like" as a filler.
    text = apply_hints(drop_spelled_repeats(text, lexicon), lexicon, doubts)
    # "gwen g as in golf w …": a word spelled again with spelling words is said once.
    text = drop_spelled_repeats(spell_phrases(text, lexicon, doubts), lexicon)
    text = strip_talk(text, lexicon).strip(" .,;!?").lower()
    typed = "@" in text
    text = _unglue_ending(text, lexicon)
    for pattern, symbol in lexicon.symbol_patterns:
        if typed and symbol == "@":
            continue  # "@" was written: any "at" is part of a word
        text = pattern.sub(f" {symbol} ", text)
    text = _after_last_intro_verb(text, lexicon)
    tokens = _without_lead_in(_TOKEN.findall(text), lexicon, doubts)
    tokens = letters_from_words(tokens, lexicon, doubts)
    pieces = read_numbers(tokens, lexicon, phone=False, homophone_beside_one=True)
    heard = [t for p in pieces if p.number for t in p.number.tokens if t in lexicon.homophones]
    if heard:
        doubts.append(f"heard '{' '.join(heard)}' as a digit")
    return _snap_split_domain(_pieces_to_chunks(pieces, lexicon, doubts), lexicon, doubts)


def _without_lead_in(tokens: list[str], lexicon: Lexicon, doubts: list[str]) -> list[str]:
    """ "oh you can use bookings @ …": frequent words before the first word of the address
    go before "you" turns into the letter u. Spelled letters are never talk ("i a n")."""
    talk = lexicon.common_words | lexicon.sentence_words
    run = 0
    while run < len(tokens) and len(tokens[run]) > 1 and tokens[run] in talk:
        run += 1
    rest = tokens[run : run + 1]
    if run < 2 or not rest or not rest[0].isalpha() or "@" not in tokens[run:]:
        return tokens
    if not any(lexicon.letter_of(t) for t in tokens[:run]):
        return tokens  # no word of it reads as a letter: the chunks drop it with its context
    doubts.append(f"left out '{' '.join(tokens[:run])}', said before the address")
    return tokens[run:]


def _unglue_ending(text: str, lexicon: Lexicon) -> str:
    """ "puntocom", "dotnet": the word for the dot written together with a common ending."""
    dots = [p for p in lexicon.email_symbols.get(".", ()) if p.isalpha()]
    if not dots:
        return text
    glued = re.compile(
        rf"(?<!\w)({'|'.join(map(re.escape, dots))})({'|'.join(sorted(COMMON_TLDS))})(?!\w)"
    )
    return glued.sub(r"\1 \2", text)


def _after_last_intro_verb(text: str, lexicon: Lexicon) -> str:
    """ "probably my work one which is j patel @ …" → "j patel @ …": an address holds no "is"."""
    at = text.find(" @ ")
    if at < 0:
        return text
    verbs = re.compile(phrase_pattern(lexicon.intro_verbs), re.IGNORECASE)
    matches = list(verbs.finditer(text, 0, at))
    last = matches[-1] if matches else None
    if last is not None and not text[last.end() : at].strip() and text[: last.start()].strip():
        # "my email, it's at gmail dot com": the part before the "@" was never said.
        return text[last.end() :]
    return text[last.end() :] if last is not None and text[last.end() : at].strip() else text


def _snap_split_domain(chunks: list[Chunk], lexicon: Lexicon, doubts: list[str]) -> list[Chunk]:
    """ "hot male" said in two words is hotmail: a domain heard as words near a big provider;
    "gee em ix" is gmx: a provider spelled with letter names."""
    at = next((i for i, c in enumerate(chunks) if c.text == "@"), None)
    if at is None:
        return chunks
    end = next((i for i in range(at + 1, len(chunks)) if chunks[i].kind == "sym"), len(chunks))
    label = chunks[at + 1 : end]
    if len(label) < 2 or any(c.kind not in ("word", "letter") for c in label):
        return chunks
    letters = [
        c.text if c.kind == "letter" else lexicon.letter_of(c.text) or ENGLISH.letter_of(c.text)
        for c in label
    ]
    spelled = "".join(letter or "?" for letter in letters)
    if spelled in KNOWN_MAIL_LABELS:
        doubts.append(f"heard '{' '.join(c.text for c in label)}' as the domain '{spelled}'")
        return [*chunks[: at + 1], Chunk(spelled, "word"), *chunks[end:]]
    if not any(c.kind == "word" for c in label):
        return chunks  # spelled out: "g m x" is what was said
    joined = "".join(c.text for c in label)
    # Said in pieces, the label was misheard by sound ("g male", "ya who"): one more slip.
    known = known_label_near(joined, slack=1)
    if known is None or known == joined:
        return chunks  # "hot mail": joined as said, with the joined-words doubt
    doubts.append(f"heard '{' '.join(c.text for c in label)}' as the domain '{known}'")
    return [*chunks[: at + 1], Chunk(known, "word"), *chunks[end:]]


def _unmistakable(word: str, value: int, lexicon: Lexicon) -> bool:
    """A compound ("einundzwanzig", "quatre-vingt-dix-sept") or a big round number is no name;
    "one", "seven" or "ten" may be."""
    return word not in lexicon.numbers or value >= 20


def _pieces_to_chunks(pieces: list[Piece], lexicon: Lexicon, doubts: list[str]) -> list[Chunk]:
    chunks: list[Chunk] = []
    for index, piece in enumerate(pieces):
        number = piece.number
        if number is None:
            for part in re.split(r"(-)", piece.text):
                if part:
                    kind = "sym" if part in SYMBOLS else "letter" if len(part) == 1 else "word"
                    chunks.append(Chunk(part, kind))
            continue
        if number.literal or number.words > 1:
            chunks.append(Chunk(number.digits, "num"))
            continue
        before = pieces[index - 1] if index else None
        after = pieces[index + 1] if index + 1 < len(pieces) else None
        beside_number = any(p is not None and p.number is not None for p in (before, after))
        word = number.tokens[0]
        if beside_number or _unmistakable(word, int(number.digits), lexicon):
            chunks.append(Chunk(number.digits, "num"))
            continue
        # "jorge guion bajo doce": after a separator inside the address, a number ends a part.
        suffix = before is not None and before.text in "._-" and index > 1
        alone = not suffix and all(p is None or p.text in SYMBOLS for p in (before, after))
        if alone:
            # "seven at example dot com": a whole part that is one number word is a name.
            doubts.append(f"kept '{word}' as a word; it could be the number {number.digits}")
            chunks.append(Chunk(word, "word"))
        else:
            doubts.append(f"wrote '{word}' as '{number.digits}'; it could be the word '{word}'")
            chunks.append(Chunk(number.digits, "num"))
    return chunks


def _correct(
    old: list[Chunk], new: list[Chunk], segment: Segment, lexicon: Lexicon, doubts: list[str]
) -> list[Chunk]:
    """What a correction replaces: all of it, the domain, the ending, or the name part."""
    texts = [c.text for c in new]
    shown = "".join(texts)
    if segment.restart or ("@" in texts and texts[0] != "@"):
        return new
    at = next((i for i, c in enumerate(old) if c.text == "@"), None)
    numbers = [i for i, c in enumerate(old[:at]) if c.kind == "num"]
    value = word_value(texts[0], lexicon, phone=False) if len(new) == 1 else None
    if numbers and value is not None:
        new = [Chunk(str(value), "num")]  # a lone "dreizehn" is a number here, not a name
        shown = new[0].text
    if numbers and all(c.kind == "num" for c in new):
        # "emma zwölf ät gmx punkt de, nein, dreizehn": the number is what was corrected;
        # "two three … no, two four": all of the digits said in a row.
        first = numbers[-1]
        while first > 0 and old[first - 1].kind == "num":
            first -= 1
        replaced = "".join(c.text for c in old[first : numbers[-1] + 1])
        doubts.append(f"took the correction '{shown}' to replace the number '{replaced}'")
        return old[:first] + new + old[numbers[-1] + 1 :]
    if texts[0] == "@":
        return (old[:at] if at is not None else old) + new
    if texts[0] == "." and at is not None:
        # "dot com" corrects the whole ending: example.co.uk → example.com.
        first_dot = next((i for i, c in enumerate(old) if i > at and c.text == "."), len(old))
        doubts.append(f"took the correction '{shown}' to replace the ending of the domain")
        return old[:first_dot] + new
    if at is not None and "." in texts:
        doubts.append(f"took the correction '{shown}' to replace the domain")
        return old[: at + 1] + new
    if at is not None:
        doubts.append(f"took the correction '{shown}' to replace the part before the @")
        return new + old[at:]
    words = [i for i, c in enumerate(old) if c.kind != "sym"]
    if len(new) < len(old) and words:
        doubts.append(f"took the correction '{shown}' to replace the last part said")
        keep = len(old) - len(new)
        return old[:keep] + new
    return new


def _ending_sound_alike(chunks: list[Chunk], lexicon: Lexicon, doubts: list[str]) -> list[Chunk]:
    """ "punto con", "point comme": the last label of the domain heard as a word like "com";
    "yahou", "gmale": a provider's name as the language says it, or as it sounds;
    "web punk de": the word for the dot one slip off, before an ending."""
    at = next((i for i, c in enumerate(chunks) if c.text == "@"), None)
    if at is None or at + 1 >= len(chunks):
        return chunks
    said = chunks[at + 1].text
    label = lexicon.label_sound_alikes.get(said) or provider_sounding_like(said)
    if label:
        if label != lexicon.label_sound_alikes.get(said):
            doubts.append(f"heard '{said}' as the domain '{label}'")
        chunks = [*chunks[: at + 1], Chunk(label, "word"), *chunks[at + 2 :]]
    dots = [w for w in lexicon.email_symbols.get(".", ()) if w.isalpha() and len(w) >= 4]
    if len(chunks) == at + 4 and "." not in [c.text for c in chunks[at:]]:
        slip, last = chunks[at + 2], chunks[at + 3]
        if last.text in COMMON_TLDS and any(edit_distance(slip.text, d) == 1 for d in dots):
            doubts.append(f"heard '{slip.text}' as '.'")
            chunks = [*chunks[: at + 2], Chunk(".", "sym"), last]
    if len(chunks) < at + 4 or chunks[-2].text != ".":
        return chunks
    ending = lexicon.tld_sound_alikes.get(chunks[-1].text)
    return [*chunks[:-1], Chunk(ending, "word")] if ending else chunks


def _without_talk_before(chunks: list[Chunk], lexicon: Lexicon, doubts: list[str]) -> list[Chunk]:
    """ "let me think it's samuel dot ortiz @ …", "my work one hannah dot price @ …": words
    said before the address join its first part; the frequent words of the language and
    who the address belongs to ("meinem mann") go, up to the last of them, with a doubt."""
    run = 0
    while run < len(chunks) and chunks[run].kind == "word":
        run += 1
    if run < 2:
        return chunks
    talk = lexicon.common_words | lexicon.sentence_words
    words = [c.text for c in chunks[:run]]
    last = max(
        (
            i
            for i, word in enumerate(words[:-1])
            if word in talk or " ".join(words[max(0, i - 1) : i + 1]) in lexicon.relations
        ),
        default=None,
    )
    if last is None or words[0] not in talk:
        return chunks  # "ada for example @": talk opens the reply, or it is the address
    doubts.append(f"left out '{' '.join(words[: last + 1])}', said before the address")
    return chunks[last + 1 :]


def _without_talk_after(chunks: list[Chunk], doubts: list[str]) -> list[Chunk]:
    """ "… dot com, also kai", "… dot org is that okay": words after a complete ending that
    are no ending themselves were said after the address."""
    at = next((i for i, c in enumerate(chunks) if c.text == "@"), None)
    if at is None:
        return chunks
    for index in range(at + 2, len(chunks) - 2):
        ending, after = chunks[index + 1], chunks[index + 2 :]
        if chunks[index].text != "." or ending.text not in COMMON_TLDS:
            continue
        if any(c.kind == "sym" for c in after) or after[0].text in COMMON_TLDS:
            continue
        doubts.append(f"left out '{' '.join(c.text for c in after)}', said after the address")
        return chunks[: index + 2]
    return chunks


def _doubt_joined_words(chunks: list[Chunk], doubts: list[str]) -> None:
    """Words said one after another with no symbol between were joined: say so."""
    run: list[Chunk] = []
    for chunk in [*chunks, Chunk("@", "sym")]:
        if chunk.kind in ("word", "letter"):
            run.append(chunk)
            continue
        if len(run) >= 2 and any(c.kind == "word" for c in run):
            said = " ".join(c.text for c in run)
            doubts.append(f"joined '{said}' into '{said.replace(' ', '')}' with no dot between")
        run = []


def _insert_missing_at(chunks: list[Chunk], doubts: list[str]) -> list[Chunk]:
    """'john gmail.com' → john@gmail.com: the @ goes before a well-known mail domain."""
    for index in range(1, len(chunks) - 1):
        if chunks[index].text in KNOWN_MAIL_LABELS and chunks[index + 1].text == ".":
            doubts.append(f"no 'at' was heard; put it before '{chunks[index].text}'")
            return [*chunks[:index], Chunk("@", "sym"), *chunks[index:]]
    return chunks


# How German writes umlauts where only ASCII is allowed ("Müller" → mueller).
_GERMAN_ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _ascii(email: str, lexicon: Lexicon, doubts: list[str]) -> str:
    """Addresses are ASCII in practice: accents go, with a doubt, as the caller may spell it."""
    if email.isascii():
        return email
    plain = email.translate(_GERMAN_ASCII) if lexicon.code == "de" else email.replace("ß", "ss")
    plain = unicodedata.normalize("NFD", plain)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    if plain.isascii():
        doubts.append(f"wrote '{email}' without accents as '{plain}'")
        return plain
    return email


def _split_doubts(email: str) -> list[str]:
    domain = email.partition("@")[2]
    return list(domain_doubts(domain)) if domain else []


def _validated(email: str, text: str) -> str:
    if email.count("@") != 1:
        raise NormalizationError(
            f"'{text.strip()}' does not contain one '@'; ask for the email address again."
        )
    local, domain = email.split("@")
    if not local:
        raise NormalizationError("The part before the @ is missing; ask for the full address.")
    if "." not in domain or not re.fullmatch(r"[a-z]{2,24}", domain.rsplit(".", 1)[1]):
        raise NormalizationError(
            f"'{domain}' is not a complete domain (like example.com); ask for the domain again."
        )
    try:
        validate_email(email)
    except ValidationError:
        raise NormalizationError(f"'{email}' is not a valid email address.") from None
    return email
