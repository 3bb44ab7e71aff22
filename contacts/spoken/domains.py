"""Well-known mail domains, to catch a misheard one ("gmial.com", "hot mail")."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# First labels of the big mailbox providers; "gmx" covers gmx.de, gmx.net, gmx.fr.
KNOWN_MAIL_LABELS = frozenset(
    {
        "gmail", "googlemail", "yahoo", "ymail", "hotmail", "outlook", "live", "msn", "icloud",
        "me", "mac", "aol", "protonmail", "proton", "pm", "gmx", "web", "yandex", "zoho", "mail",
        "fastmail", "hey", "orange", "free", "wanadoo", "laposte", "sfr", "t-online", "freenet",
        "telefonica", "movistar", "libero", "virgilio", "btinternet", "comcast", "verizon",
        "att", "sbcglobal", "qq", "163", "naver", "rediffmail", "mailbox", "posteo", "tutanota",
    }
)  # fmt: skip
# Labels that are only worth suggesting when a caller's label is close to them (long enough
# that one slip is not another real provider).
SUGGESTABLE = frozenset(
    {
        "gmail", "googlemail", "yahoo", "hotmail", "outlook", "icloud", "protonmail", "yandex",
        "fastmail", "wanadoo", "laposte", "orange", "t-online", "freenet", "btinternet",
        "comcast", "verizon", "sbcglobal", "rediffmail", "posteo", "tutanota", "libero",
    }
)  # fmt: skip
COMMON_TLDS = frozenset(
    "com net org edu gov mil io co uk de fr es it nl be ch at au ca us in jp br mx ar ie "
    "info biz me eu pt pl se no dk fi cz ru cn nz za app dev ai tv cat gal eus".split()
)


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein (with adjacent swaps: 'gmial' is one slip from 'gmail')."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, start=1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def known_label_near(label: str, *, slack: int = 0) -> str | None:
    """The big provider's label ``label`` is one slip from (two for a long one), if any;
    ``slack`` more when the label was heard in pieces."""
    if label in KNOWN_MAIL_LABELS:
        return label
    near = sorted(
        (edit_distance(label, known), known)
        for known in SUGGESTABLE
        if abs(len(known) - len(label)) <= 2
    )
    if near and near[0][0] <= (1 if len(label) <= 5 else 2) + slack:
        return near[0][1]
    return None


@lru_cache(maxsize=4096)
def domain_doubts(domain: str) -> tuple[str, ...]:
    """Why ``domain`` may be misheard: a label near a big provider's, or an odd ending.

    Cached: callers' domains repeat, and the distance to every provider is the slow part.
    """
    doubts: list[str] = []
    labels = domain.split(".")
    first, tld = labels[0], labels[-1]
    known = known_label_near(first)
    if known is not None and known != first:
        doubts.append(f"the domain '{domain}' may be misheard ({known}?)")
    if tld not in COMMON_TLDS:
        near_tld = [
            t for t in ("com", "net", "org", "de", "fr", "es") if edit_distance(tld, t) <= 2
        ]
        # A rare ending is more often a mishearing than a real one: never sure.
        if near_tld:
            doubts.append(f"the ending '.{tld}' may be misheard (.{near_tld[0]}?)")
        else:
            doubts.append(f"the ending '.{tld}' is unusual and may be misheard")
    return tuple(doubts)


# How a provider's name is heard in other spellings: "gmale", "gmeil", "yajú", "autluk".
# Each rule maps spellings of one sound to one key; the order matters ("aille" before "ai").
_SOUND_RULES = (
    (r"aille|eille|ail|ale|eil|ayl|eyl|el", "al"),
    (r"ou|oo|au|ú", "u"),
    (r"j", "h"),
    (r"(?<=[aeiou])h|^h", ""),
    (r"ck|c|q", "k"),
    (r"ph", "f"),
    (r"w", "v"),
    (r"y", "i"),
    (r"(.)\1", r"\1"),
)


def sound_key(label: str) -> str:
    """A rough key of how ``label`` sounds, the same for "gmail" and "gmale"."""
    key = unicodedata.normalize("NFD", label.lower())
    key = "".join(ch for ch in key if not unicodedata.combining(ch))
    for pattern, repl in _SOUND_RULES:
        key = re.sub(pattern, repl, key)
    return key


@lru_cache(maxsize=1)
def _sound_keys() -> dict[str, str]:
    return {sound_key(label): label for label in SUGGESTABLE}


def provider_sounding_like(label: str) -> str | None:
    """The big provider ``label`` sounds like when it is none itself: "gmale" → gmail."""
    if label in KNOWN_MAIL_LABELS or len(label) < 4:
        return None
    return _sound_keys().get(sound_key(label))
