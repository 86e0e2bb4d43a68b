"""The normalise stage: each registry column's values rewritten to the platform's format, with issues.

One pure normaliser per field type (``text``, ``phone``, ``email``, ``date``, ``cents``, ``integer``,
``boolean``, ``gender``, ``country``, ``currency``), each built by ``make(...)``. The stage calls a
normaliser once per distinct value of a column and maps the results back, so a column of a million
rows costs one call per distinct value; the issues table is built with vectorised masks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

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
    """What a column's distinct values became: new values, errors and warnings, by original value."""

    new: dict[str, str] = field(default_factory=dict)
    errors: dict[str, tuple[str, str]] = field(default_factory=dict)
    warnings: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    def record(self, value: str, fn: Normaliser) -> None:
        if not isinstance(value, str):
            raise TypeError(f"the normalise stage takes text cells, got {type(value).__name__} {value!r}")
        try:
            result = fn(value)
        except Invalid as exc:
            self.errors[value] = (exc.code, exc.message)
            return
        if result.value != value:
            self.new[value] = result.value
        if result.warnings:
            self.warnings[value] = result.warnings


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
        present = values.notna() & (values != "")
        if spec.type == "text":
            present &= _contains(values, text.needs_work_pattern)
        distinct = values[present].unique().tolist()
        if spec.type == "cents" and column not in options.units:
            outcomes = _amounts(distinct, column)
        else:
            outcomes = _Outcomes()
            fn = normaliser(spec, options)
            for value in distinct:
                outcomes.record(value, fn)
        if outcomes.new:
            out[column] = _replaced(values, outcomes.new)
        pieces += _issues(values, column, position, outcomes)
    return out, _table(pieces, frame.index)


def _contains(values: pd.Series, pattern: Callable[..., str]) -> pd.Series:
    """Return where ``values`` match; pyarrow strings (RE2) cannot hold or search lone surrogates."""
    arrow = isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"
    return values.str.contains(pattern(surrogates=not arrow), regex=True, na=False).astype(bool)


def _amounts(distinct: list[str], column: str) -> _Outcomes:
    """Normalise an amount column without a declared unit: whole numbers among decimals are reported."""
    outcomes = _Outcomes()
    parsed: dict[str, cents.Amount] = {}
    for value in distinct:
        try:
            amount = cents.parse(value)
        except Invalid as exc:
            outcomes.errors[value] = (exc.code, exc.message)
            continue
        if amount is not None:
            parsed[value] = amount
    example = next((v for v, a in parsed.items() if a.euros), None)
    for value, amount in parsed.items():
        if example is not None and not amount.euros and amount.number != 0:  # 0 is 0 in any unit
            outcomes.errors[value] = ("mixed-amount-units", (
                f"'{value}' is a whole number in a column that also holds amounts in euros (like "
                f"'{example}'): cents or euros? Declare units: {{{column}: cents|euros}} in the mapping."))
            continue
        written = cents.to_cents(amount, "cents")
        if written != value:
            outcomes.new[value] = written
    return outcomes


def _keys(mapping: Mapping[str, object]) -> pd.Index:
    # object, not str: an object column may hold lone surrogates, which pyarrow strings cannot
    return pd.Index(list(mapping), dtype=object)


def _positions(values: pd.Series, mapping: Mapping[str, object]) -> np.ndarray:
    """Return where each value is among ``mapping``'s keys, -1 where it is not one."""
    return _keys(mapping).get_indexer(pd.Index(values.to_numpy(dtype=object), dtype=object))


def _lookup(values: pd.Series, mapping: Mapping[str, object]) -> np.ndarray:
    """Return ``mapping[value]`` for every value (all of them keys of ``mapping``)."""
    return np.asarray(list(mapping.values()), dtype=object)[_positions(values, mapping)]


def _replaced(values: pd.Series, new: dict[str, str]) -> pd.Series:
    changed = _positions(values, new) >= 0
    result = values.astype(object)
    result[changed] = _lookup(values[changed], new)
    return result.astype(values.dtype)


def _issues(values: pd.Series, column: str, position: int, outcomes: _Outcomes) -> list[pd.DataFrame]:
    """Return the info, error and warning rows of one column, built with masks (no per-row objects)."""
    at = np.arange(len(values))
    pieces = []
    if outcomes.new:
        mask = _positions(values, outcomes.new) >= 0
        old = values[mask].astype(object)
        pieces.append(_piece(at[mask], column, position, 0, old, "normalised",
                             old + " -> " + _lookup(old, outcomes.new)))
    if outcomes.errors:
        mask = _positions(values, outcomes.errors) >= 0
        old = values[mask].astype(object)
        codes = {value: code for value, (code, _) in outcomes.errors.items()}
        messages = {value: message for value, (_, message) in outcomes.errors.items()}
        pieces.append(_piece(at[mask], column, position, 0, old, _lookup(old, codes), _lookup(old, messages)))
    if outcomes.warnings:
        listed = pd.DataFrame(
            [(value, seq, code, message) for value, found in outcomes.warnings.items()
             for seq, (code, message) in enumerate(found, start=1)],
            columns=["value", "_seq", "code", "message"])
        mask = _positions(values, outcomes.warnings) >= 0
        rows = pd.DataFrame({"_at": at[mask], "value": values[mask].astype(object).to_numpy()})
        rows = rows.merge(listed, on="value", how="inner")
        pieces.append(_piece(rows["_at"].to_numpy(), column, position, rows["_seq"].to_numpy(),
                             rows["value"], rows["code"], rows["message"]))
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
