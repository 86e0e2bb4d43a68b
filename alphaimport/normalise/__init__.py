"""The normalise stage: each registry column's values rewritten to the platform's format, with issues.

One pure normaliser per field type (``text``, ``phone``, ``email``, ``date``, ``cents``, ``integer``,
``boolean``, ``gender``, ``country``, ``currency``), each built by ``make(...)``. The stage normalises
each distinct value of a column once (of the columns sharing a fast path and its options, such as the
three phone numbers, together) and maps the results back; the issues table is built with vectorised
masks. Phone numbers, e-mail addresses, amounts and dates, whose distinct values are many, go through
column-wise fast paths (``phone_fast``, ``email_fast``, ``cents_fast``, ``date_fast``) that read the
common notations over arrays and hand every other value to the same per-value normaliser, so the result
per value is the normaliser's own (their tests compare both on hundreds of thousands of values).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Mapping, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from alphaimport import issues, registry
from alphaimport.normalise import (
    boolean, cents, cents_fast, country, currency, date, date_fast, email, email_fast, gender, integer, phone,
    phone_fast, strings, text,
)
from alphaimport.normalise.base import WHITESPACE, Invalid, Normalised, Normaliser
from alphaimport.normalise.batch import Batch, BatchNormaliser, per_value

__all__ = ["Batch", "BatchNormaliser", "Invalid", "Normalised", "Normaliser", "Options", "batch_normaliser",
           "normalise", "normaliser"]

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
    # column without a declared unit -> its first amount in euros anywhere in the input, when the input is
    # judged in chunks: a whole number in a chunk without one is then as mixed as in one frame
    euros_in_input: Mapping[str, str] = field(default_factory=dict)
    mobile_expected: bool = False  # True when the profile includes sms
    allowed_countries: frozenset[str] | None = None


def normaliser(spec: registry.FieldSpec, options: Options = Options()) -> Normaliser:
    """Return the normaliser for one field under ``options``."""
    kind = spec.type
    if kind in _SIMPLE:
        return _SIMPLE[kind]()
    if kind == "phone":
        return phone.make(**_phone_options(spec, options))
    if kind == "date":
        return date.make(order=options.date_order)
    if kind == "cents":
        return cents.make(unit=options.units.get(spec.column, "cents"))
    raise ValueError(f"no normaliser for field type {kind!r} ({spec.column})")


FAST_TYPES = frozenset({"phone", "email", "cents", "date"})  # the types with a column-wise fast path


def batch_normaliser(spec: registry.FieldSpec, options: Options = Options()) -> BatchNormaliser:
    """Return the normaliser of a whole array of values for one field: column-wise where a fast path exists.

    Its result for each value is exactly ``normaliser(spec, options)``'s (the fast paths' tests prove it).
    """
    if spec.type == "phone":
        return phone_fast.make(**_phone_options(spec, options))
    if spec.type == "email":
        return email_fast.make()
    if spec.type == "cents":
        return cents_fast.make(unit=options.units.get(spec.column, "cents"))
    if spec.type == "date":
        return date_fast.make(order=options.date_order)
    return partial(per_value, fn=normaliser(spec, options))


def _phone_options(spec: registry.FieldSpec, options: Options) -> dict[str, Any]:
    recipient = spec.category == RECIPIENT_CATEGORY
    return {"region": options.region, "mobile_expected": options.mobile_expected and recipient,
            "allowed_countries": options.allowed_countries if recipient else None}


@dataclass
class _Outcomes:
    """What a column's distinct values became, as arrays over their positions plus one slot (False) for
    code -1, a missing cell; and the warnings as columns (position, sequence, code, message)."""

    changed: np.ndarray
    texts: np.ndarray
    failed: np.ndarray
    codes: np.ndarray
    messages: np.ndarray
    warned: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]

    @classmethod
    def of(cls, batch: Batch, distinct: np.ndarray) -> _Outcomes:
        size = len(distinct)
        changed = np.zeros(size + 1, dtype=bool)
        texts = np.full(size + 1, None, dtype=object)
        texts[:size] = batch.values
        changed[:size] = pd.notna(batch.values) & (batch.values != distinct)
        failed = np.zeros(size + 1, dtype=bool)
        codes = np.full(size + 1, None, dtype=object)
        messages = np.full(size + 1, None, dtype=object)
        if batch.errors:
            keys = np.fromiter(batch.errors, dtype=np.intp, count=len(batch.errors))
            failed[keys] = True
            codes[keys] = [code for code, _ in batch.errors.values()]
            messages[keys] = [message for _, message in batch.errors.values()]
        return cls(changed, texts, failed, codes, messages, batch.warnings())


def normalise(frame: pd.DataFrame, options: Options = Options(), *, info: bool = True
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (normalised frame, issues frame); a value that cannot be normalised is kept as it was.

    The issues frame's ``attrs["normalised"]`` counts the values rewritten. With ``info=False`` their
    ``normalised`` rows (several a record, "old -> new") are only counted, not built.
    """
    fields = registry.default()
    out = frame.copy()
    positions = {column: position for position, column in enumerate(frame.columns)}
    pieces: list[_Piece] = []
    rewritten = 0
    for columns in _groups(frame, fields, options):
        spec = fields.field(columns[0])
        values = [frame[column] for column in columns]
        # one call per distinct value of the group: codes[row] is the row's position among them (-1: not
        # looked at, or missing)
        codes, uniques = _factorize(_joined(values), spec.type == "text")
        distinct = _as_objects(uniques, columns[0])
        outcomes = _Outcomes.of(_batch(distinct, spec, options), distinct)
        dictionary = _dictionary(uniques, outcomes)
        for column, own, part in zip(columns, values, np.split(codes, len(columns))):
            changed = outcomes.changed[part]
            if changed.any():
                out[column] = _replaced(own, dictionary, part, changed)
                rewritten += int(np.count_nonzero(changed))
            pieces += _issues(np.append(distinct, None)[part], part, column, positions[column], outcomes, info)
    table = _table(pieces, frame.index)
    table.attrs["normalised"] = rewritten
    return out, table


