"""Amounts column-wise: the common notations read over arrays, the rest with ``cents.parse`` per value.

The fast path reads, after white space is trimmed and an optional ``€`` or ``€ ``:

* ``12345`` (a whole number, in the column's unit),
* ``123,45`` / ``123.45`` / ``12,5`` (one separator, one or two decimals),
* ``1.234,56`` / ``1,234.56`` (regular thousands groups, then one or two decimals),
* ``1.250,-`` / ``85,-`` (whole euros, the dash standing for the decimals).

These are the shapes ``cents.parse`` reads without any doubt (no sign, no three decimals, no lone
``1.234``); for them its Decimal arithmetic gives the digits with leading zeros dropped, which string
operations give here. Every other value, every invalid one included, goes to ``cents.parse``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from alphaimport.normalise import cents, strings
from alphaimport.normalise.base import WHITESPACE
from alphaimport.normalise.batch import Batch, BatchNormaliser, per_value

_WHOLE = r"[0-9]+"
_DECIMAL = r"[0-9]+[.,][0-9]{1,2}"
_GROUPED = r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+,[0-9]{1,2}|[1-9][0-9]{0,2}(?:,[0-9]{3})+\.[0-9]{1,2}"
_DASH = r"(?:[0-9]+|[1-9][0-9]{0,2}(?:\.[0-9]{3})+),-"


@dataclass(frozen=True)
class Amounts:
    """Amounts read column-wise, by position; ``known`` says where (elsewhere the other fields mean nothing)."""

    known: np.ndarray  # bool: read here
    euros: np.ndarray  # bool: written in euros (decimals, a euro sign, ",-")
    number: np.ndarray  # object: the number as written, digits without leading zeros (whole numbers only)
    hundred: np.ndarray  # object: the number times 100, digits without leading zeros

    def cents(self, unit: str) -> np.ndarray:
        """Return cents.to_cents(amount, unit) for every known amount."""
        return np.where(self.euros | (unit == "euros"), self.hundred, self.number)


def make(unit: str = "cents") -> BatchNormaliser:
    """Return the batch counterpart of ``cents.make(unit)``: same result per value."""
    fn = cents.make(unit)

    def normalise(values: np.ndarray) -> Batch:
        """Return the amounts in ``values`` as whole cents (``unit`` for whole numbers)."""
        values = np.asarray(values, dtype=object)
        read = read_amounts(values)
        batch = Batch.empty(len(values))
        batch.values[read.known] = read.cents(unit)[read.known]
        return per_value(values, fn, np.flatnonzero(~read.known), batch)

    return normalise


def read_amounts(values: np.ndarray) -> Amounts:
    """Return the amounts the fast path reads in ``values`` (what ``cents.parse`` reads there)."""
    size = len(values)
    array, usable = strings.to_arrow(np.asarray(values, dtype=object))
    value = pc.utf8_trim(array, WHITESPACE)
    euro = strings.starts_with(value, "€")
    body = pc.replace_substring_regex(value, "^€ ?", "", max_replacements=1) if euro.any() else value
    whole = strings.fullmatch(body, _WHOLE)
    decimal = strings.fullmatch(body, _DECIMAL) | strings.fullmatch(body, _GROUPED)
    dash = strings.fullmatch(body, _DASH)
    known = usable & (whole | decimal | dash)
    empty = np.full(size, None, dtype=object)
    if not known.any():
        return Amounts(known, np.zeros(size, dtype=bool), empty, empty.copy())
    digits = strings.keep_digits(body)
    one_decimal = decimal & strings.fullmatch(body, r".*[.,][0-9]")
    # the number times 100: two zeros after a whole number, one after a single decimal
    padded = pc.binary_join_element_wise(
        digits, pa.array(np.where(whole | dash, "00", np.where(one_decimal, "0", ""))), "")
    return Amounts(known, euro | decimal | dash, _canonical(digits), _canonical(padded))


def _canonical(digits: pa.Array) -> np.ndarray:
    """Return digit strings without leading zeros ("0" for zero), as Decimal formats an integer."""
    trimmed = pc.utf8_ltrim(digits, "0")
    return np.asarray(pc.if_else(pc.equal(trimmed, ""), "0", trimmed).to_numpy(zero_copy_only=False), dtype=object)
