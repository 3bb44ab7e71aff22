"""The words of each language, one module per language, listed in ``LEXICONS``."""

from __future__ import annotations

from contacts.spoken.lexicons import de, en, es, fr
from contacts.spoken.lexicons.base import Lexicon

LEXICONS: dict[str, Lexicon] = {
    lexicon.code: lexicon for lexicon in (en.LEXICON, es.LEXICON, fr.LEXICON, de.LEXICON)
}
SUPPORTED_LANGUAGES: tuple[str, ...] = tuple(LEXICONS)


def lexicon_for(language: str | None) -> Lexicon:
    """The lexicon of ``language`` ("de", "de-AT", "DE"); English for anything unknown."""
    code = (language or "en").strip().lower().replace("_", "-").split("-")[0]
    return LEXICONS.get(code, en.LEXICON)


__all__ = ["LEXICONS", "SUPPORTED_LANGUAGES", "Lexicon", "lexicon_for"]
