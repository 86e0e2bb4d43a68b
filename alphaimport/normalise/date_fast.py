"""Dates column-wise: the common notations read over arrays, the rest with ``date.normalise_date`` per value.

The fast path reads (after white space is trimmed) ``yyyy-mm-dd`` and ``dd-mm-yyyy`` with one of
``-``, ``/``, ``.`` as separator (one- or two-digit day and month; the day-month order from the
option, never YMD for a year written last), optionally followed by a time of day ``T``/space
``h:mm[:ss]`` that is a real time (hour 0-23, minutes and seconds 0-59); ``yyyymmdd``; and five-digit
Excel serials (10000-99999). A date that does not exist (``2027-02-30``, year 0), another time or
zone, any other shape: ``normalise_date`` decides, with its own message.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from alphaimport.normalise import date, strings
from alphaimport.normalise.base import WHITESPACE
from alphaimport.normalise.batch import Batch, BatchNormaliser, per_value

_TIME = r"(?:[T ](?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?)?"  # a subset of date._TIME: always valid
_YEAR_FIRST = "|".join(rf"[0-9]{{4}}{s}[0-9]{{1,2}}{s}[0-9]{{1,2}}{_TIME}" for s in (r"-", "/", r"\."))
_YEAR_LAST = "|".join(rf"[0-9]{{1,2}}{s}[0-9]{{1,2}}{s}[0-9]{{4}}{_TIME}" for s in (r"-", "/", r"\."))
_PARTS = r"^(?P<a>[0-9]+)[-/.](?P<b>[0-9]+)[-/.](?P<c>[0-9]+)"
_EPOCH = np.datetime64("1899-12-30")  # date._EXCEL_EPOCH


def make(order: str = "DMY") -> BatchNormaliser:
    """Return the batch counterpart of ``date.make(order)``: same result per value."""
    fn = date.make(order)
    order = order.upper()

    def normalise(values: np.ndarray) -> Batch:
        """Return the dates in ``values`` as yyyy-mm-dd."""
        values = np.asarray(values, dtype=object)
        known, texts = read_dates(values, order)
        batch = Batch.empty(len(values))
        batch.values[known] = texts[known]
        return per_value(values, fn, np.flatnonzero(~known), batch)

    return normalise


def read_dates(values: np.ndarray, order: str = "DMY") -> tuple[np.ndarray, np.ndarray]:
    """Return (where the fast path reads a real date, that date as yyyy-mm-dd)."""
    order = order.upper()
    size = len(values)
    array, usable = strings.to_arrow(np.asarray(values, dtype=object))
    value = pc.utf8_trim(array, WHITESPACE)
    year, month, day = (np.zeros(size, dtype=np.int64) for _ in range(3))
    first = usable & strings.fullmatch(value, _YEAR_FIRST)
    last = usable & strings.fullmatch(value, _YEAR_LAST) & (order != "YMD")
    if first.any() or last.any():
        parts = pc.extract_regex(pc.if_else(pa.array(first | last), value, "0-0-0"), _PARTS)
        a, b, c = (_ints(parts.field(name)) for name in "abc")
        year = np.where(first, a, np.where(last, c, 0))
        month = np.where(first, b, np.where(last, a if order == "MDY" else b, 0))
        day = np.where(first, c, np.where(last, b if order == "MDY" else a, 0))
    compact = usable & strings.fullmatch(value, "[0-9]{8}")
    if compact.any():
        number = _ints(pc.if_else(pa.array(compact), value, "0"))
        year = np.where(compact, number // 10_000, year)
        month = np.where(compact, number // 100 % 100, month)
        day = np.where(compact, number % 100, day)
    serial = usable & strings.fullmatch(value, "[1-9][0-9]{4}")  # date._SERIAL_MIN and up
    known = (first | last | compact) & _real(year, month, day)
    dates = np.zeros(size, dtype="datetime64[D]")
    at = np.flatnonzero(known)
    dates[at] = (year[at] - 1970).astype("datetime64[Y]") + (month[at] - 1).astype("timedelta64[M]")
    dates[at] += (day[at] - 1).astype("timedelta64[D]")
    if serial.any():
        dates[serial] = _EPOCH + _ints(pc.if_else(pa.array(serial), value, "0"))[serial].astype("timedelta64[D]")
        known |= serial
    texts = np.full(size, None, dtype=object)
    texts[known] = np.datetime_as_string(dates[known], unit="D").astype(object)
    return known, texts


def _ints(array: pa.Array) -> np.ndarray:
    return np.asarray(pc.cast(array, pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)


def _real(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Return where (year, month, day) is a date datetime.date accepts (years 1-9999)."""
    real = (year >= 1) & (year <= 9999) & (month >= 1) & (month <= 12) & (day >= 1)
    start = np.where(real, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
    length = ((start + 1).astype("datetime64[D]") - start.astype("datetime64[D]")).astype(np.int64)
    return np.asarray(real & (day <= length), dtype=bool)
