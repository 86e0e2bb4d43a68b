"""Gender: written ``M``, ``F`` or ``U``; Dutch and English words and salutations accepted."""
from __future__ import annotations

from alphaimport.normalise.base import EMPTY, Invalid, Normalised, Normaliser, shown, trim

# "mr" is deliberately absent: in Dutch it is the title of a lawyer (meester), of any gender.
WORDS = {
    **dict.fromkeys(("m", "man", "male", "heer", "de heer", "dhr", "mannelijk", "mister"), "M"),
    **dict.fromkeys(("f", "v", "vrouw", "female", "woman", "mevrouw", "mevr", "mw", "vrouwelijk",
                     "mrs", "ms"), "F"),
    # U is unknown: explicit unknowns, and the non-binary markers (X on a Dutch passport), which must
    # never be guessed as M or F
    **dict.fromkeys(("u", "unknown", "onbekend", "x", "o", "other", "anders", "overig"), "U"),
}


def normalise_gender(text: str) -> Normalised:
    """Return M, F or U for the gender word in ``text``; raise Invalid for anything else."""
    value = trim(text)
    if not value:
        return EMPTY
    word = " ".join(value.casefold().split())
    code = WORDS.get(word.removesuffix(".")) if word.count(".") <= 1 else None
    if code is None:
        raise Invalid("invalid-gender", f"{shown(value)} is not a gender; write M (male), F (female) "
                                        "or U (unknown).")
    return Normalised(code)


def make() -> Normaliser:
    """Return the gender normaliser."""
    return normalise_gender
