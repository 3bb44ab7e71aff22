"""The shape of a language's lexicon: the words callers use around emails, phones and names."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

NATO = {
    "alfa": "a", "alpha": "a", "bravo": "b", "charlie": "c", "delta": "d", "echo": "e",
    "foxtrot": "f", "golf": "g", "hotel": "h", "india": "i", "juliet": "j", "juliett": "j",
    "kilo": "k", "lima": "l", "mike": "m", "november": "n", "oscar": "o", "papa": "p",
    "quebec": "q", "romeo": "r", "sierra": "s", "tango": "t", "uniform": "u", "victor": "v",
    "whiskey": "w", "whisky": "w", "x-ray": "x", "xray": "x", "yankee": "y", "zulu": "z",
}  # fmt: skip


def phrases(text: str) -> tuple[str, ...]:
    """'okay, so, it's' → ("okay", "so", "it's"): word lists stay readable and compact."""
    return tuple(p.strip() for p in text.split(",") if p.strip())


def phrase_pattern(phrases: Iterable[str]) -> str:
    """One alternation of whole phrases, longest first, each free of word characters around it."""
    ordered = sorted({p for p in phrases if p}, key=len, reverse=True)
    body = "|".join(re.escape(p).replace(r"\ ", r"[\s,]+") for p in ordered)
    return rf"(?<![\w'’])(?:{body})(?![\w'’])" if ordered else r"(?!x)x"


def pairs(firsts: str, seconds: str) -> tuple[str, ...]:
    """'my, our' by 'wife, son' → ("my wife", "my son", "our wife", "our son")."""
    return tuple(f"{a} {b}" for a in phrases(firsts) for b in phrases(seconds))


