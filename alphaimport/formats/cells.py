"""One rule for turning a typed cell (spreadsheet, DataFrame, JSON) into the text a user sees."""
from __future__ import annotations

import datetime as dt
import math
import uuid
from decimal import Decimal
from typing import Any

# Excel and LibreOffice keep and show 15 significant digits; more digits are binary noise (1234.4999999999998)
_SIGNIFICANT_DIGITS = 15
# whole numbers up to here print exactly; beyond, a float's last digits are noise a spreadsheet never shows
_EXACT_INTEGERS = 10**_SIGNIFICANT_DIGITS
#: values that are several values, not one: a cell never holds their Python text (a list is not joined)
_CONTAINERS = (list, tuple, set, frozenset, dict)
_BYTES = (bytes, bytearray, memoryview)


class NoText(TypeError):
    """A cell value without one obvious text: bytes (whose encoding is not guessed), a container
    (list, tuple, set, dict, array) or another object whose ``str`` would be Python's notation."""

    def __init__(self, value: Any) -> None:
        self.kind = kind(value)
        if isinstance(value, _BYTES) or type(value).__name__ == "bytes_":
            advice = "not text; decode it first"
        elif isinstance(value, _CONTAINERS) or hasattr(value, "__len__"):
            advice = "not a single value"
        else:
            advice = "which has no obvious text; convert it to str first"
        super().__init__(f"a cell holds {self.kind}, {advice}")


def cell_text(value: Any, *, exact_whole_floats: bool = False) -> str:
    """The text of one cell: dates ISO, whole numbers without '.0', booleans '1'/'0', empty ''.

    A float keeps 15 significant digits, as a spreadsheet shows it. With ``exact_whole_floats`` (values a
    program made: DataFrame cells) a whole float keeps all its digits (9007199254740991.0 is
    '9007199254740991', not '9007199254740990'); other floats still keep 15 significant digits.
    A value without one obvious text (bytes, a list, a dict, any other object) raises :class:`NoText`:
    its Python notation (``b'M\\xc3\\xbcller'``, ``['a', 'b']``) is never taken for its text.
    """
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or type(value).__name__ in ("bool_", "bool"):
        return "1" if value else "0"
    if isinstance(value, dt.datetime) or type(value).__name__ == "Timestamp":
        if _is_missing(value):
            return ""
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.date().isoformat()
        return value.isoformat(sep="T", timespec="seconds" if not value.microsecond else "microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return _duration_text(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float) or type(value).__name__.startswith("float"):
        return _float_text(float(value), exact_whole_floats)
    if isinstance(value, int) or type(value).__name__.startswith(("int", "uint")):
        return str(int(value))
    if isinstance(value, (*_BYTES, *_CONTAINERS)):
        raise NoText(value)
    if type(value).__name__ in ("datetime64", "timedelta64"):  # numpy's, in an object column
        return _numpy_time_text(value)
    if _is_missing(value):
        return ""
    if isinstance(value, uuid.UUID):
        return str(value)  # its canonical text
    raise NoText(value)


def _numpy_time_text(value: Any) -> str:
    import pandas as pd  # loaded already by whoever holds numpy values

    try:
        return cell_text(pd.Timestamp(value) if type(value).__name__ == "datetime64" else pd.Timedelta(value))
    except (ValueError, OverflowError, NotImplementedError):  # beyond the years a date holds: not guessed at
        raise NoText(value) from None


def kind(value: Any) -> str:
    """How a message names the type of a value: 'bytes', 'a list', 'a numpy array', 'an Interval'."""
    if isinstance(value, bytes):
        return "bytes"
    name = "numpy array" if type(value).__name__ == "ndarray" else type(value).__name__
    return f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}"


def _float_text(value: float, exact_whole: bool = False) -> str:
    if math.isnan(value):
        return ""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value.is_integer() and (exact_whole or abs(value) < _EXACT_INTEGERS):
        return str(int(value))
    text = f"{value:.{_SIGNIFICANT_DIGITS}g}"
    if "e" in text:  # very small or large: write it out in full, as a spreadsheet's General format would not
        text = format(Decimal(text), "f")
    return text


def _duration_text(value: dt.timedelta) -> str:
    """A duration cell as a spreadsheet's [h]:mm:ss shows it: 36:00:00, -0:30:00."""
    sign = "-" if value < dt.timedelta(0) else ""
    value = abs(value)
    hours, rest = divmod(value.days * 86_400 + value.seconds, 3_600)
    text = f"{sign}{hours}:{rest // 60:02d}:{rest % 60:02d}"
    return f"{text}.{value.microseconds:06d}".rstrip("0") if value.microseconds else text


def _is_missing(value: Any) -> bool:
    try:
        return bool(value != value)  # NaN, NaT, pd.NA compare unequal to themselves
    except (TypeError, ValueError):
        return False
