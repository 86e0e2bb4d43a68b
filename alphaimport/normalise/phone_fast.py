"""Phone numbers column-wise: the common notations resolved with the metadata over arrays, the rest per value.

``normalise_numbers(values, ...)`` gives, for every value, exactly what ``phone.normalise_number`` gives
(text, warnings, error code and message). It reads the values that are plainly a number (digits, a
leading ``+``, spaces, hyphens, dots, slashes, parentheses; at most 60 characters) the way
``normalise_number`` and ``phonenumbers.parse`` do, step by step over arrays:

* the notation: ``+CC…``, the region's international prefix (``00CC…``), a national number (``0…``),
  or bare digits (``31612345678``: E.164 first, then the national number whose leading zero was lost);
* the country calling code, the national prefix (when it is a literal such as ``0``), the possible
  lengths, the region (``region_code_for_number``) and the number type from the region's patterns.

A number that parses but is no valid number (the metadata's patterns do not match it) is refused here,
with normalise_number's message (``phone.why_not_valid``). A value falls back to ``normalise_number``
when it has another shape (letters, an extension, other characters), when the metadata needs more than
literal prefixes, when parsing fails (too short, no country code) and when the number is not allowed.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import partial

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from alphaimport.normalise import phone, phone_meta, strings
from alphaimport.normalise.base import WHITESPACE
from alphaimport.normalise.batch import Batch, BatchNormaliser, per_value
from alphaimport.normalise.phone import normalise_number
from alphaimport.normalise.phone_meta import MOBILE, UNKNOWN, Plan

_SHAPE = r"\+?[0-9 ()./-]*[0-9][0-9 ()./-]*"  # a subset of phone._SHAPE without an extension
_LONGEST = 60  # base.shown() quotes values up to 60 characters as they are
_MIN_DIGITS, _MAX_DIGITS = 3, 20
_MAX_NSN = 17  # phonenumbers' _MAX_LENGTH_FOR_NSN; _MIN_LENGTH_FOR_NSN is 2
VALID, INVALID, UNSURE = 0, 1, 2


def make(region: str = "NL", mobile_expected: bool = False,
         allowed_countries: Iterable[str] | None = None) -> BatchNormaliser:
    """Return the batch counterpart of ``phone.make(...)``: same options, same result per value."""
    region, mobile_expected, allowed = phone.options(region, mobile_expected, allowed_countries)
    return partial(normalise_numbers, region=region, mobile_expected=mobile_expected, allowed_countries=allowed)


def normalise_numbers(values: np.ndarray, region: str = "NL", mobile_expected: bool = False,
                      allowed_countries: frozenset[str] | None = None) -> Batch:
    """Return what ``normalise_number(value, region, mobile_expected, allowed_countries)`` gives, for each value."""
    values = np.asarray(values, dtype=object)
    batch = Batch.empty(len(values))
    done = _fast(values, _home(region), mobile_expected, allowed_countries, batch)
    core = partial(normalise_number, region=region, mobile_expected=mobile_expected,
                   allowed_countries=allowed_countries)
    return per_value(values, core, np.flatnonzero(~done), batch)


def covered(values: np.ndarray, region: str = "NL", mobile_expected: bool = False,
            allowed_countries: frozenset[str] | None = None) -> np.ndarray:
    """Return where the fast path itself decides (the rest goes to ``normalise_number``); for tests and benchmarks."""
    values = np.asarray(values, dtype=object)
    return _fast(values, _home(region), mobile_expected, allowed_countries, Batch.empty(len(values)))


def _home(region: str) -> Plan:
    """Return the plan of the region numbers without a country code belong to (as phone.options() checks it)."""
    home = phone_meta.plan(region)
    if home is None or region != region.upper():
        raise ValueError(f"unknown phone region {region!r}; use an ISO 3166-1 alpha-2 code such as NL")
    return home


def _fast(values: np.ndarray, home: Plan, mobile_expected: bool, allowed: frozenset[str] | None,
          batch: Batch) -> np.ndarray:
    """Fill ``batch`` for the values the fast path is sure of; return where it did."""
    done = np.zeros(len(values), dtype=bool)
    array, usable = strings.to_arrow(values)
    trimmed = pc.utf8_trim(array, WHITESPACE)
    shaped = usable & strings.fullmatch(trimmed, _SHAPE) & (strings.lengths(trimmed) <= _LONGEST)
    rows = np.flatnonzero(shaped)
    if not rows.size:
        return done
    written = trimmed.take(pa.array(rows))
    plus = strings.starts_with(written, "+")
    trunk = plus | strings.starts_with(written, "00")  # normalise_number drops one "(0)" from these
    if trunk.any():
        written = pc.if_else(pa.array(trunk), pc.replace_substring(written, "(0)", "", max_replacements=1), written)
    digits = strings.keep_digits(written)
    count = strings.lengths(digits)
    national = ~plus & (strings.digit_at(digits, np.zeros(len(rows))) == 0)
    sure = (count >= _MIN_DIGITS) & (count <= _MAX_DIGITS)

    # "+…" and bare digits are parsed as "+" + digits; "0…" as a national number of the region
    result = _attempt(digits, ~national, home)
    why = result.why.copy()  # an invalid bare number's message is about this reading, even when retried
    restored = np.zeros(len(rows), dtype=bool)
    bare = ~plus & ~national & (result.status == INVALID) & sure
    if home.national_prefix and bare.any():  # no valid E.164 number: a national number that lost its 0?
        at = np.flatnonzero(bare)
        again = _attempt(pc.binary_join_element_wise(home.national_prefix, digits.take(pa.array(at)), ""),
                         np.zeros(len(at), dtype=bool), home)
        result.update(at, again)
        restored[at] = again.status == VALID
    _refuse(batch, rows, trimmed, sure & (result.status == INVALID) & why.astype(bool), why, done)
    ok = sure & (result.status == VALID)
    if allowed is not None:
        ok &= np.isin(result.region.astype(str), list(allowed))
    at = np.flatnonzero(ok)
    positions = rows[at]
    batch.values[positions] = result.text[at]
    done[positions] = True
    landline = mobile_expected & (result.kind[at] != MOBILE)
    if restored[at].any() or landline.any():
        _warn(batch, positions, trimmed.take(pa.array(positions)), restored[at], landline, home,
              digits.take(pa.array(at)))
    return done


def _refuse(batch: Batch, rows: np.ndarray, trimmed: pa.Array, invalid: np.ndarray, why: np.ndarray,
            done: np.ndarray) -> None:
    """Add normalise_number's error for the numbers that parse but are no valid number (``invalid``, among
    ``rows``): the trimmed text, printable ASCII of at most 60 characters, is quoted as base.shown() does."""
    at = np.flatnonzero(invalid)
    if not at.size:
        return
    positions = rows[at]
    messages = _texts("'", trimmed.take(pa.array(positions)), "' is not a valid phone number: ",
                      pa.array(why[at], type=pa.string()), ".")
    batch.errors.update(zip(positions.tolist(), (("invalid-phone", message) for message in messages.tolist())))
    done[positions] = True


def _warn(batch: Batch, positions: np.ndarray, written: pa.Array, restored: np.ndarray, landline: np.ndarray,
          home: Plan, digits: pa.Array) -> None:
    """Add normalise_number's warnings: the leading zero restored, then not a mobile number.

    ``written`` is the trimmed text: printable ASCII of at most 60 characters, which base.shown() quotes as it is.
    """
    if restored.any():
        prefix = home.national_prefix or ""
        chosen = pa.array(restored)
        batch.warn(positions[restored], "phone-leading-zero-restored", _texts(
            "'", written.filter(chosen), f"' is no valid international number; it was read as the {home.region} "
            f"number {prefix}", digits.filter(chosen), f", whose leading {prefix} a spreadsheet probably dropped."))
    if landline.any():
        batch.warn(positions[landline], "phone-not-mobile", _texts(
            "'", written.filter(pa.array(landline)), "' is not a mobile number, so it cannot receive SMS."))


def _texts(*parts: str | pa.Array) -> np.ndarray:
    return np.asarray(pc.binary_join_element_wise(*parts, "").to_numpy(zero_copy_only=False), dtype=object)


class _Attempt:
    """One parse attempt over an array of candidates: status, country code, where the country code ends,
    for the valid ones the E.164 digits, the region and the kind, and for the numbers that parse but are
    invalid why (phone.why_not_valid)."""

    def __init__(self, size: int) -> None:
        self.status = np.full(size, UNSURE, dtype=np.int8)
        self.code = np.zeros(size, dtype=np.int64)
        self.head = np.zeros(size, dtype=np.int64)
        self.text = np.full(size, None, dtype=object)
        self.region = np.full(size, None, dtype=object)
        self.kind = np.full(size, UNKNOWN, dtype=np.int8)
        self.why = np.full(size, None, dtype=object)

    def update(self, at: np.ndarray, other: _Attempt) -> None:
        """Take ``other``'s outcome (an attempt over the candidates at ``at``) for those candidates."""
        for name in ("status", "code", "head", "text", "region", "kind", "why"):
            getattr(self, name)[at] = getattr(other, name)


