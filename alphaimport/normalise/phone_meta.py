"""The phonenumbers metadata of a region, applied column-wise: national prefixes, lengths, number types.

This mirrors, for arrays of digit strings, what ``phonenumbers`` does per number in
``_maybe_strip_national_prefix_carrier_code``, ``_test_number_length``, ``_number_type_helper`` and
``region_code_for_number``, reading the same ``PhoneMetadata``. Where the metadata needs more than a
literal prefix (a regular expression whose match end matters, a transform rule), the answer is
:data:`None` and the caller leaves the number to the library.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, REGION_CODE_FOR_NON_GEO_ENTITY, PhoneMetadata, PhoneNumberDesc

from alphaimport.normalise import strings

# Number kinds: not a valid number, one that can receive SMS (MOBILE or FIXED_LINE_OR_MOBILE), another type.
UNKNOWN, MOBILE, OTHER = 0, 1, 2
# The types _number_type_helper tries before fixed line and mobile, in its order; any match is valid.
_OTHER_TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail")
_LITERALS = re.compile(r"[0-9]+(?:\|[0-9]+)*")
_LONGEST = 64  # longer than any possible length (phonenumbers reads at most 17 national digits)
# Country calling codes by value (phonenumbers reads at most three digits).
IS_COUNTRY_CODE = np.zeros(1000, dtype=bool)
IS_COUNTRY_CODE[[code for code in COUNTRY_CODE_TO_REGION_CODE if code < 1000]] = True


@dataclass(frozen=True)
class Desc:
    """A PhoneNumberDesc: its national number pattern and possible lengths (None: any length)."""

    pattern: str
    lengths: frozenset[int] | None


@dataclass(frozen=True)
class Plan:
    """One region's metadata, as the fast path reads it."""

    region: str
    country_code: int
    general: Desc | None
    possible: tuple[int, ...]  # the general description's possible lengths
    local_only: frozenset[int]
    prefix: str | None  # national_prefix_for_parsing (a regular expression), None when empty
    prefix_literals: tuple[str, ...] | None  # its alternatives, when all are digit strings and nothing is transformed
    idd: str | None  # international_prefix
    idd_literals: tuple[str, ...] | None
    national_prefix: str | None
    leading_digits: str | None
    others: tuple[Desc, ...]
    fixed: Desc | None
    mobile: Desc | None
    same_mobile_and_fixed: bool

    def keeps_stripped(self, size: int) -> bool:
        """Return whether parse() keeps a national number of ``size`` digits left after a national prefix.

        phonenumbers keeps it unless _test_number_length says TOO_SHORT, IS_POSSIBLE_LOCAL_ONLY or
        INVALID_LENGTH (so IS_POSSIBLE and TOO_LONG keep it).
        """
        if size in self.local_only:
            return False
        if size == self.possible[0]:
            return True
        if size < self.possible[0]:
            return False
        return size > self.possible[-1] or size in self.possible[1:]


def _desc(desc: PhoneNumberDesc | None) -> Desc | None:
    if desc is None or not desc.national_number_pattern:
        return None  # phonenumbers: no description, or an empty pattern, matches nothing
    lengths = tuple(desc.possible_length or ())
    return Desc(desc.national_number_pattern, frozenset(lengths) if lengths else None)


def _literals(pattern: str | None) -> tuple[str, ...] | None:
    return tuple(pattern.split("|")) if pattern and _LITERALS.fullmatch(pattern) else None


@lru_cache(maxsize=None)
def plan(region: str, country_code: int = 0) -> Plan | None:
    """Return the plan of ``region`` (``001`` with ``country_code``: a non-geographic entity), or None."""
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    if (metadata is None or metadata.country_code is None or not metadata.general_desc
            or not metadata.general_desc.possible_length):
        return None
    prefix = metadata.national_prefix_for_parsing or None
    return Plan(
        region=region, country_code=metadata.country_code, general=_desc(metadata.general_desc),
        possible=tuple(metadata.general_desc.possible_length),
        local_only=frozenset(metadata.general_desc.possible_length_local_only or ()),
        prefix=prefix,
        prefix_literals=None if metadata.national_prefix_transform_rule else _literals(prefix),
        idd=metadata.international_prefix, idd_literals=_literals(metadata.international_prefix),
        national_prefix=metadata.national_prefix, leading_digits=metadata.leading_digits,
        others=tuple(d for d in (_desc(getattr(metadata, name)) for name in _OTHER_TYPES) if d is not None),
        fixed=_desc(metadata.fixed_line), mobile=_desc(metadata.mobile),
        same_mobile_and_fixed=bool(metadata.same_mobile_and_fixed_line_pattern),
    )