def _groups(frame: pd.DataFrame, fields: registry.Registry, options: Options) -> list[list[str]]:
    """Return the registry columns of ``frame`` in groups normalised together: the columns of one group
    share a fast path and its options (the three phone numbers), so their distinct values are read in one
    call. Other columns are groups of their own."""
    groups: dict[tuple[Any, ...], list[str]] = {}
    for column in frame.columns:
        if column in fields:
            key = _sharing(fields.field(column), options, frame[column].dtype)
            groups.setdefault(key, []).append(column)
    return list(groups.values())


def _sharing(spec: registry.FieldSpec, options: Options, dtype: Any) -> tuple[Any, ...]:
    """Return what a column's normalisation depends on: columns with the same key share one call."""
    arrow = isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"
    if not arrow or spec.type not in FAST_TYPES or (spec.type == "cents" and spec.column not in options.units):
        return (spec.column,)  # amounts without a declared unit: whole numbers are judged per column
    if spec.type == "phone":
        return (spec.type, dtype, *_phone_options(spec, options).values())
    if spec.type == "cents":
        return (spec.type, dtype, options.units[spec.column])
    return (spec.type, dtype)


def _joined(values: list[pd.Series]) -> pd.Series:
    """Return the values of a group's columns one after the other (Arrow strings, in one array)."""
    if len(values) == 1:
        return values[0]
    array = pa.concat_arrays([_arrow(v).cast(pa.large_string()) for v in values])
    return pd.Series(pd.array(array, dtype=values[0].dtype))


def _arrow(values: pd.Series) -> pa.Array:
    """The Arrow strings of a column as one array (a frame concatenated from others holds several)."""
    array = pa.array(values.array)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _factorize(values: pd.Series, text: bool) -> tuple[np.ndarray, pd.Index]:
    """Return (each row's position among the distinct values or -1, the distinct values); for ``text``
    only the values a text normaliser could change are looked at (a vectorised search finds them)."""
    if not text:
        return values.factorize()
    rows = np.flatnonzero(needs_text_work(values))
    codes = np.full(len(values), -1, dtype=np.intp)
    found, uniques = values.iloc[rows].factorize()
    codes[rows] = found
    return codes, uniques


def _batch(distinct: np.ndarray, spec: registry.FieldSpec, options: Options) -> Batch:
    """Return what the distinct values of one field's type become."""
    if spec.type == "cents" and spec.column not in options.units:
        return _amounts(distinct, spec.column, options.euros_in_input.get(spec.column))
    if spec.type in FAST_TYPES:
        return batch_normaliser(spec, options)(distinct)
    return per_value(distinct, normaliser(spec, options), np.flatnonzero(distinct != ""))