def _attempt(candidates: pa.Array, international: np.ndarray, home: Plan) -> _Attempt:
    """Return what parse() and is_valid_number() make of each candidate ("+" + it where ``international``)."""
    result = _Attempt(len(candidates))
    size = strings.lengths(candidates)
    base = np.zeros(len(candidates), dtype=np.int64)  # where the country code starts
    via_idd = np.zeros(len(candidates), dtype=bool)
    national = ~international
    if home.idd and national.any():  # _maybe_strip_i18n_prefix_and_normalize
        if home.idd_literals is None:
            national &= ~strings.prefix_match(candidates, home.idd)  # the rest stays UNSURE
        else:
            idd = _literal_prefix(candidates, home.idd_literals) * national
            # the IDD is not stripped when a 0 follows it (no country code starts with 0)
            via_idd = (idd > 0) & (strings.digit_at(candidates, idd) != 0)
            base = np.where(via_idd, idd, 0)
    # a national number that starts with the region's own country code takes another branch of parse()
    default = national & ~via_idd & ~strings.starts_with(candidates, str(home.country_code))
    result.code[default] = home.country_code
    keys = np.where(default, -1, 0)
    result.status[default] = VALID  # provisional: decided by the metadata below

    spelled = international | via_idd
    code, width = _country_codes(candidates, base)
    result.status[spelled & (size - base <= 2)] = INVALID  # TOO_SHORT_AFTER_IDD
    missing = spelled & (size - base > 2) & (width == 0)
    result.status[missing & via_idd] = INVALID  # INVALID_COUNTRY_CODE ("+" rows are retried: UNSURE)
    found = spelled & (size - base > 2) & (width > 0)
    result.status[found] = VALID
    result.code[found] = code[found]
    result.head[found] = base[found] + width[found]
    keys[found] = code[found]

    pending = result.status == VALID
    for key in np.unique(keys[pending]):
        p = home if key == -1 else phone_meta.main_plan(int(key))
        at = np.flatnonzero(pending & (keys == key))
        if p is None:  # a non-geographic entity: left to the library
            result.status[at] = UNSURE
            continue
        _resolve(p, candidates.take(pa.array(at)), at, result)
    return result


