"""Understanding spoken dates and times ("tomorrow at 2 PM", "mañana a las tres de la
tarde", "um halb vier") in the agent's time zone and language.

``parser`` holds the grammar of one canonical (English) vocabulary; each language's
``lexicon`` module rewrites its phrases into that vocabulary.
"""

from appointments.when.parser import parse_when
from appointments.when.types import When, WhenError, WhenInPast

__all__ = ["When", "WhenError", "WhenInPast", "parse_when"]
