"""What every normaliser returns, or raises."""

from __future__ import annotations

from dataclasses import dataclass


class NormalizationError(ValueError):
    """The text does not hold a usable value; the message says what is wrong."""


@dataclass(frozen=True)
class Normalized:
    """A clean value and whether it may be wrong.

    ``doubts`` are short English reasons the model reads before deciding to read the
    value back to the caller; ``certain`` is False whenever there is one.
    """

    value: str
    certain: bool = True
    doubts: tuple[str, ...] = ()
    extension: str = ""

    def __str__(self) -> str:
        return f"{self.value};ext={self.extension}" if self.extension else self.value


def normalized(value: str, doubts: list[str], extension: str = "") -> Normalized:
    unique = tuple(dict.fromkeys(doubts))
    return Normalized(value=value, certain=not unique, doubts=unique, extension=extension)