@lru_cache(maxsize=None)
def main_plan(country_code: int) -> Plan | None:
    """Return the plan parse() uses for numbers with ``country_code`` (its main region); None if non-geographic."""
    regions = COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if not regions or regions[0] == REGION_CODE_FOR_NON_GEO_ENTITY:
        return None
    return plan(regions[0])


@lru_cache(maxsize=None)
def _length_table(lengths: frozenset[int]) -> np.ndarray:
    """Return a table saying, for each length up to _LONGEST (which stands for all longer), whether it is one
    of ``lengths`` (a look-up, where np.isin sorts on every call)."""
    table = np.zeros(_LONGEST + 1, dtype=bool)
    table[[n for n in lengths if 0 <= n < _LONGEST]] = True
    return table


def matches(desc: Desc | None, numbers: pa.Array, sizes: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Return where ``numbers`` match ``desc`` (possible length and pattern), looking only at ``rows``."""
    found = np.zeros(len(numbers), dtype=bool)
    if desc is None:
        return found
    wanted = rows.copy()
    if desc.lengths is not None:
        wanted &= _length_table(desc.lengths)[np.minimum(sizes, _LONGEST)]
    at = np.flatnonzero(wanted)
    if at.size == len(numbers):
        return strings.fullmatch(numbers, desc.pattern)
    if at.size:
        found[at] = strings.fullmatch(numbers.take(pa.array(at)), desc.pattern)
    return found


def kinds(p: Plan, numbers: pa.Array) -> np.ndarray:
    """Return the kind (UNKNOWN, MOBILE, OTHER) of each national significant number, as _number_type_helper."""
    sizes = strings.lengths(numbers)
    kind = np.full(len(numbers), UNKNOWN, dtype=np.int8)
    rest = matches(p.general, numbers, sizes, np.ones(len(numbers), dtype=bool))
    for desc in p.others:
        other = matches(desc, numbers, sizes, rest)
        kind[other] = OTHER
        rest &= ~other
    fixed = matches(p.fixed, numbers, sizes, rest)
    if p.same_mobile_and_fixed:
        kind[fixed] = MOBILE  # FIXED_LINE_OR_MOBILE; the mobile pattern is then never tried
        return kind
    mobile = matches(p.mobile, numbers, sizes, rest)
    kind[fixed & ~mobile] = OTHER  # FIXED_LINE
    kind[mobile] = MOBILE  # FIXED_LINE_OR_MOBILE with a fixed-line match, MOBILE without
    return kind


def classify(country_code: int, numbers: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Return (region code or None, kind) of each national significant number with ``country_code``.

    The region is region_code_for_number's; the kind is UNKNOWN where is_valid_number says invalid.
    """
    regions = COUNTRY_CODE_TO_REGION_CODE.get(country_code, ())
    found = np.full(len(numbers), None, dtype=object)
    kind = np.full(len(numbers), UNKNOWN, dtype=np.int8)
    if len(regions) == 1:
        p = plan(regions[0])
        found[:] = regions[0]
        if p is not None and p.country_code == country_code:
            kind = kinds(p, numbers)
        return found, kind
    pending = np.ones(len(numbers), dtype=bool)
    for region in regions:  # _region_code_for_number_from_list: the first region that claims the number
        p = plan(region)
        at = np.flatnonzero(pending)
        if p is None or not at.size:
            continue
        subset = numbers.take(pa.array(at))
        if p.leading_digits is not None:
            claimed = strings.prefix_match(subset, p.leading_digits)
            sub_kind = np.full(len(at), UNKNOWN, dtype=np.int8)
            if claimed.any():
                sub_kind[claimed] = kinds(p, subset.filter(pa.array(claimed)))
        else:
            sub_kind = kinds(p, subset)
            claimed = sub_kind != UNKNOWN
        hit = at[claimed]
        found[hit] = region
        kind[hit] = sub_kind[claimed] if p.country_code == country_code else UNKNOWN
        pending[hit] = False
    return found, kind
