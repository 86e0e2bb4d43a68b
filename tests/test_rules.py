"""The record rules' issues frames: columns in the order of COLUMNS, an empty one never shared."""
from __future__ import annotations

import pandas as pd

from alphaimport import rules
from alphaimport.issues import COLUMNS


def test_an_issues_frame_has_the_columns_in_order() -> None:
    table = rules.issues_frame(pd.Index([7, 3]), "INVOICE_DUEDATE", "2020-01-01", "date-not-in-future", "late")
    assert list(table.columns) == list(COLUMNS)
    assert table.astype(str).to_numpy().tolist() == [
        ["7", "INVOICE_DUEDATE", "2020-01-01", "date-not-in-future", "error", "late"],
        ["3", "INVOICE_DUEDATE", "2020-01-01", "date-not-in-future", "error", "late"],
    ]


def test_no_findings_is_a_new_empty_frame_each_time() -> None:
    first = rules._concat([])
    first.loc[0] = [1, "F", "v", "required", "error", "m"]  # a caller changing its own frame
    again = rules._concat([])
    assert again.empty and list(again.columns) == list(COLUMNS)
    assert again["row"].dtype == "Int64" and (again.dtypes.iloc[1:] == object).all()


def test_rules_without_findings_give_the_empty_frame() -> None:
    import datetime as dt

    frame = pd.DataFrame({"INVOICE_DUEDATE": ["2027-01-01"], "IDENTIFICATION_IDENTIFIER": ["1"]}, dtype="str")
    invalid = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    for found in (rules.future_dates(frame, invalid, dt.date(2026, 11, 22)), rules.at_most(frame, invalid),
                  rules.delivered_before(frame, {"2": "earlier.csv"})):
        pd.testing.assert_frame_equal(found, rules._concat([]))
