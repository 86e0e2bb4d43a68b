"""Amounts: written as whole cents (12345); read 123,45 / 1.234,56 / 1,234.56 / € 10,- with Decimal.

A number with a decimal separator or a euro sign is euros; a whole number (12345) is in the column's
unit: cents (the guide's) unless the mapping says euros. Grouping must be regular (1.234.567), a lone
separator followed by three digits (1.234) is ambiguous, and more than two decimals are refused.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, Inexact, InvalidOperation, Rounded

from alphaimport.normalise.base import Invalid, Normalised, Normaliser, shown, trim

UNITS = ("cents", "euros")
_SPACES = " \u00a0\u202f"
_AMOUNT = re.compile(
    r"(?P<open>\()?\s*(?P<sign1>[-+\u2212])?\s*(?P<cur1>€|eur(?:o|os)?)?\s*(?P<sign2>[-+\u2212])?\s*"
    rf"(?P<num>[.,]?[0-9](?:[0-9.,{_SPACES}]*[0-9])?)(?P<dash>[.,]-{{1,2}})?"
    r"\s*(?P<cur2>€|eur(?:o|os|o's)?)?\s*(?P<sign3>[-\u2212])?\s*(?P<close>\))?",
    re.IGNORECASE,
)
_GROUP = re.compile(r"[1-9][0-9]{0,2}")  # the first group of 1.234.567
# Exact arithmetic at any size: a result that would need rounding raises instead of changing an amount.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[Inexact, Rounded, InvalidOperation])


@dataclass(frozen=True)
class Amount:
    """A parsed amount: the number as written, and whether the writing says euros."""

    number: Decimal
    euros: bool  # a decimal separator, a euro sign or code, or the Dutch ",-"


def parse(text: str) -> Amount | None:
    """Return the amount written in ``text`` (None when empty); raise Invalid when it is none."""
    value = trim(text)
    if not value:
        return None
    m = _AMOUNT.fullmatch(value)
    if not m or bool(m["open"]) != bool(m["close"]) or (m["cur1"] and m["cur2"]):
        raise Invalid("invalid-amount", f"{shown(value)} is not an amount; write it as 12345 (cents) "
                                        "or 123,45 (euros).")
    signs = [m[g] for g in ("sign1", "sign2", "sign3") if m[g]]
    if m["open"] or any(s != "+" for s in signs):
        raise Invalid("negative-amount", f"{shown(value)} is negative; only positive amounts can be "
                                         "collected (deliver credits separately).")
    if len(signs) > 1:
        raise Invalid("invalid-amount", f"{shown(value)} has more than one sign.")
    if m["dash"]:  # 1.234,- : the dash stands for the decimals, so the other mark groups thousands
        point = m["dash"][0]
        if point in m["num"]:
            raise Invalid("invalid-amount", f"{shown(value)} has both decimals and '{m['dash']}'.")
        group = "," if point == "." else "."
        whole, decimals = _ungroup(value, _spaced(m["num"]), group if group in m["num"] else " "), None
    else:
        whole, decimals = _split(value, m["num"])
    number = Decimal(f"{whole}.{decimals}" if decimals else whole)
    return Amount(number, decimals is not None or bool(m["cur1"] or m["cur2"] or m["dash"]))


def _split(value: str, number: str) -> tuple[str, str | None]:
    """Return (whole digits, decimal digits or None) of ``number``; raise Invalid when unreadable."""
    number = _spaced(number)
    marks = [c for c in number if c in ".,"]
    spaced = " " in number
    if not marks:
        return _ungroup(value, number, " "), None
    if len(set(marks)) == 2:  # 1.234,56 / 1,234.56: the last one is the decimal separator
        point = marks[-1]
        if marks.count(point) > 1 or spaced:
            raise _unreadable(value)
        whole, decimals = number.rsplit(point, 1)
        return _ungroup(value, whole, marks[0]), _decimals(value, decimals)
    mark = marks[0]
    if len(marks) > 1:  # 1.234.567: grouping only
        if spaced:
            raise _unreadable(value)
        return _ungroup(value, number, mark), None
    whole, decimals = number.split(mark)
    if len(decimals) == 3 and not spaced and _GROUP.fullmatch(whole):
        raise Invalid("ambiguous-amount", f"{shown(value)} is ambiguous: '{mark}' may separate thousands "
                                          f"({whole}{decimals}) or decimals ({whole}.{decimals}); write the "
                                          f"amount with its cents, like {whole}{decimals},00.")
    return _ungroup(value, whole, " "), _decimals(value, decimals)


def _spaced(number: str) -> str:
    for space in _SPACES[1:]:
        number = number.replace(space, " ")
    return number


def _ungroup(value: str, whole: str, mark: str) -> str:
    """Return the digits of ``whole`` grouped by ``mark`` (groups of three); raise Invalid if irregular."""
    if not whole:
        return "0"
    if mark not in whole:
        if not whole.isdigit():
            raise _unreadable(value)
        return whole
    first, *rest = whole.split(mark)
    if not _GROUP.fullmatch(first) or not all(len(g) == 3 and g.isdigit() for g in rest):
        raise _unreadable(value)
    return first + "".join(rest)


def _decimals(value: str, decimals: str) -> str:
    if not decimals.isdigit():
        raise _unreadable(value)
    if len(decimals) > 2:
        raise Invalid("too-many-decimals", f"{shown(value)} has {len(decimals)} decimals; an amount has "
                                           "at most 2 (whole cents).")
    return decimals


def _unreadable(value: str) -> Invalid:
    return Invalid("invalid-amount", f"{shown(value)} is not an amount: its separators are irregular; "
                                     "write it as 1234,56 or 1.234,56.")


def to_cents(amount: Amount, unit: str = "cents") -> str:
    """Return ``amount`` as whole cents without leading zeros; euros when written so or when ``unit`` says."""
    cents = _EXACT.multiply(amount.number, 100) if amount.euros or unit == "euros" else amount.number
    whole = _EXACT.to_integral_value(cents)
    if whole != cents:  # cannot happen: parse() allows at most two decimals
        raise Invalid("too-many-decimals", f"{amount.number} is not a whole number of cents.")
    return format(whole, "f")


def make(unit: str = "cents") -> Normaliser:
    """Return an amount normaliser; ``unit`` (cents, euros) is the unit of whole numbers like 12345."""
    if unit not in UNITS:
        raise ValueError(f"unknown amount unit {unit!r}; use one of {', '.join(UNITS)}")

    def normalise(text: str) -> Normalised:
        """Return the amount in ``text`` as whole cents."""
        amount = parse(text)
        return Normalised("") if amount is None else Normalised(to_cents(amount, unit))

    return normalise