def _country_codes(candidates: pa.Array, base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (country code, its width; 0 when none) at ``base``, as _extract_country_code reads them."""
    first, second, third = (strings.digit_at(candidates, base + i) for i in range(3))
    code = np.zeros(len(base), dtype=np.int64)
    width = np.zeros(len(base), dtype=np.int64)
    todo = first > 0  # no country code starts with 0
    for size, value in ((1, first), (2, first * 10 + second), (3, first * 100 + second * 10 + third)):
        if size > 1:
            todo &= (second if size == 2 else third) >= 0
        hit = todo & phone_meta.IS_COUNTRY_CODE[np.clip(value, 0, 999)]
        code[hit], width[hit] = value[hit], size
        todo &= ~hit
    return code, width


def _literal_prefix(candidates: pa.Array, literals: tuple[str, ...]) -> np.ndarray:
    """Return the length of the first of ``literals`` each candidate starts with (re.match of a|b|c), or 0."""
    found = np.zeros(len(candidates), dtype=np.int64)
    for literal in literals:
        hit = (found == 0) & strings.starts_with(candidates, literal)
        found[hit] = len(literal)
    return found


def _resolve(p: Plan, candidates: pa.Array, at: np.ndarray, result: _Attempt) -> None:
    """Finish parse() for candidates that share plan ``p`` and a country code, then is_valid_number()."""
    number = strings.drop_heads(candidates, result.head[at])
    size = strings.lengths(number)
    status = result.status[at]
    status[size < 2] = INVALID  # TOO_SHORT_NSN
    if p.prefix:  # _maybe_strip_national_prefix_carrier_code
        if p.prefix_literals is None:
            status[strings.prefix_match(number, p.prefix)] = UNSURE
        else:
            cut = _literal_prefix(number, p.prefix_literals)
            rows = np.flatnonzero(cut)  # the general pattern is matched only where a prefix could go
            if rows.size:
                prefixed = number.take(pa.array(rows))
                stripped = strings.drop_heads(prefixed, cut[rows])
                general = p.general.pattern if p.general else None
                viable = strings.fullmatch(prefixed, general) if general else np.zeros(rows.size, bool)
                still = strings.fullmatch(stripped, general) if general else np.zeros(rows.size, bool)
                keeps = np.array([p.keeps_stripped(n) for n in range(_MAX_DIGITS + 1)])
                keeps = keeps[np.clip(size[rows] - cut[rows], 0, _MAX_DIGITS)]
                dropped = np.zeros(len(at), dtype=np.int64)
                strip = rows[~(viable & ~still) & keeps]
                dropped[strip] = cut[strip]
                if strip.size:
                    number = strings.drop_heads(number, dropped)
                    size = size - dropped
    status[((size < 2) | (size > _MAX_NSN)) & (status == VALID)] = INVALID  # TOO_SHORT_NSN, TOO_LONG
    live = np.flatnonzero(status == VALID)
    if live.size:
        code = int(result.code[at[0]])
        numbers = number.take(pa.array(live))
        region, kind = phone_meta.classify(code, numbers)
        result.region[at[live]] = region
        result.kind[at[live]] = kind
        invalid = live[kind == UNKNOWN]
        status[invalid] = INVALID
        result.why[at[invalid]] = [phone.why_not_valid(code, digits) for digits in size[invalid].tolist()]
        valid = kind != UNKNOWN
        result.text[at[live[valid]]] = strings.joined(str(code), numbers.filter(pa.array(valid)))
    result.status[at] = status
