"""alphaimport.formats.cells: a float as a spreadsheet shows it, or, for a DataFrame, a whole float in full."""
from __future__ import annotations

import numpy as np
import pytest

from alphaimport.formats.cells import cell_text


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
