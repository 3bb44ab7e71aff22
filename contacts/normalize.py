"""Normalisation of what speech recognition makes of emails, phone numbers and names.

"john dot doe at gmail dot com" → john.doe@gmail.com; "double five five, one two
three four" → 5551234; "J-O-H-N" → John. Every function returns a ``Normalized`` value
that says whether it is certain, or raises ``NormalizationError`` with a message the
model can read back to the caller. The code lives in ``contacts.spoken``; this module
is the import path the rest of the project uses.
"""

from contacts.spoken import (
    SUPPORTED_LANGUAGES,
    NormalizationError,
    Normalized,
    normalize_email,
    normalize_name,
    normalize_phone,
)

__all__ = [
    "SUPPORTED_LANGUAGES",
    "NormalizationError",
    "Normalized",
    "normalize_email",
    "normalize_name",
    "normalize_phone",
]
