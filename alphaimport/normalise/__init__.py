"""The normalise stage: each registry column's values rewritten to the platform's format, with issues.

One pure normaliser per field type (``text``, ``phone``, ``email``, ``date``, ``cents``, ``integer``,
``boolean``, ``gender``, ``country``, ``currency``), each built by ``make(...)``. The stage calls a
normaliser once per distinct value of a column and maps the results back, so a column of a million
rows costs one call per distinct value; the issues table is built with vectorised masks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from alphaimport import issues, registry
from alphaimport.normalise import (
    boolean, cents, country, currency, date, email, gender, integer, phone, text,
)
from alphaimport.normalise.base import Invalid, Normalised, Normaliser

__all__ = ["Invalid", "Normalised", "Normaliser", "Options", "normalise", "normaliser"]

# The person reminded: sms and allowed countries concern these numbers, not the company contact's
# (CONTRACT_CONTACT_PHONENUMBER), which is shown, never dialled.
RECIPIENT_CATEGORY = "CONTACT"
_SIMPLE: dict[str, Callable[[], Normaliser]] = {
    "text": text.make, "email": email.make, "int": integer.make, "boolean": boolean.make,
    "gender": gender.make, "country": country.make, "currency": currency.make,
}


@dataclass(frozen=True)
class Options:
    """How ambiguous values are read: phone region, date order, amount units per column, sms, countries."""

    region: str = "NL"
    date_order: str = "DMY"
    units: Mapping[str, str] = field(default_factory=dict)  # column -> "cents" | "euros"
    mobile_expected: bool = False  # True when the profile includes sms
    allowed_countries: frozenset[str] | None = None


def normaliser(spec: registry.FieldSpec, options: Options = Options()) -> Normaliser:
    """Return the normaliser for one field under ``options``."""
    kind = spec.type
    if kind in _SIMPLE:
        return _SIMPLE[kind]()
    if kind == "phone":
        recipient = spec.category == RECIPIENT_CATEGORY
        return phone.make(region=options.region, mobile_expected=options.mobile_expected and recipient,
                          allowed_countries=options.allowed_countries if recipient else None)
    if kind == "date":
        return date.make(order=options.date_order)
    if kind == "cents":
        return cents.make(unit=options.units.get(spec.column, "cents"))
    raise ValueError(f"no normaliser for field type {kind!r} ({spec.column})")


@dataclass
class _Outcomes:
    """What a column's distinct values became, by their position among the distinct values."""

    new: dict[int, str] = field(default_factory=dict)
    errors: dict[int, tuple[str, str]] = field(default_factory=dict)
    warnings: dict[int, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    def record(self, at: int, value: str, fn: Normaliser) -> None:
        try:
            result = fn(value)
        except Invalid as exc:
            self.errors[at] = (exc.code, exc.message)
            return
        if result.value != value:
            self.new[at] = result.value
        if result.warnings:
            self.warnings[at] = result.warnings


def normalise(frame: pd.DataFrame, options: Options = Options()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (normalised frame, issues frame); a value that cannot be normalised is kept as it was."""
    fields = registry.default()
    out = frame.copy()
    pieces: list[pd.DataFrame] = []
    for position, column in enumerate(frame.columns):
        if column not in fields:
            continue
        spec = fields.field(column)
        values = frame[column]
        # one call per distinct value: codes[row] is the row's position among the distinct values
        codes, distinct = values.factorize()
        todo = range(len(distinct))
        if spec.type == "text":  # most text needs nothing: a vectorised search finds the rest
            todo = np.unique(codes[_contains(values, text.needs_work_pattern) & (codes >= 0)]).tolist()
        distinct = distinct.to_numpy(dtype=object)
        for at in todo:
            if not isinstance(distinct[at], str):
                raise TypeError(f"{column}: the normalise stage takes text cells, got {distinct[at]!r}")
        if spec.type == "cents" and column not in options.units:
            outcomes = _amounts(distinct, todo, column)
        else:
            outcomes = _Outcomes()
            fn = normaliser(spec, options)
            for at in todo:
                if distinct[at]:
                    outcomes.record(at, distinct[at], fn)
        if outcomes.new:
            out[column] = _replaced(values, codes, outcomes.new, len(distinct))
        pieces += _issues(values, codes, column, position, outcomes, len(distinct))
    return out, _table(pieces, frame.index)


def _contains(values: pd.Series, pattern: Callable[..., str]) -> np.ndarray:
    """Return where ``values`` match; pyarrow strings (RE2) cannot hold or search lone surrogates."""
    arrow = isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"
    found = values.str.contains(pattern(surrogates=not arrow), regex=True, na=False)
    return found.to_numpy(dtype=bool, na_value=False)


def _amounts(distinct: np.ndarray, todo: Iterable[int], column: str) -> _Outcomes:
    """Normalise an amount column without a declared unit: whole numbers among euros are reported."""
    outcomes = _Outcomes()
    parsed: dict[int, cents.Amount] = {}
    for at in todo:
        try:
            amount = cents.parse(distinct[at])
        except Invalid as exc:
            outcomes.errors[at] = (exc.code, exc.message)
            continue
        if amount is not None:
            parsed[at] = amount
    example = next((distinct[at] for at, a in parsed.items() if a.euros), None)
    for at, amount in parsed.items():
        if example is not None and not amount.euros and amount.number != 0:  # 0 is 0 in any unit
            outcomes.errors[at] = ("mixed-amount-units", (
                f"'{distinct[at]}' is a whole number in a column that also holds amounts in euros (like "
                f"'{example}'): cents or euros? Declare units: {{{column}: cents|euros}} in the mapping."))
            continue
        written = cents.to_cents(amount, "cents")
        if written != distinct[at]:
            outcomes.new[at] = written
    return outcomes


def _spread(found: Mapping[int, object], size: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (which distinct values are in ``found``, their texts) as arrays over all distinct values."""
    has = np.zeros(size + 1, dtype=bool)  # the extra last slot answers code -1 (a missing cell): False
    texts = np.empty(size + 1, dtype=object)
    keys = np.fromiter(found, dtype=np.intp, count=len(found))
    has[keys] = True
    texts[keys] = np.fromiter(found.values(), dtype=object, count=len(found))
    return has, texts


def _replaced(values: pd.Series, codes: np.ndarray, new: Mapping[int, str], size: int) -> pd.Series:
    has, entries = _spread(new, size)
    changed = has[codes]
    result = values.to_numpy(dtype=object, na_value=None).copy()
    result[changed] = entries[codes[changed]]
    return pd.Series(result, index=values.index, name=values.name, dtype=values.dtype)


def _issues(values: pd.Series, codes: np.ndarray, column: str, position: int, outcomes: _Outcomes,
            size: int) -> list[pd.DataFrame]:
    """Return the info, error and warning rows of one column, built with masks (no per-row objects)."""
    at = np.arange(len(values))
    old = values.to_numpy(dtype=object, na_value=None)
    pieces = []
    if outcomes.new:
        has, entries = _spread(outcomes.new, size)
        mask = has[codes]
        pieces.append(_piece(at[mask], column, position, 0, old[mask], "normalised",
                             old[mask] + " -> " + entries[codes[mask]]))
    if outcomes.errors:
        has, error_codes = _spread({key: code for key, (code, _) in outcomes.errors.items()}, size)
        _, messages = _spread({key: message for key, (_, message) in outcomes.errors.items()}, size)
        mask = has[codes]
        pieces.append(_piece(at[mask], column, position, 0, old[mask], error_codes[codes[mask]],
                             messages[codes[mask]]))
    if outcomes.warnings:
        listed = pd.DataFrame(
            [(key, seq, code, message) for key, found in outcomes.warnings.items()
             for seq, (code, message) in enumerate(found, start=1)],
            columns=["_key", "_seq", "code", "message"])
        has, _ = _spread(outcomes.warnings, size)
        mask = has[codes]
        rows = pd.DataFrame({"_at": at[mask], "_key": codes[mask]}).merge(listed, on="_key", how="inner")
        pieces.append(_piece(rows["_at"].to_numpy(), column, position, rows["_seq"].to_numpy(),
                             old[rows["_at"].to_numpy()], rows["code"], rows["message"]))
    return pieces


def _piece(at: np.ndarray, column: str, position: int, seq: int | np.ndarray, value: object,
           code: object, message: object) -> pd.DataFrame:
    def text(cells: object) -> pd.Series:  # object: pandas would infer pyarrow str, which refuses surrogates
        return pd.Series(np.broadcast_to(np.asarray(cells, dtype=object), len(at)), dtype=object)

    return pd.DataFrame({"_at": at, "_pos": position, "_seq": seq, "field": column,
                         "value": text(value), "code": text(code), "message": text(message)})


def _table(pieces: list[pd.DataFrame], index: pd.Index) -> pd.DataFrame:
    """Return the issues in frame order (row, then column, info before warnings) with issues.COLUMNS."""
    if not pieces:
        table = pd.DataFrame({name: pd.Series([], dtype=object) for name in issues.COLUMNS})
        table["row"] = table["row"].astype("Int64")
        return _text_columns(table)
    table = pd.concat(pieces, ignore_index=True).sort_values(["_at", "_pos", "_seq"], kind="stable")
    rows = index.to_numpy()[table["_at"].to_numpy()]
    table.insert(0, "row", _row_numbers(rows))
    table["level"] = table["code"].map({code: c.level for code, c in issues.CODES.items()})
    return _text_columns(table[list(issues.COLUMNS)].reset_index(drop=True))


def _text_columns(table: pd.DataFrame) -> pd.DataFrame:
    try:
        return table.astype({name: "str" for name in issues.COLUMNS[1:]})
    except UnicodeEncodeError:  # a lone surrogate in a value (from an object column) stays an object
        return table


def _row_numbers(rows: np.ndarray) -> pd.api.extensions.ExtensionArray | np.ndarray:
    try:
        return pd.array(rows, dtype="Int64")
    except (TypeError, ValueError):  # a non-numeric index is passed through as it is
        return rows
