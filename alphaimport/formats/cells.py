"""One rule for turning a typed cell (spreadsheet, DataFrame, JSON) into the text a user sees."""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

# Excel and LibreOffice keep and show 15 significant digits; more digits are binary noise (1234.4999999999998)
_SIGNIFICANT_DIGITS = 15
# whole numbers up to here print exactly; beyond, a float's last digits are noise a spreadsheet never shows
_EXACT_INTEGERS = 10**_SIGNIFICANT_DIGITS


def cell_text(value: Any, *, exact_whole_floats: bool = False) -> str:
    """The text of one cell: dates ISO, whole numbers without '.0', booleans '1'/'0', empty ''.

    A float keeps 15 significant digits, as a spreadsheet shows it. With ``exact_whole_floats`` (values a
    program made: DataFrame cells) a whole float keeps all its digits (9007199254740991.0 is
    '9007199254740991', not '9007199254740990'); other floats still keep 15 significant digits.
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
    if _is_missing(value):
        return ""
    return str(value)


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
