"""The column-wise date path gives exactly what normalise_date gives, value by value, in every date order.

Proof by comparison: a seeded realistic set of 100,000 dates (ISO, day-first and month-first with three
separators, times of day, yyyymmdd, Excel serials, impossible dates, two-digit years) and a hypothesis
property over date-like strings. Zero differences in value, code and message.
"""
from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alphaimport.normalise import date, date_fast
from alphaimport.normalise import batch

TIMES = ["", "", "", "", " 00:00:00", "T10:30", " 23:59:59", " 24:00", " 9:05", "T12:00:00.123", " 10:00Z",
         " 10:61", "T07:15:00+01:00"]


def realistic(count: int, seed: int) -> list[str]:
    """Return ``count`` date cells as exports hold them (seeded): mostly real dates, some impossible or odd."""
    r = random.Random(seed)
    values = []
    for _ in range(count):
        year = r.choices([r.randint(1930, 2040), r.randint(0, 9999), 0], [90, 8, 2])[0]
        month = r.choices([r.randint(1, 12), r.randint(0, 13)], [95, 5])[0]
        day = r.choices([r.randint(1, 28), r.randint(29, 31), r.randint(0, 32)], [80, 15, 5])[0]
        sep = r.choice("-/.")
        mm, dd = (f"{month:02d}", f"{day:02d}") if r.random() < 0.7 else (str(month), str(day))
        value = r.choices([
            f"{dd}{sep}{mm}{sep}{year:04d}", f"{year:04d}{sep}{mm}{sep}{dd}", f"{year:04d}{month:02d}{day:02d}",
            str(r.randint(10_000, 99_999)), str(r.randint(0, 120_000)), f"{dd}-{mm}-{year % 100:02d}",
            f"{dd}{sep}{mm}-{year:04d}", "n.v.t.", "", "00-00-0000",
        ], [45, 30, 5, 3, 2, 3, 2, 1, 1, 1])[0]
        if value[:1].isdigit() and sep in value and r.random() < 0.2:
            value += r.choice(TIMES)
        if r.random() < 0.03:
            value = r.choice([" ", "\t", "\u00a0"]) + value + r.choice(["", " ", "\n"])
        values.append(value)
    return values


def differences(values: list[str], order: str) -> list[tuple]:
    return batch.differences(values, date_fast.make(order), date.make(order))


def test_a_realistic_set_of_100000_values_has_no_difference() -> None:
    values = realistic(100_000, seed=20261122)
    assert differences(values, "DMY") == []
    assert date_fast.read_dates(np.array(values, dtype=object), "DMY")[0].mean() > 0.7  # not vacuous


@pytest.mark.parametrize("order", ["MDY", "YMD", "dmy"])
def test_every_date_order_has_no_difference(order: str) -> None:
    assert differences(realistic(10_000, seed=len(order)), order) == []


@st.composite
def date_like(draw: st.DrawFn) -> str:
    """A date-like string: three numbers of 0-5 digits with separators, maybe a time, white space around."""
    numbers = draw(st.lists(st.text("0123456789", min_size=0, max_size=5), min_size=1, max_size=3))
    seps = draw(st.lists(st.sampled_from(["-", "/", ".", " ", ""]), min_size=2, max_size=2))
    text = numbers[0] + "".join(sep + n for sep, n in zip(seps, numbers[1:]))
    return (draw(st.sampled_from(["", " ", "\t"])) + text + draw(st.sampled_from(TIMES + ["T", " 1:2", "Z"]))
            + draw(st.sampled_from(["", " ", "\n"])))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(date_like(), st.text(max_size=12)), min_size=1, max_size=40),
       st.sampled_from(["DMY", "MDY", "YMD"]))
def test_date_like_strings_have_no_difference(values: list[str], order: str) -> None:
    assert differences(values, order) == []


@pytest.mark.parametrize(("raw", "order", "clean"), [
    ("31-12-2027", "DMY", "2027-12-31"), ("2027-12-31", "DMY", "2027-12-31"), ("1/7/2027", "DMY", "2027-07-01"),
    ("1/7/2027", "MDY", "2027-01-07"), ("31.12.2027", "DMY", "2027-12-31"), ("2027-12-31 00:00:00", "YMD", "2027-12-31"),
    ("20271231", "DMY", "2027-12-31"), ("45000", "DMY", "2023-03-15"), ("29-02-2024", "DMY", "2024-02-29"),
    ("0001-01-01", "DMY", "0001-01-01"),
])
def test_the_common_notations_take_the_fast_path(raw: str, order: str, clean: str) -> None:
    assert date_fast.read_dates(np.array([raw], dtype=object), order)[0].all()
    assert date_fast.make(order)(np.array([raw], dtype=object)).outcomes()[0].value == clean


@pytest.mark.parametrize(("raw", "order"), [
    ("29-02-2027", "DMY"), ("2027-13-01", "DMY"), ("0000-01-01", "DMY"), ("31-12-2027", "YMD"), ("31-12-27", "DMY"),
    ("2027", "DMY"), ("2027-12-31T24:00", "DMY"), ("2027-12-31 10:00Z", "DMY"), ("01234", "DMY"), ("", "DMY"),
])
def test_impossible_and_unusual_dates_fall_back(raw: str, order: str) -> None:
    assert not date_fast.read_dates(np.array([raw], dtype=object), order)[0].any()