def needs_text_work(values: pd.Series) -> np.ndarray:
    """Where ``text.needs_work_pattern`` matches: white space at either end (a trim shortens the value),
    or a line break or a character that cannot be delivered inside; column-wise in Arrow."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        return _needs_text_work(pc.fill_null(_arrow(values), ""))  # a missing cell needs nothing
    trimmed = values.str.len() != values.str.strip(WHITESPACE).str.len()  # Python's re: lone surrogates too
    inner = values.str.contains(text.inner_work_pattern(), regex=True, na=False)
    return trimmed.to_numpy(dtype=bool, na_value=False) | inner.to_numpy(dtype=bool, na_value=False)


def _needs_text_work(array: pa.Array) -> np.ndarray:
    """needs_text_work over Arrow strings: printable ASCII needs work only with a space at either end; the
    other values are searched with the pattern (RE2, where $ is the end of the text)."""
    found = (strings.byte_at(array, np.zeros(len(array))) == 0x20) | (
        strings.byte_at(array, strings.lengths(array) - 1) == 0x20)
    other = np.flatnonzero(~strings.printable_ascii(array))
    if other.size:
        searched = pc.match_substring_regex(array.take(pa.array(other)), text.needs_work_pattern(surrogates=False))
        found[other] = np.asarray(searched.to_numpy(zero_copy_only=False), dtype=bool)
    return found


def _amounts(distinct: np.ndarray, column: str, example: str | None = None) -> Batch:
    """Normalise an amount column without a declared unit: whole numbers among euros are reported.
    ``example``: the input's first amount in euros when the column is judged in chunks (else this one's)."""
    batch = Batch.empty(len(distinct))
    parsed, euros, zero, written = _unitless(distinct, batch.errors)
    in_euros = np.flatnonzero(parsed & euros)
    if example is None and in_euros.size:
        example = distinct[in_euros[0]]
    if example is not None:  # whole numbers among amounts in euros: cents or euros? (0 is 0 in any unit)
        mixed = np.flatnonzero(parsed & ~euros & ~zero)
        messages = ("'" + distinct[mixed] + f"' is a whole number in a column that also holds amounts in euros (like "
                    f"'{example}'): cents or euros? Declare units: {{{column}: cents|euros}} in the mapping.")
        batch.errors.update(zip(mixed.tolist(), (("mixed-amount-units", m) for m in messages.tolist())))
        parsed[mixed] = False
    batch.values[parsed] = written[parsed]
    return batch


def first_amount_in_euros(values: np.ndarray) -> str | None:
    """The first of ``values`` (text, in input order) written as an amount in euros ('12,50'), or None."""
    distinct = pd.unique(values)
    parsed, euros, _, _ = _unitless(distinct, {})
    found = np.flatnonzero(parsed & euros)
    return distinct[found[0]] if found.size else None


def _unitless(distinct: np.ndarray, errors: dict[int, tuple[str, str]]
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(parsed, in euros, zero, written in cents) for amounts read without a unit; ``errors`` gets the
    values that are no amount."""
    read = cents_fast.read_amounts(distinct)  # the common notations column-wise, the rest with cents.parse
    parsed, euros, written = read.known.copy(), read.euros.copy(), read.cents("cents")
    zero = read.number == "0"
    for at in np.flatnonzero(~read.known).tolist():  # the notations the fast path leaves to cents.parse
        try:
            amount = cents.parse(distinct[at])
        except Invalid as exc:
            errors[at] = (exc.code, exc.message)
            continue
        if amount is not None:
            parsed[at], euros[at], zero[at] = True, amount.euros, amount.number == 0
            written[at] = cents.to_cents(amount, "cents")
    return parsed, euros, zero, written


def _as_objects(uniques: pd.Index, column: str) -> np.ndarray:
    """The distinct values as Python strings; a cell of another type is refused."""
    distinct = uniques.to_numpy(dtype=object)
    if not isinstance(uniques.dtype, pd.StringDtype):  # Arrow strings are text by construction
        for value in distinct:
            if not isinstance(value, str):
                raise TypeError(f"{column}: the normalise stage takes text cells, got {value!r}")
    return distinct


def _dictionary(uniques: pd.Index, outcomes: _Outcomes) -> pd.api.extensions.ExtensionArray:
    """The distinct values, the changed ones rewritten."""
    dictionary = uniques.array.copy()
    changed = np.flatnonzero(outcomes.changed[:-1])
    dictionary[changed] = outcomes.texts[changed]
    return dictionary


def _replaced(values: pd.Series, dictionary: pd.api.extensions.ExtensionArray, codes: np.ndarray,
              changed: np.ndarray) -> pd.Series:
    """The column with its ``changed`` rows rewritten from ``dictionary``: a take, no per-row objects."""
    kept = codes < 0  # missing, or not looked at: stays what it was (None, NaN or NA)
    if np.count_nonzero(kept) > np.count_nonzero(changed):  # few rows change: set those
        result = values.array.copy()
        rows = np.flatnonzero(changed)
        result[rows] = dictionary.take(codes[rows])
    else:
        result = dictionary.take(codes, allow_fill=True)
        if kept.any():
            result[kept] = values.array[kept]
    return pd.Series(result, index=values.index, name=values.name, dtype=values.dtype)