@dataclass(frozen=True)
class Lexicon:
    """Everything language-specific; the parsers hold no words of their own.

    ``numbers`` maps number words to their value (units, teens, tens, whole hundreds,
    100 and 1000); glued compounds ("einundzwanzig") are left to text2num.
    """

    code: str
    numbers: Mapping[str, int]
    # A word for a hundred that multiplies nothing ("siete ciento veinte" is 7 then 120).
    lone_hundreds: frozenset[str] = frozenset()
    # Words that are a digit in a phone number but a letter or a word in an email ("oh").
    phone_only_numbers: Mapping[str, int] = field(default_factory=dict)
    # Sound-alikes ("to", "for") read as digits only between other digits, with a doubt.
    homophones: Mapping[str, int] = field(default_factory=dict)
    connectors: frozenset[str] = frozenset()
    repeats: Mapping[str, int] = field(default_factory=dict)
    # symbol -> the phrases said for it
    email_symbols: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    plus_words: tuple[str, ...] = ()
    lead_ins: tuple[str, ...] = ()
    # A phrase that ends an introduction ("my email would be"): everything up to it goes.
    intro_nouns: tuple[str, ...] = ()
    intro_verbs: tuple[str, ...] = ()
    fillers: tuple[str, ...] = ()
    trailing: tuple[str, ...] = ()
    corrections: tuple[str, ...] = ()
    restarts: tuple[str, ...] = ()
    spell_connectors: tuple[str, ...] = ()
    capital_words: tuple[str, ...] = ()
    lower_phrases: tuple[str, ...] = ()
    # "all one word", "todo junto": the words of an address are written together.
    joined_phrases: tuple[str, ...] = ()
    # What recognisers write for the ending "com": "punto con", "point comme".
    tld_sound_alikes: Mapping[str, str] = field(default_factory=dict)
    # How a provider's name is said in the language ("yahou"): the domain's first label.
    label_sound_alikes: Mapping[str, str] = field(default_factory=dict)
    extension_words: tuple[str, ...] = ()
    phonetic: Mapping[str, str] = field(default_factory=dict)
    letter_names: Mapping[str, str] = field(default_factory=dict)
    # Letter names that are words first (Spanish "te", "de"): letters only among letters
    # ("ene te e") or before a spelling word ("te de Toledo").
    weak_letter_names: Mapping[str, str] = field(default_factory=dict)
    name_lead_ins: tuple[str, ...] = ()
    # "hier spricht", "de la part de": said before a name, anywhere; what comes before goes.
    name_intros: tuple[str, ...] = ()
    name_trailing: tuple[str, ...] = ()
    # "and my last name is": said between the first name and the last.
    name_joiners: tuple[str, ...] = ()
    # "the last name is … and the first name is …": said surname first, written after.
    surname_intros: tuple[str, ...] = ()
    first_name_intros: tuple[str, ...] = ()
    # "my husband", "meine Tochter": who the name is for, not a name.
    relations: tuple[str, ...] = ()
    # A question back ("why do you need it") is no name.
    question_words: frozenset[str] = frozenset()
    # "do you …", "muss das …": a verb first, then a pronoun, opens a question.
    question_openers: frozenset[str] = frozenset()
    # "I'd rather not say": the caller declines to give a name.
    declines: tuple[str, ...] = ()
    # "can you repeat", "no le he oído", "wie bitte": the caller asks back or did not hear.
    asks_back: tuple[str, ...] = ()
    # A negation near a verb of giving in a reply with a noun for "name" declines it.
    negations: frozenset[str] = frozenset()
    giving_verbs: frozenset[str] = frozenset()
    name_nouns: frozenset[str] = frozenset()
    # Words that are part of a sentence, almost never of a name ("the", "nicht", "pas"):
    # a name holding one is not sure.
    sentence_words: frozenset[str] = frozenset()
    # The language's most frequent words that are no name ("use", "habla", "genau", "moi"):
    # a name holding one is not sure; a reply made only of them holds no name. Words that
    # are also names ("will", "may", "claire", "mann") stay out.
    common_words: frozenset[str] = frozenset()
    # Personal pronouns that are never a name ("me", "vous", "sie"), and the elided ones
    # that start a word ("m'entendez"): a reading holding one is a sentence ("hear me",
    # "hören sie mich"). Pronouns that are also names ("he", "elle", "ella", "du") stay out.
    pronouns: frozenset[str] = frozenset()
    elided_pronouns: tuple[str, ...] = ()
    # Endings of verb forms that start talk after a name: "calling about", "llamaba por".
    verb_endings: tuple[str, ...] = ()
    # "de", "von", "d'": lower-case inside a name; ``particle_articles`` after one ("de la").
    particles: frozenset[str] = frozenset()
    particle_articles: frozenset[str] = frozenset()
    # "with an h", "con uve", "mit e ypsilon": a hint about the letters of the word before.
    hint_words: tuple[str, ...] = ()
    accent_words: tuple[str, ...] = ()
    # "without an e", "ohne h": a hint about letters the word does not hold.
    without_words: tuple[str, ...] = ()
    # "at the end", "al final": where the hinted letters are, said after them.
    hint_tails: tuple[str, ...] = ()
    # "that's", "c'est": said before spelling out again what was just said.
    spelled_intros: tuple[str, ...] = ()

    def letter_of(self, name: str) -> str | None:
        """The letter a letter name stands for, weak names included: "ge" → "g"."""
        name = name.lower()
        return self.letter_names.get(name) or self.weak_letter_names.get(name)

    @cached_property
    def spelling_words(self) -> dict[str, str]:
        """The language's spelling alphabet plus NATO, which callers use everywhere."""
        return {**NATO, **self.phonetic}

    @cached_property
    def correction_re(self) -> re.Pattern[str]:
        return re.compile(phrase_pattern(self.corrections), re.IGNORECASE)

    @cached_property
    def restart_re(self) -> re.Pattern[str]:
        return re.compile(phrase_pattern(self.restarts), re.IGNORECASE)

    @cached_property
    def filler_re(self) -> re.Pattern[str]:
        return re.compile(phrase_pattern(self.fillers), re.IGNORECASE)

    @cached_property
    def lead_in_re(self) -> re.Pattern[str]:
        return re.compile(rf"^(?:[\s,.:;!-]*{phrase_pattern(self.lead_ins)})+[\s,.:;!-]*", re.I)

    @cached_property
    def intro_re(self) -> re.Pattern[str]:
        nouns = phrase_pattern(self.intro_nouns)
        verbs = phrase_pattern(self.intro_verbs)
        # The verb (or a colon) is needed: "ada at mail dot com" has the noun "mail" but no intro.
        return re.compile(
            rf"^.*?{nouns}(?:'s[\s,:]+|[\s,]*(?:{verbs})[\s,:]+|\s*:\s*)", re.IGNORECASE
        )

    @cached_property
    def trailing_re(self) -> re.Pattern[str]:
        return re.compile(rf"(?:[\s,.;!-]*{phrase_pattern(self.trailing)})+[\s,.;!?-]*$", re.I)

    @cached_property
    def name_lead_in_re(self) -> re.Pattern[str]:
        phrases = (*self.name_lead_ins, *self.lead_ins)
        return re.compile(rf"^(?:[\s,.:;!-]*{phrase_pattern(phrases)})+[\s,.:;!-]*", re.I)

    @cached_property
    def name_intro_re(self) -> re.Pattern[str]:
        return re.compile(rf"^.*{phrase_pattern(self.name_intros)}[\s,.:;!-]*", re.I)

    @cached_property
    def name_trailing_re(self) -> re.Pattern[str]:
        phrases = (*self.name_trailing, *self.trailing)
        return re.compile(rf"(?:[\s,.;!-]*{phrase_pattern(phrases)})+[\s,.;!?-]*$", re.I)

    @cached_property
    def name_joiner_re(self) -> re.Pattern[str]:
        return re.compile(phrase_pattern(self.name_joiners), re.I)

    @cached_property
    def decline_re(self) -> re.Pattern[str]:
        return re.compile(phrase_pattern(self.declines), re.I)

    @cached_property
    def ask_back_re(self) -> re.Pattern[str]:
        return re.compile(phrase_pattern(self.asks_back), re.I)

    @cached_property
    def relation_re(self) -> re.Pattern[str]:
        return re.compile(phrase_pattern(self.relations), re.I)

    @cached_property
    def extension_re(self) -> re.Pattern[str]:
        return re.compile(rf"{phrase_pattern(self.extension_words)}\.?\s*(.+)$", re.I)

    @cached_property
    def spell_re(self) -> re.Pattern[str]:
        """'j as in juliet', 'capital j for juliet': a letter, a connector, a word."""
        connectors = phrase_pattern(self.spell_connectors)
        names = [n for n in (*self.letter_names, *self.weak_letter_names) if " " not in n]
        said = "|".join(["[^\\W\\d_]", *(re.escape(n) for n in names)])
        return re.compile(
            rf"(?<![\w'’])({said})\s+(?:{connectors})\s+([^\W\d_][\w-]*)", re.IGNORECASE
        )

    @cached_property
    def capital_re(self) -> re.Pattern[str]:
        return re.compile(rf"{phrase_pattern(self.capital_words)}\s+([^\W\d_])(?![\w])", re.I)

    @cached_property
    def lower_re(self) -> re.Pattern[str]:
        return re.compile(phrase_pattern(self.lower_phrases), re.IGNORECASE)

    @cached_property
    def joined_re(self) -> re.Pattern[str]:
        return re.compile(phrase_pattern(self.joined_phrases), re.IGNORECASE)

    @cached_property
    def symbol_patterns(self) -> list[tuple[re.Pattern[str], str]]:
        return [
            (re.compile(phrase_pattern(phrases), re.IGNORECASE), symbol)
            for symbol, phrases in self.email_symbols.items()
        ]
