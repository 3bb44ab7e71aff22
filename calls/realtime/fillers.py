"""Filler phrases: what the agent says while a slow tool runs ("Let me check the calendar
for you…"), so the caller never hears a silence they take for a dropped line.

Which phrases fit a tool is the tool's own declaration: ``register(..., filler="calendar")``
in ``<app>/tools.py`` (``calls/tool_registry.py`` checks the name against ``CATEGORIES``);
a tool that names none gets the ``default`` phrases. Agents may bring their own lists
later (``custom``), per category, in their language.

``FillerPlan`` is the policy, pure and clock-free (the session passes ``now``):

- a filler only once the tool has run for ``threshold`` seconds (per agent, 700 ms by
  default), never when the tool has answered first;
- never while the caller is speaking, nor over the agent's own audio (it may come later
  in the same wait: ask again);
- at most one per turn (``turn_started`` opens the next one);
- not the phrase said last in the call, and phrases not yet said in the call first.

The session speaks them through any engine (``calls/realtime/filling.py``): a
``response.create`` with ``metadata.purpose = "filler"`` and instructions to say the phrase
word for word (``filler_instructions``); the cascade speaks the quoted phrase without
asking its LLM (``quoted_phrase``). docs/calls.md, "Filler phrases".
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

DEFAULT_THRESHOLD = 0.7  # seconds a tool may take before the caller hears a filler
DEFAULT_CATEGORY = "default"

PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "calendar": (
            "Let me check the calendar for you…",
            "One moment while I look at the schedule.",
            "Let me see what's available…",
        ),
        "knowledge": (
            "One moment while I look that up.",
            "Let me check that for you…",
            "Let me find that information…",
        ),
        "contact": (
            "One moment while I note that down.",
            "Let me save that for you…",
            "Just a second while I update your details.",
        ),
        "default": ("One moment, please.", "Just a second…", "Give me a moment…"),
    },
    "es": {
        "calendar": (
            "Déjeme revisar la agenda…",
            "Un momento mientras miro el calendario.",
            "Déjeme ver qué horarios hay disponibles…",
        ),
        "knowledge": (
            "Un momento mientras lo busco.",
            "Déjeme comprobarlo…",
            "Déjeme buscar esa información…",
        ),
        "contact": (
            "Un momento mientras lo anoto.",
            "Déjeme guardar sus datos…",
            "Un segundo mientras actualizo sus datos.",
        ),
        "default": ("Un momento, por favor.", "Un segundo…", "Deme un momento…"),
    },
    "fr": {
        "calendar": (
            "Je regarde l'agenda…",
            "Un instant, je consulte le planning.",
            "Je regarde les disponibilités…",
        ),
        "knowledge": (
            "Un instant, je vérifie.",
            "Je regarde cela pour vous…",
            "Je cherche l'information…",
        ),
        "contact": (
            "Un instant, je note cela.",
            "J'enregistre vos coordonnées…",
            "Une seconde, je mets à jour vos informations.",
        ),
        "default": ("Un instant, s'il vous plaît.", "Une seconde…", "Un petit instant…"),
    },
    "de": {
        "calendar": (
            "Ich schaue kurz in den Kalender…",
            "Einen Moment, ich prüfe die Termine.",
            "Ich sehe nach, was frei ist…",
        ),
        "knowledge": (
            "Einen Moment, ich schaue nach.",
            "Ich prüfe das kurz für Sie…",
            "Ich suche die Information heraus…",
        ),
        "contact": (
            "Einen Moment, ich notiere das.",
            "Ich speichere Ihre Daten…",
            "Eine Sekunde, ich aktualisiere Ihre Angaben.",
        ),
        "default": ("Einen Moment, bitte.", "Eine Sekunde…", "Einen kleinen Moment…"),
    },
}
CATEGORIES = frozenset(PHRASES["en"])
FILLER_PURPOSE = "filler"  # the response.create metadata purpose of a filler
_QUOTED = re.compile(r'"(.+)"\s*$', re.S)


def filler_instructions(phrase: str) -> str:
    """What the engine is asked to say: the phrase, word for word (every engine's model
    can follow it; the offline and cascaded engines say the quoted text as it is)."""
    return f'Say exactly this, word for word, and nothing else: "{phrase}"'


def quoted_phrase(instructions: str) -> str:
    """The phrase in ``filler_instructions`` ("" when there is none)."""
    match = _QUOTED.search(instructions)
    return match.group(1).strip() if match else ""


def filler_language(language: str) -> str:
    """'de-AT' → 'de'; a language without phrases → 'en'."""
    code = language.split("-")[0].split("_")[0].lower()
    return code if code in PHRASES else "en"


def filler_phrases(
    category: str, language: str, custom: Mapping[str, Sequence[str]] | None = None
) -> tuple[str, ...]:
    """The phrases for a tool of ``category`` (``""`` or unknown: the default ones), the
    agent's own (``custom``, by category, already in its language) before the built-in."""
    category = category if category in CATEGORIES else DEFAULT_CATEGORY
    if custom:
        own = tuple(phrase.strip() for phrase in custom.get(category, ()) if phrase.strip())
        if own:
            return own
    return PHRASES[filler_language(language)][category]


@dataclass
class FillerPlan:
    """One call's filler decisions. The session calls ``turn_started`` when the caller's
    turn ends (a new reply begins), and ``decide`` once a tool has run ``threshold``
    seconds (``due_at``), and again whenever what blocked it changes."""

    language: str = "en"
    threshold: float = DEFAULT_THRESHOLD
    custom: Mapping[str, Sequence[str]] | None = None
    rng: random.Random = field(default_factory=random.Random)
    said: list[str] = field(default_factory=list)  # this call's fillers, in order
    _turn_has_one: bool = False

    def turn_started(self) -> None:
        self._turn_has_one = False

    @property
    def spent(self) -> bool:
        """This turn has had its filler."""
        return self._turn_has_one

    def due_at(self, tool_started_at: float) -> float:
        """When to ask ``decide`` about a tool that started at ``tool_started_at``."""
        return tool_started_at + self.threshold

    def decide(
        self,
        *,
        now: float,
        tool_started_at: float,
        category: str = "",
        tool_answered: bool = False,
        caller_speaking: bool = False,
        agent_speaking: bool = False,
    ) -> str | None:
        """The phrase to say now, or None. A phrase returned counts as said: the engine
        speaks it and adds it to the conversation (so the model does not repeat it)."""
        if self._turn_has_one or tool_answered or caller_speaking or agent_speaking:
            return None
        if now < self.due_at(tool_started_at):  # the same sum: a timer set for due_at passes
            return None
        phrase = self._pick(filler_phrases(category, self.language, self.custom))
        self._turn_has_one = True
        self.said.append(phrase)
        return phrase

    def _pick(self, phrases: Sequence[str]) -> str:
        fresh = [phrase for phrase in phrases if phrase not in self.said]
        if not fresh:  # every one was said already: any but the last one
            last = self.said[-1] if self.said else None
            fresh = [phrase for phrase in phrases if phrase != last] or list(phrases)
        return self.rng.choice(fresh)
