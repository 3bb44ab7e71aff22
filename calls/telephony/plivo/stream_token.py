"""The stream token in Plivo's ``extraHeaders``: letters and digits only, 512 bytes at most.

The token (``calls.telephony.grants``, a Django signed value) holds ``:``, ``.``, ``-`` and
``_``, which ``extraHeaders`` does not allow, so it travels base32-encoded without padding
(``A-Z2-7``; no ``=``, which would also break the ``k=v`` pairs). That is 8/5 of its size:
a token for an E.164 caller is about 170 characters, 272 encoded; the longest agent id and
numbers stay well under 512. Plivo gives the pairs back on ``start`` as ``extra_headers``.
"""

from __future__ import annotations

import base64

HEADER = "callToken"
MAX_EXTRA_HEADERS_BYTES = 512


def extra_headers(token: str) -> str | None:
    """The ``extraHeaders`` value carrying ``token``; None if it would be too long."""
    encoded = base64.b32encode(token.encode()).decode().rstrip("=")
    value = f"{HEADER}={encoded}"
    return value if len(value) <= MAX_EXTRA_HEADERS_BYTES else None


def token_from(extra: str) -> str:
    """The token in a ``start`` frame's ``extra_headers`` (``k=v`` pairs separated by ``;``,
    or ``,`` as written in the XML), or "" when there is none that decodes."""
    for pair in extra.replace(",", ";").split(";"):
        name, _, value = pair.partition("=")
        if name.strip().lower() != HEADER.lower():
            continue
        value = value.strip()
        try:
            return base64.b32decode(value + "=" * (-len(value) % 8), casefold=True).decode()
        except ValueError:  # not base32 (binascii.Error), or not UTF-8
            return ""
    return ""
