"""Whole numbers (INT fields): optional sign, ASCII digits, written without leading zeros."""
from __future__ import annotations

import re

from alphaimport.normalise.base import EMPTY, Invalid, Normalised, Normaliser, shown, trim

_INTEGER = re.compile(r"(?P<sign>[-+])?\s*(?P<digits>[0-9]+)")
_DECIMAL = re.compile(r"[-+]?[0-9]*[.,][0-9]+")


def normalise_integer(text: str) -> Normalised:
    """Return the whole number in ``text`` (``+03`` -> ``3``); raise Invalid for anything else."""
    value = trim(text)
    if not value:
        return EMPTY
    m = _INTEGER.fullmatch(value)
    if not m:
        if _DECIMAL.fullmatch(value):
            why = "a whole number has no decimal part or thousands separator"
        else:
            why = "a whole number has only the digits 0-9 and an optional sign"
        raise Invalid("invalid-integer", f"{shown(value)} is not a whole number: {why}.")
    # digits stay text: int() would refuse more than 4300 digits and adds nothing here
    digits = m["digits"].lstrip("0") or "0"
    negative = m["sign"] == "-" and digits != "0"
    return Normalised(("-" if negative else "") + digits)


def make() -> Normaliser:
    """Return the integer normaliser."""
    return normalise_integer
