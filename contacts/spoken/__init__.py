"""Spoken-form normalisers: what speech recognition makes of emails, phone numbers and names.

One module per concern (conversation, numbers, spelling, email, phone, name) and one
lexicon per language in ``lexicons`` (listed in one registry). ``contacts.normalize``
is the import path callers use.
"""

from contacts.spoken.email import normalize_email
from contacts.spoken.lexicons import SUPPORTED_LANGUAGES
from contacts.spoken.name import normalize_name
from contacts.spoken.phone import normalize_phone
from contacts.spoken.result import NormalizationError, Normalized

__all__ = [
    "SUPPORTED_LANGUAGES",
    "NormalizationError",
    "Normalized",
    "normalize_email",
    "normalize_name",
    "normalize_phone",
]
