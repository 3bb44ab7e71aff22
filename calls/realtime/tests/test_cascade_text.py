"""LLM token streams → speakable chunks for TTS (docs/ref-cascade.md §5)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calls.realtime.engines.cascade.text import (
    SentenceSplitter,
    email_spoken,
    speakable,
    split_text,
)

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once


def streamed(text: str, pieces: list[int] | None = None, *, cap: int = 250) -> list[str]:
    """The chunks of ``text`` fed in pieces of the given sizes (one character each when
    none), as an LLM's deltas arrive."""
    splitter = SentenceSplitter(cap=cap)
    chunks: list[str] = []
    position = 0
    for size in pieces or [1] * len(text):
        chunks += splitter.feed(text[position : position + size])
        position += size
    chunks += splitter.feed(text[position:])
    return chunks + splitter.flush()


TRICKY = [
    (
        "Dr. Smith can see you at 9 a.m. tomorrow. Is that okay?",
        ["Dr. Smith can see you at 9 a.m. tomorrow.", "Is that okay?"],
    ),
    ("That's $29.50. Anything else?", ["That's $29.50.", "Anything else?"]),
    ("We ship to the U.S. now. Great.", ["We ship to the U.S. now.", "Great."]),
    (
        "Email me at john.doe@example.com. Thanks!",
        ["Email me at john.doe@example.com.", "Thanks!"],
    ),
    ("1. Bring your ID. 2. Arrive early.", ["1. Bring your ID.", "2. Arrive early."]),
    ("We open at 9:30. See you!", ["We open at 9:30.", "See you!"]),
    ("Go to example.com/book. Then pick a time.", ["Go to example.com/book.", "Then pick a time."]),
    ('She said "Yes." Then she left.', ['She said "Yes."', "Then she left."]),
    ("Hmm... let me think. Okay!", ["Hmm... let me think.", "Okay!"]),
    ("Options:\n- Monday\n- Tuesday", ["Options:", "- Monday", "- Tuesday"]),
]


@pytest.mark.parametrize(("text", "expected"), TRICKY)
def test_tricky_inputs_are_cut_only_at_sentence_ends(text: str, expected: list[str]) -> None:
    assert split_text(text) == expected
    assert streamed(text) == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("es", "Hola. ¿Cómo está? Bien, gracias.", ["Hola.", "¿Cómo está?", "Bien, gracias."]),
        ("fr", "Bonjour M. Dupont. Ça va ?", ["Bonjour M. Dupont.", "Ça va ?"]),
        ("de", "Das kostet 3,50 Euro. Danke!", ["Das kostet 3,50 Euro.", "Danke!"]),
        ("pt-BR", "Dr. Silva. Obrigado.", ["Dr. Silva.", "Obrigado."]),  # English rules
    ],
)
def test_other_languages(language: str, text: str, expected: list[str]) -> None:
    assert split_text(text, language) == expected


def test_no_cut_before_the_next_non_space_character_arrives() -> None:
    splitter = SentenceSplitter()
    assert splitter.feed("It costs $29.") == []
    assert splitter.feed(" ") == []  # "$29. 50"? "$29. Next"? not known yet
    assert splitter.feed("Any") == []  # "Any" or "Anyway,"? (the next word, whole)
    assert splitter.feed("thing else?") == ["It costs $29."]
    assert splitter.flush() == ["Anything else?"]


def test_a_sentence_end_waits_for_the_whole_next_word() -> None:
    """pysbd is asked with the next word complete: "a.m. t…" must not be decided on one letter."""
    splitter = SentenceSplitter()
    assert splitter.feed("Come at 9 a.m. to") == []
    assert splitter.feed("morrow please. ") == []
    assert splitter.feed("Bye ") == ["Come at 9 a.m. tomorrow please."]


def test_the_first_chunk_goes_early_at_a_comma_after_forty_characters() -> None:
    text = (
        "I checked the calendar for next week for you, and there are three free slots, "
        "all in the morning. Which one suits you best, the first or the second?"
    )
    assert split_text(text) == [
        "I checked the calendar for next week for you,",
        "and there are three free slots, all in the morning.",
        "Which one suits you best, the first or the second?",
    ]


@pytest.mark.parametrize("dash", [" —", " –", " -"])
def test_the_first_chunk_goes_early_at_a_spaced_dash(dash: str) -> None:
    text = f"Your appointment on Monday has been moved{dash} see you on Tuesday at ten."
    assert split_text(text)[0] == f"Your appointment on Monday has been moved{dash}"


def test_no_early_cut_at_a_comma_before_forty_characters_or_inside_a_number() -> None:
    assert split_text("Yes, of course, I can do that for you right now.") == [
        "Yes, of course, I can do that for you right now."
    ]
    assert split_text("The total for all of your tickets comes to 1,250 dollars.") == [
        "The total for all of your tickets comes to 1,250 dollars."
    ]