def _issues(old: np.ndarray, codes: np.ndarray, column: str, position: int,
            outcomes: _Outcomes, info: bool = True) -> list[_Piece]:
    """Return the info (when ``info``), error and warning rows of one column, built with masks; ``old``:
    each row's original value (None where nothing was looked at)."""
    at = np.arange(len(old))
    pieces = []
    mask = outcomes.changed[codes]
    if info and mask.any():
        pieces.append(_piece(at[mask], column, position, 0, old[mask], "normalised",
                             old[mask] + " -> " + outcomes.texts[codes[mask]]))
    mask = outcomes.failed[codes]
    if mask.any():
        pieces.append(_piece(at[mask], column, position, 0, old[mask], outcomes.codes[codes[mask]],
                             outcomes.messages[codes[mask]]))
    keys, seq, warning_codes, warning_messages = outcomes.warned
    if len(keys):  # every row of a warned value gets each of its warnings: keys are sorted, so a repeat
        first = np.searchsorted(keys, np.arange(len(outcomes.changed)))
        count = np.searchsorted(keys, np.arange(len(outcomes.changed)), side="right") - first
        warned_rows = at[count[codes] > 0]
        times = count[codes[warned_rows]]
        rows = np.repeat(warned_rows, times)
        listed = np.repeat(first[codes[warned_rows]] - np.cumsum(times) + times, times) + np.arange(len(rows))
        pieces.append(_piece(rows, column, position, seq[listed], old[rows], warning_codes[listed],
                             warning_messages[listed]))
    return pieces


class _Piece(NamedTuple):
    """Issue rows of one column as arrays of one length: position in the frame, column position, order
    among a value's warnings, and the texts."""

    at: np.ndarray
    pos: np.ndarray
    seq: np.ndarray
    field: np.ndarray
    value: np.ndarray
    code: np.ndarray
    message: np.ndarray


def _piece(at: np.ndarray, column: str, position: int, seq: int | np.ndarray, value: object,
           code: object, message: object) -> _Piece:
    def cells(given: object) -> np.ndarray:  # object: a lone surrogate (object columns) stays as it is
        return np.broadcast_to(np.asarray(given, dtype=object), len(at))

    size = len(at)
    return _Piece(at, np.full(size, position), np.broadcast_to(np.asarray(seq, dtype=np.int64), size),
                  cells(column), cells(value), cells(code), cells(message))


def _table(pieces: list[_Piece], index: pd.Index) -> pd.DataFrame:
    """Return the issues in frame order (row, then column, info before warnings) with issues.COLUMNS."""
    if not pieces:
        none = np.array([], dtype=object)
        return pd.DataFrame({"row": pd.array([], dtype="Int64"), **{name: _text(none) for name in issues.COLUMNS[1:]}})
    joined = _Piece(*(np.concatenate([getattr(p, name) for p in pieces]) for name in _Piece._fields))
    order = np.lexsort((joined.seq, joined.pos, joined.at))  # stable: ties keep the order of the pieces
    cells = {"field": joined.field[order], "value": joined.value[order], "code": joined.code[order],
             "message": joined.message[order]}
    cells["level"] = _levels(cells["code"])
    try:
        columns = {name: _text(cells[name], few=name in ("field", "code", "level")) for name in issues.COLUMNS[1:]}
    except (UnicodeEncodeError, pa.ArrowException):  # a lone surrogate in a value (from an object column)
        columns = {name: pd.Series(cells[name], dtype=object) for name in issues.COLUMNS[1:]}
    return pd.DataFrame({"row": _row_numbers(index.to_numpy()[joined.at[order]]), **columns})


def _levels(codes: np.ndarray) -> np.ndarray:
    """Return the level of each issue code (looked up once per distinct code)."""
    at, distinct = pd.factorize(codes)
    levels = {name: c.level for name, c in issues.CODES.items()}
    return np.array([levels.get(c) for c in distinct] + [None], dtype=object)[at]


def _text(cells: np.ndarray, few: bool = False) -> pd.api.extensions.ExtensionArray:
    """Return ``cells`` as a text array ("str"); ``few`` distinct values are converted once each."""
    if few:
        at, distinct = pd.factorize(cells)
        if (at >= 0).all():  # no missing cell (None)
            return pd.array(pa.array(distinct, type=pa.large_string()).take(pa.array(at)), dtype="str")
    return pd.array(pa.array(cells, type=pa.large_string()), dtype="str")


def _row_numbers(rows: np.ndarray) -> pd.api.extensions.ExtensionArray | np.ndarray:
    try:
        return pd.array(rows, dtype="Int64")
    except (TypeError, ValueError):  # a non-numeric index is passed through as it is
        return rows
