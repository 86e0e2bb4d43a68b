"""Countries: written as ISO 3166-1 alpha-2 upper case; codes, English and Dutch names accepted."""
from __future__ import annotations

import gettext
import unicodedata
from functools import lru_cache

import pycountry

from alphaimport.normalise.base import EMPTY, Invalid, Normalised, Normaliser, shown, trim

# Names people write that are neither ISO codes nor pycountry's English or Dutch names.
EXTRA_NAMES = {
    "holland": "NL", "the netherlands": "NL", "belgique": "BE", "belgien": "BE", "deutschland": "DE",
    "uk": "GB", "great britain": "GB", "groot-brittannie": "GB", "groot brittannie": "GB",
    "engeland": "GB", "england": "GB", "usa": "US", "espana": "ES", "turkey": "TR",
}


def fold(text: str) -> str:
    """Return ``text`` case- and accent-folded with single spaces (België -> belgie)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@lru_cache(maxsize=1)
def names() -> dict[str, str]:
    """Return every accepted (folded) spelling -> alpha-2; a spelling two countries share is left out."""
    dutch = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["nl"], fallback=True)
    found: dict[str, set[str]] = {}
    for country in pycountry.countries:
        spellings = {country.name, dutch.gettext(country.name)}
        for attribute in ("official_name", "common_name"):
            name = getattr(country, attribute, None)
            if name:
                spellings |= {name, dutch.gettext(name)}
        for spelling in spellings:
            found.setdefault(fold(spelling), set()).add(country.alpha_2)
    table = {name: codes.pop() for name, codes in found.items() if len(codes) == 1}
    table.update(EXTRA_NAMES)
    for country in pycountry.countries:  # codes win over any name
        table[country.alpha_2.casefold()] = country.alpha_2
        table[country.alpha_3.casefold()] = country.alpha_2
    return table


def normalise_country(text: str) -> Normalised:
    """Return the ISO 3166-1 alpha-2 code of the country in ``text``; raise Invalid when unknown."""
    value = trim(text)
    if not value:
        return EMPTY
    code = names().get(fold(value))
    if code is None:
        raise Invalid("invalid-country", f"{shown(value)} is not a country; write its ISO 3166-1 "
                                         "alpha-2 code (NL, BE, DE).")
    return Normalised(code)


def make() -> Normaliser:
    """Return the country normaliser."""
    return normalise_country