def test_chunks_are_capped_at_a_comma_or_a_space() -> None:
    clause = "and then we also have one more option on the list for you "
    text = "Here is everything we have " + clause * 10 + "to choose from."
    chunks = split_text(text, cap=100)
    assert all(len(chunk) <= 100 for chunk in chunks)
    assert len(chunks) > 5
    assert all(not chunk.startswith(" ") and chunk for chunk in chunks)
    assert " ".join(chunks).split() == text.split()
    with_commas = "Well, " + "we have a slot, " * 20 + "and that is all."
    capped = split_text(with_commas, cap=100, first_min=1000)
    assert all(chunk.endswith(",") for chunk in capped[:-1])
    one_token = "x" * 250
    assert split_text(one_token, cap=100) == ["x" * 100, "x" * 100, "x" * 50]


def test_a_list_marker_or_markup_alone_is_never_a_chunk() -> None:
    assert split_text("1. Yes. 2. No.") == ["1. Yes.", "2. No."]
    assert split_text("**\nHello there.") == ["**\nHello there."]


def test_the_splitter_is_ready_for_the_next_reply_after_flush() -> None:
    splitter = SentenceSplitter()
    assert splitter.feed("Hi. There") == []
    assert splitter.flush() == ["Hi.", "There"]
    assert splitter.flush() == []
    long_first = "This second reply also starts with a long clause, so it goes early."
    assert splitter.feed(long_first) == ["This second reply also starts with a long clause,"]


LONG_REPLY = (
    "Sure! Dr. Smith has openings on Monday at 9 a.m. and 2:30 p.m., and on Tuesday — "
    "the 14th — at 11. The visit costs $29.50. 1. Bring your ID. 2. Arrive early.\n\n"
    "- **Parking** is free.\n- Questions? Email john.doe@example.com or see "
    "https://example.com/faq. Thanks, and see you soon!"
)


@settings(max_examples=200, deadline=None)
@given(cuts=st.lists(st.integers(min_value=1, max_value=8), max_size=80))
def test_any_token_boundaries_give_the_whole_text_chunks(cuts: list[int]) -> None:
    assert streamed(LONG_REPLY, cuts) == split_text(LONG_REPLY)


words = st.sampled_from(
    ["Dr.", "a.m.", "U.S.", "$29.50.", "1.", "2)", "john.doe@example.com.", "Hi!", "ok?",
     "well,", "—", "-", "no", "yes.", "tomorrow", "9:30", "…", '"Yes."', "x" * 30, "«Oui»."]
)  # fmt: skip
spaces = st.sampled_from([" ", " ", " ", "  ", "\n", "\n\n", " \t"])


@settings(max_examples=300, deadline=None)
@given(
    tokens=st.lists(st.tuples(words, spaces), max_size=60),
    cuts=st.lists(st.integers(min_value=1, max_value=6), max_size=200),
    cap=st.integers(min_value=20, max_value=250),
)
def test_chunks_keep_every_character_however_the_tokens_come(
    tokens: list[tuple[str, str]], cuts: list[int], cap: int
) -> None:
    text = " " + "".join(word + space for word, space in tokens)
    whole = split_text(text, cap=cap)
    assert re.sub(r"\s", "", "".join(whole)) == re.sub(r"\s", "", text)
    assert all(chunk and chunk == chunk.strip() and len(chunk) <= cap for chunk in whole)
    assert streamed(text, cuts, cap=cap) == whole


def test_speakable_drops_markdown_and_keeps_the_words() -> None:
    text = (
        "# Opening hours\n"
        "- **Monday**: 9 to 5\n"
        "* _Tuesday_: closed\n"
        "> Note: see [our page](https://example.com/hours) or ![map](m.png).\n"
        "---\n"
        "1. Use `book_now` or ~~call~~ write to https://www.example.com/contact."
    )
    assert speakable(text) == (
        "Opening hours Monday: 9 to 5 Tuesday: closed Note: see our page or map. "
        "1. Use book_now or call write to example.com/contact."
    )


def test_speakable_is_safe_on_half_of_a_markdown_pair() -> None:
    assert speakable("**Monday at") == "Monday at"
    assert speakable("nine** works.") == "nine works."
    assert speakable("snake_case_name stays") == "snake_case_name stays"


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        (
            "en",
            "Write to john.doe@example.com.",
            "Write to john dot doe at example dot com.",
        ),
        ("en-GB", "a_b-c+d@x.co.uk", "a underscore b dash c plus d at x dot co dot uk"),
        (
            "es",
            "Escríbame a ana.lopez@correo.es",
            "Escríbame a ana punto lopez arroba correo punto es",
        ),
        ("fr", "Écrivez à marie@exemple.fr", "Écrivez à marie arobase exemple point fr"),
        ("de", "Schreiben Sie an max@beispiel.de", "Schreiben Sie an max at beispiel Punkt de"),
        ("it", "ciao@example.com", "ciao at example dot com"),
    ],
)
def test_emails_are_spelled_out(language: str, text: str, expected: str) -> None:
    assert speakable(text, language) == expected


def test_an_emails_underscores_are_not_markdown() -> None:
    assert speakable("Mail _jo_hn_@example.com") == (
        "Mail underscore jo underscore hn underscore at example dot com"
    )
    assert email_spoken("jo31@example.com") == "jo31 at example dot com"
    assert speakable("no email@here or @handle") == "no email@here or @handle"
