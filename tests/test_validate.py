"""validate(): the verdict on every record, per profile, with every issue as a row."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from alphaimport.issues import COLUMNS
from alphaimport.profile import Profile
from alphaimport.validate import REASONS, status, validate

TODAY = dt.date(2026, 11, 22)
# one record that every profile accepts: every field some medium or service requires
COMPLETE = {
    "IDENTIFICATION_IDENTIFIER": "00123", "PERSON_FAMILYNAME": "van der Berg", "PERSON_GIVENNAME": "Anna",
    "PERSON_GENDER": "F", "PERSON_BIRTHDAY": "1975-01-01", "ADDRESS_STREET": "Dorpsstraat",
    "ADDRESS_HOUSENUMBER": "12", "ADDRESS_EXTENSION": "A", "ADDRESS_ZIPCODE": "1234 AB",
    "ADDRESS_CITY": "Utrecht", "ADDRESS_COUNTRY": "NL", "CONTACT_PHONENUMBER_1": "31612345678",
    "CONTACT_EMAIL_1": "anna@example.nl", "INVOICE_NUMBER": "F-1", "INVOICE_DATE": "2026-11-01",
    "INVOICE_DUEDATE": "2027-12-31", "INVOICE_CURRENCY": "EUR", "INVOICE_AMOUNT": "12345",
    "INVOICE_DESCRIPTION": "Huur", "INVOICE_REFERENCE": "R-1", "EMANDATE_IDENTIFIER": "M-1",
    "EMANDATE_PURCHASEID": "P-1", "EMANDATE_REASON": "huur", "EMANDATE_DEBTORID": "D-1",
    "EMANDATE_VISIBLEUNTIL": "2027-12-31", "CONTROL_FLOWID": "1001", "SERVICES_ENRICHMENT": "1",
}
PROFILES = {"voice": ({"voice"}, ()), "sms": ({"sms"}, ()), "mail": ({"mail"}, ()),
            "paylink": ((), {"paylink"}), "emandate": ((), {"emandate"}), "enrichment": ((), {"enrichment"})}
# field emptied -> the profiles (matrix columns) that must reject the record
REJECTED_BY = {
    "CONTACT_PHONENUMBER_1": {"voice", "sms"},
    "CONTACT_EMAIL_1": {"mail"},
    "PERSON_FAMILYNAME": {"paylink", "emandate", "enrichment"},
    "PERSON_GENDER": {"emandate"},
    "INVOICE_AMOUNT": {"paylink"},
    "EMANDATE_REASON": {"emandate"},
    "ADDRESS_EXTENSION": {"enrichment"},
    "CONTROL_FLOWID": {"voice", "sms", "mail", "paylink", "emandate"},
    "SERVICES_ENRICHMENT": {"enrichment"},
    "IDENTIFICATION_IDENTIFIER": set(PROFILES),
    "CONTRACT_NAME": set(),
}


def _frame(*records: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(list(records), index=pd.Index(range(2, 2 + len(records)), name="row"))


def _profile(name: str) -> Profile:
    media, services = PROFILES[name]
    return Profile(media, services)


@pytest.mark.parametrize("name", PROFILES)
def test_the_complete_record_is_accepted_by_every_profile(name: str) -> None:
    result = validate(_frame(COMPLETE), _profile(name), today=TODAY)
    assert len(result.accepted) == 1 and result.rejected.empty, result.issues.to_string()


@pytest.mark.parametrize("emptied", REJECTED_BY)
@pytest.mark.parametrize("name", PROFILES)
def test_a_record_is_rejected_exactly_where_the_matrix_requires_the_field(name: str, emptied: str) -> None:
    record = {**COMPLETE, emptied: ""}
    result = validate(_frame(record), _profile(name), today=TODAY)
    assert (len(result.rejected) == 1) == (name in REJECTED_BY[emptied])
    if name in REJECTED_BY[emptied]:
        required = result.issues[result.issues["code"] == "required"]
        assert required["row"].tolist() == [2]
        assert f"because the profile includes {name}" in required["message"].iloc[0]


def test_a_missing_column_rejects_every_record_and_says_so() -> None:
    record = {k: v for k, v in COMPLETE.items() if k != "INVOICE_AMOUNT"}
    result = validate(_frame(record, {**record, "IDENTIFICATION_IDENTIFIER": "9"}), Profile(services={"paylink"}),
                      today=TODAY)
    assert result.rejected.index.tolist() == [2, 3]
    assert result.issues[result.issues["code"] == "required"]["message"].tolist() == [
        "INVOICE_AMOUNT is not in the input; required because the profile includes paylink"] * 2


def test_issue_rows_have_the_six_columns_and_messages_say_why() -> None:
    record = {**COMPLETE, "CONTACT_PHONENUMBER_1": "", "PERSON_FAMILYNAME": "x" * 101}
    result = validate(_frame(record), Profile({"sms"}, {"paylink"}), today=TODAY)
    assert list(result.issues.columns) == list(COLUMNS)
    errors = result.issues[result.issues["level"] == "error"].sort_values("field")
    assert errors[["row", "field", "code"]].values.tolist() == [
        [2, "CONTACT_PHONENUMBER_x", "required"], [2, "PERSON_FAMILYNAME", "too-long"]]
    assert errors["message"].tolist() == [
        "no valid value in CONTACT_PHONENUMBER_1, CONTACT_PHONENUMBER_2 or CONTACT_PHONENUMBER_3; "
        "at least one is required because the profile includes sms",
        "PERSON_FAMILYNAME is 101 characters long; the maximum is 100"]


def test_one_valid_phone_of_three_is_enough_but_an_invalid_one_is_an_error() -> None:
    ok = {**COMPLETE, "CONTACT_PHONENUMBER_1": "", "CONTACT_PHONENUMBER_2": "", "CONTACT_PHONENUMBER_3": "0612345678"}
    bad = {**COMPLETE, "IDENTIFICATION_IDENTIFIER": "2", "CONTACT_PHONENUMBER_1": "12", "CONTACT_PHONENUMBER_2": ""}
    result = validate(_frame(ok, bad), Profile({"sms"}), today=TODAY)
    assert result.accepted.index.tolist() == [2]
    assert result.accepted.at[2, "CONTACT_PHONENUMBER_3"] == "31612345678"
    codes = set(result.issues[result.issues["row"] == 3]["code"])
    assert {"invalid-phone", "required"} <= codes


def test_duplicate_identifiers_reject_every_record_that_shares_one() -> None:
    records = [{**COMPLETE, "IDENTIFICATION_IDENTIFIER": i} for i in ("A", "B", "A", "C", "A")]
    result = validate(_frame(*records), Profile({"sms"}), today=TODAY)
    assert result.rejected.index.tolist() == [2, 4, 6]
    messages = result.issues[result.issues["code"] == "duplicate-identifier"].set_index("row")["message"]
    assert messages[2] == "identifier A is also on row 4, 6; the platform keeps only the last of equal identifiers"


def test_identifiers_delivered_before_are_a_warning_naming_the_file() -> None:
    result = validate(_frame(COMPLETE), Profile({"sms"}), today=TODAY, earlier={"00123": "20261101-1001-1.csv"})
    assert len(result.accepted) == 1
    warning = result.issues[result.issues["code"] == "identifier-delivered-before"]
    assert warning["level"].tolist() == ["warning"]
    assert "delivered before in 20261101-1001-1.csv" in warning["message"].iloc[0]


@pytest.mark.parametrize("field, value, rejected", [
    ("INVOICE_DUEDATE", "2026-11-22", True),  # today is not the future
    ("INVOICE_DUEDATE", "21-11-2026", True),
    ("INVOICE_DUEDATE", "2026-11-23", False),
    ("INVOICE_ARRANGEMENT_DUEDATE", "2020-01-01", True),
    ("INVOICE_DATE", "2020-01-01", False),  # only due dates must lie ahead
])
def test_due_dates_must_lie_in_the_future(field: str, value: str, rejected: bool) -> None:
    result = validate(_frame({**COMPLETE, field: value}), Profile(services={"paylink"}), today=TODAY)
    assert (len(result.rejected) == 1) == rejected
    if rejected:
        assert "date-not-in-future" in set(result.issues["code"])


@pytest.mark.parametrize("term, total, rejected", [("3", "3", False), ("4", "3", True), ("2", "", False)])
def test_term_not_above_total_terms(term: str, total: str, rejected: bool) -> None:
    record = {**COMPLETE, "INVOICE_ARRANGEMENT_TERM": term, "INVOICE_ARRANGEMENT_TOTALTERMS": total}
    result = validate(_frame(record), Profile({"sms"}), today=TODAY)
    assert (len(result.rejected) == 1) == rejected
    if rejected:
        issue = result.issues[result.issues["code"] == "term-exceeds-total"].iloc[0]
        assert issue["message"] == "INVOICE_ARRANGEMENT_TERM 4 is greater than INVOICE_ARRANGEMENT_TOTALTERMS 3"


MESSY = [
    {**COMPLETE, "CONTACT_PHONENUMBER_1": "06-12345678", "INVOICE_AMOUNT": "€ 1.234,56", "PERSON_GENDER": "vrouw",
     "INVOICE_DUEDATE": "31-12-2027", "IDENTIFICATION_IDENTIFIER": " 1 "},
    {**COMPLETE, "CONTACT_PHONENUMBER_1": "+32 470 12 34 56", "IDENTIFICATION_IDENTIFIER": "2",
     "INVOICE_DUEDATE": "2027-02-30", "INVOICE_AMOUNT": "99,95"},
    {**COMPLETE, "IDENTIFICATION_IDENTIFIER": "3", "CONTACT_EMAIL_1": "not an address", "INVOICE_AMOUNT": "5.00"},
    {**COMPLETE, "IDENTIFICATION_IDENTIFIER": "4", "PERSON_FAMILYNAME": "Jansen\n", "INVOICE_AMOUNT": "1,-"},
]


@pytest.mark.parametrize("name", PROFILES)
def test_nothing_is_lost_and_nothing_changes_silently(name: str) -> None:
    frame = _frame(*MESSY)
    before = frame.copy()
    result = validate(frame, _profile(name), today=TODAY)
    pd.testing.assert_frame_equal(frame, before)  # the input is never mutated
    assert len(result.accepted) + len(result.rejected) == len(frame)
    assert sorted(result.accepted.index.append(result.rejected.index)) == list(frame.index)
    info = result.issues[result.issues["level"] == "info"].set_index(["row", "field"])["message"]
    for row in result.accepted.index:
        for column in result.accepted.columns:
            old, new = frame.at[row, column], result.accepted.at[row, column]
            if old != new:
                assert info[(row, column)] == f"{old} -> {new}"
    for row in result.rejected.index:
        assert (result.rejected.loc[row, frame.columns] == frame.loc[row]).all()  # originals, untouched
        assert result.rejected.at[row, REASONS]
    assert set(status(result)) <= {"accepted", "rejected"}


def test_normalised_values_in_accepted() -> None:
    result = validate(_frame(MESSY[0]), Profile({"sms"}, {"paylink"}), today=TODAY)
    row = result.accepted.loc[2]
    assert (row["CONTACT_PHONENUMBER_1"], row["INVOICE_AMOUNT"], row["PERSON_GENDER"], row["INVOICE_DUEDATE"],
            row["IDENTIFICATION_IDENTIFIER"]) == ("31612345678", "123456", "F", "2027-12-31", "1")
    assert result.summary["records"] == 1 and result.summary["accepted"] == 1


def test_summary_counts_and_top_problems() -> None:
    result = validate(_frame(*MESSY), Profile({"sms"}), today=TODAY)
    summary = result.summary
    assert (summary["records"], summary["accepted"] + summary["rejected"]) == (4, 4)
    assert summary["rejected"] == 2
    assert {(p["field"], p["code"]) for p in summary["top_problems"]} >= {
        ("INVOICE_DUEDATE", "invalid-date"), ("CONTACT_EMAIL_1", "invalid-email")}


@pytest.mark.parametrize("name", PROFILES)
def test_without_info_rows_the_verdict_and_counts_are_the_same(name: str) -> None:
    frame = _frame(*MESSY)
    full = validate(frame, _profile(name), today=TODAY)
    lean = validate(frame, _profile(name), today=TODAY, info=False)
    info = full.issues["level"] == "info"
    assert info.sum() > 0
    assert (lean.issues["level"] == "info").sum() == 0
    pd.testing.assert_frame_equal(lean.issues, full.issues[~info].reset_index(drop=True))
    pd.testing.assert_frame_equal(lean.accepted, full.accepted)
    pd.testing.assert_frame_equal(lean.rejected, full.rejected)
    assert lean.summary == full.summary
    assert lean.summary["normalised"] == info.sum()


def test_reasons_join_every_error_of_a_row_in_the_order_found() -> None:
    from alphaimport.validate import joined_by_row

    rows = pd.Series([7, 3, 7, 3, 9], dtype="Int64")
    texts = pd.Series(["a", "b", "c", "d", "e"])
    joined = joined_by_row(rows, texts, " | ")
    assert joined.to_dict() == {3: "b | d", 7: "a | c", 9: "e"}
    assert joined_by_row(rows[:0], texts[:0], " | ").empty


def test_invalid_cells_are_the_refused_cells_of_every_row_with_the_label() -> None:
    from alphaimport.validate import _invalid_cells

    frame = pd.DataFrame({"A": ["x", "y", "z", "w"], "B": ["1", "2", "3", "4"]}, index=pd.Index([5, 2, 5, 8]))
    issues = pd.DataFrame({
        "row": pd.array([5, 8, 2, 2, 8], dtype="Int64"), "field": ["B", "A", "C", "A", "B"],
        "value": "", "code": ["invalid-date", "invalid-email", "invalid-date", "phone-not-mobile", "normalised"],
        "level": ["error", "error", "error", "warning", "info"], "message": "",
    })
    cells = _invalid_cells(issues, frame)  # C: not a column; warnings and info refuse nothing
    assert cells.to_dict("split") == {"index": [5, 2, 5, 8], "columns": ["A", "B"],
                                      "data": [[False, True], [False, False], [False, True], [True, False]]}
    assert not _invalid_cells(issues.iloc[:0], frame).to_numpy().any()


def test_a_frame_of_arrow_strings_in_several_chunks_is_validated_like_one_in_one_chunk() -> None:
    # pd.concat of two Arrow-backed frames holds each column as two Arrow chunks (an ETL job's frame)
    first = _frame({**COMPLETE, "IDENTIFICATION_IDENTIFIER": " A1 ", "CONTACT_PHONENUMBER_1": "06-12345678"},
                   {**COMPLETE, "IDENTIFICATION_IDENTIFIER": "A2", "CONTACT_PHONENUMBER_1": "+31 6 1234 5679"})
    second = first.assign(IDENTIFICATION_IDENTIFIER=["A3", "A1"], CONTACT_PHONENUMBER_1=["0612345670", "06-1234"])
    second.index = pd.Index([4, 5], name="row")
    chunked = pd.concat([first.astype("string[pyarrow]"), second.astype("string[pyarrow]")])
    assert chunked["IDENTIFICATION_IDENTIFIER"].array._pa_array.num_chunks == 2
    result = validate(chunked, Profile({"sms"}), today=TODAY)
    whole = validate(pd.concat([first, second]).astype("string[pyarrow]"), Profile({"sms"}), today=TODAY)
    assert result.accepted["CONTACT_PHONENUMBER_1"].tolist() == ["31612345679", "31612345670"]
    assert result.rejected.index.tolist() == [2, 5]  # A1 twice (once with spaces), and 06-1234
    assert result.issues.astype(object).equals(whole.issues.astype(object))
