"""FillerPlan with a fake clock: a short phrase only when a tool is slow, once a turn."""

from __future__ import annotations

import random
from typing import Any

import pytest

from calls.realtime.fillers import (
    CATEGORIES,
    DEFAULT_THRESHOLD,
    PHRASES,
    FillerPlan,
    filler_instructions,
    filler_phrases,
    quoted_phrase,
)

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once


def plan(**options: Any) -> FillerPlan:
    return FillerPlan(rng=random.Random(7), **options)  # seeded: the same picks every run


def test_every_language_has_every_category_with_distinct_phrases() -> None:
    assert CATEGORIES == {"calendar", "knowledge", "contact", "default"}
    for language, categories in PHRASES.items():
        assert set(categories) == CATEGORIES, language
        for phrases in categories.values():
            assert len(phrases) >= 2 and len(set(phrases)) == len(phrases)


def test_a_filler_only_once_the_tool_has_run_past_the_threshold() -> None:
    fillers = plan()
    assert fillers.due_at(10.0) == 10.0 + DEFAULT_THRESHOLD
    assert fillers.decide(now=10.5, tool_started_at=10.0, category="calendar") is None
    phrase = fillers.decide(now=10.7, tool_started_at=10.0, category="calendar")
    assert phrase in PHRASES["en"]["calendar"]
    assert fillers.said == [phrase]


def test_never_when_the_tool_answered_first() -> None:
    fillers = plan()
    assert fillers.decide(now=11.0, tool_started_at=10.0, tool_answered=True) is None
    assert fillers.said == []


def test_never_over_the_caller_nor_the_agents_own_audio_but_later_in_the_wait() -> None:
    fillers = plan(threshold=0.5)
    assert fillers.decide(now=10.6, tool_started_at=10.0, caller_speaking=True) is None
    assert fillers.decide(now=10.8, tool_started_at=10.0, agent_speaking=True) is None
    assert fillers.decide(now=11.2, tool_started_at=10.0) in PHRASES["en"]["default"]


def test_at_most_one_per_turn_even_with_parallel_tools() -> None:
    fillers = plan()
    assert fillers.decide(now=11.0, tool_started_at=10.0, category="calendar") is not None
    assert fillers.decide(now=11.0, tool_started_at=10.1, category="knowledge") is None
    assert fillers.decide(now=15.0, tool_started_at=10.0, category="calendar") is None
    fillers.turn_started()
    assert fillers.decide(now=21.0, tool_started_at=20.0, category="knowledge") is not None
    assert len(fillers.said) == 2


def test_a_call_does_not_repeat_a_phrase_until_all_were_said_nor_the_last_one() -> None:
    fillers = plan()
    phrases = PHRASES["en"]["calendar"]
    for turn in range(30):
        fillers.turn_started()
        assert fillers.decide(now=turn + 0.9, tool_started_at=turn, category="calendar")
    said = fillers.said
    assert set(said[: len(phrases)]) == set(phrases)  # each once before any repeat
    assert all(said[i] != said[i + 1] for i in range(len(said) - 1))


def test_one_phrase_only_may_repeat() -> None:
    fillers = plan(custom={"calendar": ["Checking…"]})
    for turn in range(3):
        fillers.turn_started()
        assert fillers.decide(now=turn + 1, tool_started_at=turn, category="calendar") == (
            "Checking…"
        )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de-AT", PHRASES["de"]),
        ("es", PHRASES["es"]),
        ("fr-CA", PHRASES["fr"]),
        ("ja", PHRASES["en"]),
    ],
)
def test_phrases_in_the_agents_language(
    language: str, expected: dict[str, tuple[str, ...]]
) -> None:
    fillers = plan(language=language)
    assert fillers.decide(now=1, tool_started_at=0, category="knowledge") in expected["knowledge"]


def test_an_agents_own_phrases_come_first_and_unknown_categories_are_default() -> None:
    custom = {"calendar": ["  Un instante, miro la agenda.  ", " "]}
    assert filler_phrases("calendar", "es", custom) == ("Un instante, miro la agenda.",)
    assert filler_phrases("knowledge", "es", custom) == PHRASES["es"]["knowledge"]
    assert filler_phrases("", "en") == PHRASES["en"]["default"]
    assert filler_phrases("rockets", "en") == PHRASES["en"]["default"]


@pytest.mark.parametrize("phrase", ["Un instant, s'il vous plaît.", 'Say "when" — one moment…'])
def test_the_instructions_carry_the_phrase_back_out(phrase: str) -> None:
    instructions = filler_instructions(phrase)
    assert "word for word" in instructions and quoted_phrase(instructions) == phrase
    assert quoted_phrase("Greet the caller.") == ""
