"""alphaimport.formats.cells: a float as a spreadsheet shows it, or, for a DataFrame, a whole float in full;
no Python notation for a value without one obvious text."""
from __future__ import annotations

import uuid
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from alphaimport.formats.cells import NoText, cell_text


@pytest.mark.parametrize(("value", "spreadsheet", "exact"), [
    (1234567890123456.0, "1234567890123460", "1234567890123456"),
    (9007199254740991.0, "9007199254740990", "9007199254740991"),
    (np.float64(9007199254740993.0), "9007199254740990", "9007199254740992"),  # float64 holds ...992
    (-1e16, "-10000000000000000", "-10000000000000000"),
    (float(2**60), "1152921504606850000", "1152921504606846976"),  # the int pandas made a float, unchanged
    (1e20, "100000000000000000000", "100000000000000000000"),
    (999999999999999.0, "999999999999999", "999999999999999"),
    (123.0, "123", "123"),
    (-0.0, "0", "0"),
    (0.1 + 0.2, "0.3", "0.3"),
    (1234.4999999999998, "1234.5", "1234.5"),
    (1234567890123456.5, "1234567890123460", "1234567890123460"),  # not whole: 15 digits either way
    (1.25e-7, "0.000000125", "0.000000125"),
    (float("nan"), "", ""),
    (float("inf"), "inf", "inf"),
])
def test_a_whole_float_is_exact_only_when_asked(value: float, spreadsheet: str, exact: str) -> None:
    assert cell_text(value) == spreadsheet
    assert cell_text(value, exact_whole_floats=True) == exact


def test_exact_whole_floats_changes_nothing_but_floats() -> None:
    for value in (12345678901234567890, np.int64(9007199254740993), "1234567890123456.0", True, None):
        assert cell_text(value, exact_whole_floats=True) == cell_text(value)


@pytest.mark.parametrize(("value", "message"), [
    (b"M\xc3\xbcller", "a cell holds bytes, not text; decode it first"),
    (np.bytes_(b"Jansen"), "a cell holds bytes, not text; decode it first"),
    (bytearray(b"Jansen"), "a cell holds a bytearray, not text; decode it first"),
    (memoryview(b"Jansen"), "a cell holds a memoryview, not text; decode it first"),
    (["Huur", "december"], "a cell holds a list, not a single value"),
    (("Huur",), "a cell holds a tuple, not a single value"),
    ({"Huur"}, "a cell holds a set, not a single value"),
    ({"x": 1}, "a cell holds a dict, not a single value"),
    (np.array([1, 2]), "a cell holds a numpy array, not a single value"),
    (Fraction(1, 2), "a cell holds a Fraction, which has no obvious text; convert it to str first"),
    (1 + 2j, "a cell holds a complex, which has no obvious text; convert it to str first"),
    (object(), "a cell holds an object, which has no obvious text; convert it to str first"),
    (np.datetime64("20000-01-01"), "a cell holds a datetime64, which has no obvious text; convert it to str first"),
])
def test_a_value_without_one_obvious_text_is_refused_not_its_python_notation(value: object, message: str) -> None:
    """str(b'M\\xc3\\xbcller') is "b'M\\xc3\\xbcller'": a cell never holds Python's notation of a value."""
    for exact in (False, True):
        with pytest.raises(NoText) as caught:
            cell_text(value, exact_whole_floats=exact)
        assert str(caught.value) == message


@pytest.mark.parametrize(("value", "text"), [
    (uuid.UUID("12345678-1234-5678-1234-567812345678"), "12345678-1234-5678-1234-567812345678"),
    (np.datetime64("2027-12-31"), "2027-12-31"),
    (np.datetime64("2027-12-31T10:30"), "2027-12-31T10:30:00"),
    (np.datetime64("NaT"), ""),
    (np.timedelta64(90, "m"), "1:30:00"),
    (np.str_("00123"), "00123"),
    (Decimal("12.50"), "12.50"),
    (pd.NA, ""),
    (pd.NaT, ""),
])
def test_values_with_one_obvious_text_keep_it(value: object, text: str) -> None:
    assert cell_text(value) == text
