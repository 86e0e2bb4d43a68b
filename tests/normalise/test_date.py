"""Dates: the date order option, Excel serials and their 1900 bug, times dropped, centuries never guessed."""
from __future__ import annotations

import pytest

from alphaimport.normalise import date
from alphaimport.normalise.base import Invalid


@pytest.mark.parametrize(("raw", "dmy", "mdy"), [
    ("01/02/2027", "2027-02-01", "2027-01-02"),
    ("1-2-2027", "2027-02-01", "2027-01-02"),
    ("12.11.2027", "2027-11-12", "2027-12-11"),
    ("2027-01-02", "2027-01-02", "2027-01-02"),  # year first is always year-month-day
    ("20270102", "2027-01-02", "2027-01-02"),
])
def test_date_order(raw: str, dmy: str, mdy: str) -> None:
    assert date.make(order="DMY")(raw).value == dmy
    assert date.make(order="mdy")(raw).value == mdy


def test_a_date_impossible_in_the_declared_order_is_never_swapped() -> None:
    with pytest.raises(Invalid, match="month first"):
        date.make(order="MDY")("31/12/2027")


def test_ymd_refuses_year_last_dates() -> None:
    assert date.make(order="YMD")("2027/01/02").value == "2027-01-02"
    with pytest.raises(Invalid, match="YMD"):
        date.make(order="YMD")("31-12-2027")


def test_an_unknown_order_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown date order"):
        date.make(order="DM")


@pytest.mark.parametrize(("serial", "iso"), [
    ("10000", "1927-05-18"), ("45000", "2023-03-15"), ("46752", "2027-12-31"), ("99999", "2173-10-13"),
])
def test_excel_serials(serial: str, iso: str) -> None:
    assert date.make()(serial).value == iso


@pytest.mark.parametrize("raw", ["0", "1", "60", "2027", "9999", "123456", "4675.5", "-1"])
def test_not_serials(raw: str) -> None:
    with pytest.raises(Invalid):
        date.make()(raw)


@pytest.mark.parametrize("raw", ["2027-12-31T10:00", "2027-12-31 10:00:00", "31-12-2027 10:00",
                                 "2027-12-31T10:00:00Z", "2027-12-31T10:00:00.123456+02:00"])
def test_a_time_is_dropped(raw: str) -> None:
    assert date.make()(raw).value == "2027-12-31"


@pytest.mark.parametrize("raw", ["31-12-27", "1/2/27", "27-12-31"])
def test_two_digit_years_are_refused(raw: str) -> None:
    with pytest.raises(Invalid, match="four-digit year"):
        date.make()(raw)
