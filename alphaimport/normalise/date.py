"""Dates: written ``yyyy-mm-dd``; read ISO, day-first (or month-first) forms, yyyymmdd and Excel serials."""
from __future__ import annotations

import datetime as dt
import re

from alphaimport.normalise.base import EMPTY, Invalid, Normalised, Normaliser, shown, trim

ORDERS = ("DMY", "MDY", "YMD")
# A time after the date is dropped (the info message shows it): T or space, hh:mm[:ss[.fff]], a zone.
_TIME = r"(?:[T ](?P<h>[0-9]{1,2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2})(?:[.,][0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
_YEAR_FIRST = re.compile(r"(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<a>[0-9]{1,2})(?P=sep)(?P<b>[0-9]{1,2})" + _TIME)
_YEAR_LAST = re.compile(r"(?P<a>[0-9]{1,2})(?P<sep>[-/.])(?P<b>[0-9]{1,2})(?P=sep)(?P<y>[0-9]{4})" + _TIME)
_SHORT_YEAR = re.compile(r"[0-9]{1,4}([-/.])[0-9]{1,2}\1[0-9]{1,2}")
_COMPACT = re.compile(r"(?P<y>[0-9]{4})(?P<a>[0-9]{2})(?P<b>[0-9]{2})")
_SERIAL = re.compile(r"[0-9]{1,5}")
# Excel's 1900 date system: serial 1 is 1900-01-01; 10000 is 1927-05-18, 99999 is 2173-10-13.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Only five-digit serials are dates: a shorter number is more likely a year (2027) or a day count, and
# turning "2027" into 1905-07-19 would be a silent guess.
_SERIAL_MIN = 10_000


def normalise_date(text: str, order: str = "DMY") -> Normalised:
    """Return the date in ``text`` as yyyy-mm-dd; raise Invalid when it is no (real) date."""
    value = trim(text)
    if not value:
        return EMPTY
    if m := _YEAR_FIRST.fullmatch(value):
        date = _date(value, int(m["y"]), int(m["a"]), int(m["b"]))
        _check_time(value, m)
    elif m := _YEAR_LAST.fullmatch(value):
        if order == "YMD":
            raise Invalid("invalid-date", f"{shown(value)} has its year last, but the date order is YMD "
                                          "(year first); set date_order: DMY or MDY in the mapping.")
        first, second = int(m["a"]), int(m["b"])
        month, day = (first, second) if order == "MDY" else (second, first)
        date = _date(value, int(m["y"]), month, day, f" (read {'month' if order == 'MDY' else 'day'} first, "
                                                       f"date_order {order})")
        _check_time(value, m)
    elif m := _COMPACT.fullmatch(value):
        date = _date(value, int(m["y"]), int(m["a"]), int(m["b"]), " (read as yyyymmdd)")
    elif _SERIAL.fullmatch(value):
        date = _serial(value)
    elif _SHORT_YEAR.fullmatch(value):
        raise Invalid("invalid-date", f"{shown(value)} has no four-digit year; a century is never guessed: "
                                      "write the year in full (2027).")
    else:
        raise Invalid("invalid-date", f"{shown(value)} is not a date; write it as yyyy-mm-dd (2027-12-31) "
                                      "or dd-mm-yyyy.")
    return Normalised(date.isoformat())


def _date(value: str, year: int, month: int, day: int, how: str = "") -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        if not 1 <= month <= 12:
            why = f"there is no month {month}"
        elif year < dt.MINYEAR:
            why = "there is no year 0"
        else:
            why = f"month {month} of {year} has no day {day}"
        raise Invalid("invalid-date", f"{shown(value)} is not a real date: {why}{how}.") from None


def _check_time(value: str, m: re.Match[str]) -> None:
    if m["h"] is not None and (int(m["h"]) > 23 or int(m["mi"]) > 59 or int(m["s"] or 0) > 59):
        raise Invalid("invalid-date", f"{shown(value)} has an impossible time of day.")


def _serial(value: str) -> dt.date:
    serial = int(value)
    if serial < _SERIAL_MIN:
        raise Invalid("invalid-date", f"{shown(value)} is not a date: a number is read as an Excel date serial "
                                      "only with five digits (10000 = 1927-05-18); write the date as yyyy-mm-dd.")
    return _EXCEL_EPOCH + dt.timedelta(days=serial)


def make(order: str = "DMY") -> Normaliser:
    """Return a date normaliser; ``order`` (DMY, MDY, YMD) reads dates like 01/02/2027."""
    order = order.upper()
    if order not in ORDERS:
        raise ValueError(f"unknown date order {order!r}; use one of {', '.join(ORDERS)}")

    def normalise(text: str) -> Normalised:
        """Return the date in ``text`` as yyyy-mm-dd."""
        return normalise_date(text, order)

    return normalise
