"""LLM text → what text-to-speech is given: speakable chunks, cut as the tokens stream.

``SentenceSplitter`` turns a reply's token deltas into chunks that TTS can start on
while the rest is generated (docs/ref-cascade.md §5):

- A cut is only ever made at whitespace, and only once the next non-space character has
  arrived, so "$29." is never cut before its "50", and a "." inside an email, a URL, a
  decimal or a time ("9:30", "a.m.") is no candidate at all.
- Whether a sentence really ended is pysbd's decision, asked with the text of the chunk
  so far plus the next word (two words when the next is a list marker: "ID. 2. Arrive"),
  so "Dr. Smith", "9 a.m. tomorrow" and "the U.S. now" stay whole. The decision depends
  on that window only, never on how the tokens were cut, so feeding token by token gives
  the same chunks as feeding the whole text at once.
- A line break is a cut (LLMs put one between list items and paragraphs).
- The first chunk of a reply is sent early, at the first ", " "; " or spaced dash after
  ``first_min`` characters: the caller hears audio sooner on long first sentences.
- No chunk is longer than ``cap`` characters: a longer run is cut at its last comma in
  the second half, else its last space.

``speakable`` then makes a chunk fit for a voice: Markdown dropped, emails spelled out.

Pure (no I/O, no framework); one splitter per reply stream, not shared between threads.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pysbd  # the package ships no type information

LANGUAGES = ("en", "es", "fr", "de")
SENTENCE_END = frozenset(".!?…")
CLOSERS = "\"'”’»)]"
CLAUSE_END = frozenset(",;")
DASHES = frozenset("—–")
_WHITESPACE = re.compile(r"\s+")
_LIST_MARKER = re.compile(r"\(?\d{1,3}[.)]|[ivxIVX]{1,4}[.)]|[a-zA-Z][.)]")
_ALNUM = re.compile(r"\w")


def language_code(language: str) -> str:
    """'es-MX' → 'es'; a language this module has no rules for → 'en'."""
    code = language.split("-")[0].split("_")[0].lower()
    return code if code in LANGUAGES else "en"


class SentenceSplitter:
    """Streaming splitter: ``feed(delta)`` returns the chunks completed by ``delta``,
    ``flush()`` the rest at the end of the reply (and readies the splitter for the next)."""

    def __init__(self, language: str = "en", *, first_min: int = 40, cap: int = 250) -> None:
        self._segmenter = pysbd.Segmenter(language=language_code(language), clean=False)
        self.first_min = first_min
        self.cap = cap
        self._pending = ""  # text of the current chunk onwards; starts at a non-space
        self._checked = 0  # whitespace runs starting before this were decided: no cut
        self._first = True

    def feed(self, delta: str) -> list[str]:
        if not self._pending:
            delta = delta.lstrip()
        self._pending += delta
        return self._cuts(final=False)

    def flush(self) -> list[str]:
        chunks = self._cuts(final=True)
        rest = self._pending.strip()
        if rest:
            chunks.append(rest)
        self._pending, self._checked, self._first = "", 0, True
        return chunks

    def _cuts(self, *, final: bool) -> list[str]:
        chunks: list[str] = []
        while (cut := self._next_cut(final=final)) is not None:
            end, resume = cut
            chunks.append(self._pending[:end].strip())
            self._pending = self._pending[resume:]
            self._checked, self._first = 0, False
        return chunks

    def _next_cut(self, *, final: bool) -> tuple[int, int] | None:
        """(end of the chunk, start of the next) or None when the text so far holds no
        cut yet. Whitespace runs are decided in order, each once, so that a run waiting
        for more text holds back every later one."""
        text = self._pending
        position = self._checked
        while run := _WHITESPACE.search(text, position):
            start, end = run.span()
            if start > self.cap:
                return self._cap_cut()
            if end == len(text) and not final:
                return None  # the next non-space character is not here yet
            if end == len(text):
                break  # trailing whitespace at the end of the reply
            decision = self._decide(start, end, run.group(), final=final)
            if decision is None:
                return None
            if decision:
                return start, end
            self._checked = position = end
        if final and len(text) > self.cap:
            return self._cap_cut()
        return None

    def _decide(self, start: int, end: int, space: str, *, final: bool) -> bool | None:
        """Whether to cut at the whitespace ``text[start:end]``; None: not decidable yet."""
        text = self._pending
        chunk = text[:start]
        if not _ALNUM.search(chunk) or _LIST_MARKER.fullmatch(chunk.strip()):
            return False  # "1." or "**" alone is not worth a chunk
        if "\n" in space:
            return True
        before = chunk.rstrip(CLOSERS)
        if before and before[-1] in SENTENCE_END:
            window = self._window_end(end, final=final)
            if window is None:
                return None
            return self._sentence_ends_at(start, end, text[:window])
        if self._first and start >= self.first_min:
            last = chunk[-1]
            spaced_hyphen = chunk.endswith(" -")
            return last in CLAUSE_END or last in DASHES or spaced_hyphen
        return False

    def _window_end(self, position: int, *, final: bool) -> int | None:
        """End of the word starting at ``position`` (and of the one after it when that
        word is a list marker); None when the text has not reached it yet."""
        text = self._pending
        for _ in range(2):
            gap = _WHITESPACE.search(text, position)
            if gap is None:
                return len(text) if final else None
            word = text[position : gap.start()]
            if not _LIST_MARKER.fullmatch(word):
                return gap.start()
            if gap.end() == len(text):
                return len(text) if final else None
            position = gap.end()
        return position

    def _sentence_ends_at(self, start: int, end: int, window: str) -> bool:
        # Segments keep their whitespace (clean=False), so their lengths add up to
        # offsets in ``window``; a boundary anywhere in this whitespace run counts.
        offset = 0
        for segment in self._segmenter.segment(window):
            offset += len(segment)
            if start <= offset <= end:
                return True
            if offset > end:
                break
        return False

    def _cap_cut(self) -> tuple[int, int]:
        """The chunk has reached ``cap`` with no sentence end: cut at its last clause
        end in the second half, else its last whitespace, else (one long token) at cap."""
        text = self._pending[: self.cap + 1]
        runs = [run for run in _WHITESPACE.finditer(text) if 0 < run.start() <= self.cap]
        if not runs:
            return self.cap, self.cap
        clause = [
            run for run in runs if run.start() >= self.cap // 2 and text[run.start() - 1] in ",;:"
        ]
        best = (clause or runs)[-1]
        return best.start(), best.end()


def split_text(
    text: str, language: str = "en", *, first_min: int = 40, cap: int = 250
) -> list[str]:
    """The chunks of a whole text (what the stream of its tokens gives)."""
    splitter = SentenceSplitter(language, first_min=first_min, cap=cap)
    return splitter.feed(text) + splitter.flush()


# -- speakable text

# What a voice says for the symbols of an email address.
EMAIL_WORDS: dict[str, dict[str, str]] = {
    "en": {"@": "at", ".": "dot", "_": "underscore", "-": "dash", "+": "plus"},
    "es": {"@": "arroba", ".": "punto", "_": "guion bajo", "-": "guion", "+": "más"},
    "fr": {"@": "arobase", ".": "point", "_": "tiret bas", "-": "tiret", "+": "plus"},
    "de": {"@": "at", ".": "Punkt", "_": "Unterstrich", "-": "Bindestrich", "+": "plus"},
}
EMAIL = re.compile(r"(?<![\w.+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_EMAIL_SYMBOL = re.compile(r"([@._+\-])")
_MARKDOWN: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (re.compile(r"```[^\n]*\n?|`"), ""),  # code fences and inline code: keep the words
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images: their description
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links: their text
    (re.compile(r"\bhttps?://(?:www\.)?"), ""),  # "example.com/x" is how people say it
    (re.compile(r"^[ \t]*#{1,6}[ \t]+", re.M), ""),  # headings
    (re.compile(r"^[ \t]*>[ \t]?", re.M), ""),  # quotes
    (re.compile(r"^[ \t]*(?:[-*_][ \t]*){3,}$", re.M), ""),  # horizontal rules
    (re.compile(r"^[ \t]*[-*+•][ \t]+", re.M), ""),  # bullets (numbered items keep "1.")
    (re.compile(r"\*+|__|~~"), ""),  # bold, italics, strike-through (also half of a pair)
    (re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"\1"),  # _italics_, not snake_case
]


def email_spoken(address: str, language: str = "en") -> str:
    """'john.doe@example.com' → 'john dot doe at example dot com'."""
    words = EMAIL_WORDS[language_code(language)]
    parts = _EMAIL_SYMBOL.split(address)
    return " ".join(words.get(part, part) for part in parts if part)


def speakable(text: str, language: str = "en") -> str:
    """``text`` as a voice should read it: Markdown markup dropped (links and images keep
    their text), emails spelled out, whitespace collapsed. Safe on a chunk that holds
    half of a Markdown pair ("**Monday" then "at nine**")."""
    for pattern, replacement in _MARKDOWN[:4]:
        text = pattern.sub(replacement, text)
    # Before the emphasis rules, which would eat the underscores of "john_doe@…".
    text = EMAIL.sub(lambda match: email_spoken(match.group(), language), text)
    for pattern, replacement in _MARKDOWN[4:]:
        text = pattern.sub(replacement, text)
    return " ".join(text.split())
