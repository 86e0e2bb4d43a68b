"""Booleans: written ``1`` / ``0``; ja/nee, j/n, yes/no, y/n, true/false, waar/onwaar in any case."""
from __future__ import annotations

from alphaimport.normalise.base import EMPTY, Invalid, Normalised, Normaliser, shown, trim

TRUE = frozenset({"1", "ja", "j", "yes", "y", "true", "waar"})
FALSE = frozenset({"0", "nee", "n", "no", "false", "onwaar"})


def normalise_boolean(text: str) -> Normalised:
    """Return ``1`` or ``0`` for a yes/no word in ``text``; raise Invalid for anything else."""
    value = trim(text)
    if not value:
        return EMPTY
    word = value.casefold()
    if word in TRUE:
        return Normalised("1")
    if word in FALSE:
        return Normalised("0")
    raise Invalid("invalid-boolean", f"{shown(value)} is not a yes/no value; write 1 or 0 "
                                     "(ja/nee, yes/no, true/false are accepted).")


def make() -> Normaliser:
    """Return the boolean normaliser."""
    return normalise_boolean
