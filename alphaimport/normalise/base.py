"""The normaliser contract: a pure function from text to :class:`Normalised`, or :class:`Invalid`.

Every normaliser maps ``""`` to ``Normalised("")``, raises nothing but :class:`Invalid`, and is
idempotent on its own output (normalising the output again changes nothing).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

# The characters str.strip() removes (str.isspace() in Python 3.11), spelled out so that the vectorised
# text rule in the stage and the per-value functions agree on one set.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


class Invalid(ValueError):
    """A value a normaliser cannot normalise; ``code`` is an error-level key of ``issues.CODES``."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (self.code, self.message))


@dataclass(frozen=True)
class Normalised:
    """A normalised value and the warning-level findings (code, message) about it."""

    value: str
    warnings: tuple[tuple[str, str], ...] = ()


Normaliser = Callable[[str], Normalised]

EMPTY = Normalised("")


def trim(text: str) -> str:
    """Return ``text`` without leading and trailing white space (NBSP included)."""
    return text.strip(WHITESPACE)


def shown(text: str, limit: int = 60) -> str:
    """Return ``text`` quoted for a message, shortened when long."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'" if text.isprintable() else repr(text)
