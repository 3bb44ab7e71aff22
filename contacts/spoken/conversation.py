"""The talk around a value: lead-ins, fillers, trailing words and self-corrections.

"okay so it's ada at gmail, no sorry, at yahoo dot com, thanks" becomes the segments
["ada at gmail", "at yahoo dot com"] with the kind of correction between them; the
normaliser of each kind decides what a correction replaces.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from contacts.spoken.lexicons import Lexicon

# A bare "no" / "non" / "nein" between pauses is a correction: "at gmail, no, at yahoo".
_BARE_NO = re.compile(r"(?:^|[,;.]|\s-)\s*(?:no|non|nein|nope)\s*(?:[,;.]|\s-|$)", re.IGNORECASE)


@dataclass(frozen=True)
class Segment:
    """What the caller said between two corrections; ``restart`` if it replaces everything."""

    text: str
    corrects: bool = False
    restart: bool = False


def clean_text(text: str) -> str:
    """One form for what speech recognisers write: NFC, straight quotes, single spaces."""
    text = unicodedata.normalize("NFC", text).replace("’", "'").replace("‘", "'")
    return re.sub(r"\s+", " ", text).strip()


def strip_talk(
    text: str,
    lexicon: Lexicon,
    *,
    lead_in: re.Pattern[str] | None = None,
    trailing: re.Pattern[str] | None = None,
) -> str:
    """The value without what is said before it, after it, and the fillers inside it."""
    text = lexicon.intro_re.sub("", text, count=1) if lexicon.intro_re.search(text) else text
    text = (lead_in or lexicon.lead_in_re).sub("", text)
    text = lexicon.filler_re.sub(" ", text)
    text = (trailing or lexicon.trailing_re).sub("", text)
    return re.sub(r"\s+", " ", text).strip(" ,;:!?")


def split_corrections(text: str, lexicon: Lexicon) -> list[Segment]:
    """The text cut at each self-correction; empty segments are dropped."""
    marks: list[tuple[int, int, bool]] = []
    for pattern, restart in ((lexicon.restart_re, True), (lexicon.correction_re, False)):
        for match in pattern.finditer(text):
            marks.append((match.start(), match.end(), restart))
    for match in _BARE_NO.finditer(text):
        marks.append((match.start(), match.end(), False))
    marks.sort()
    segments: list[Segment] = []
    position, corrects, restart = 0, False, False
    for start, end, is_restart in marks:
        if start < position:
            # Overlapping markers ("no, sorry"): one correction.
            position = max(position, end)
            restart = restart or is_restart
            continue
        piece = text[position:start].strip(" ,;.-")
        if piece:
            segments.append(Segment(piece, corrects, restart))
            corrects, restart = True, is_restart
        else:
            corrects = corrects or bool(segments)
            restart = restart or is_restart
        position = end
    tail = text[position:].strip(" ,;.-")
    if tail:
        segments.append(Segment(tail, corrects and bool(segments), restart and bool(segments)))
    return segments
