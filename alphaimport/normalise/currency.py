"""Currencies: written as ISO 4217 alpha-3 upper case (eur -> EUR, € -> EUR)."""
from __future__ import annotations

from functools import lru_cache

import pycountry

from alphaimport.normalise.base import EMPTY, Invalid, Normalised, Normaliser, shown, trim

# Only unambiguous signs and words: $ (USD, CAD, AUD...) and £ (GBP, EGP...) are not guessed.
SIGNS = {"€": "EUR", "euro": "EUR", "euros": "EUR"}
# ISO 4217 codes that are no money an invoice is paid in: no currency, testing, metals, bond units.
NOT_MONEY = frozenset({"XXX", "XTS", "XAU", "XAG", "XPD", "XPT", "XBA", "XBB", "XBC", "XBD", "XDR",
                       "XSU", "XUA"})


@lru_cache(maxsize=1)
def codes() -> frozenset[str]:
    """Return the ISO 4217 alpha-3 codes accepted."""
    return frozenset(c.alpha_3 for c in pycountry.currencies) - NOT_MONEY


def normalise_currency(text: str) -> Normalised:
    """Return the ISO 4217 code of the currency in ``text``; raise Invalid when unknown."""
    value = trim(text)
    if not value:
        return EMPTY
    code = SIGNS.get(value.casefold(), value.upper())
    if code not in codes():
        raise Invalid("invalid-currency", f"{shown(value)} is not a currency; write its ISO 4217 "
                                          "code (EUR).")
    return Normalised(code)


def make() -> Normaliser:
    """Return the currency normaliser."""
    return normalise_currency
