"""The normalise stage: exact frames and issues, column-level amount rule, and the audit property."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alphaimport import issues, registry
from alphaimport.normalise import Options, first_amount_in_euros, normalise, normaliser, phone_fast
from alphaimport.normalise.base import Invalid
from alphaimport.normalise.batch import Batch

from .test_table import CASES

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def frame(columns: dict[str, list[str]], first_row: int = 2, dtype: str = "str") -> pd.DataFrame:
    rows = len(next(iter(columns.values())))
    index = pd.Index(range(first_row, first_row + rows), name="row")
    return pd.DataFrame(columns, index=index, dtype=dtype)


def table(rows: list[tuple[int, str, str, str, str]]) -> pd.DataFrame:
    """An expected issues table from (row, field, value, code, message) rows."""
    expected = pd.DataFrame(
        [(r, f, v, c, issues.CODES[c].level, m) for r, f, v, c, m in rows], columns=list(issues.COLUMNS))
    expected["row"] = expected["row"].astype("Int64")
    return expected.astype({name: "str" for name in issues.COLUMNS[1:]})


def messages(found: pd.DataFrame, code: str) -> list[str]:
    return found.loc[found["code"] == code, "message"].tolist()


def test_a_small_frame_exactly() -> None:
    source = frame({
        "PERSON_FAMILYNAME": [" Jansen", "de Vries", "Bakker\r\n"],
        "CONTACT_PHONENUMBER_1": ["06-12345678", "06-CALLME", "612345678"],
        "INVOICE_DUEDATE": ["31-12-2027", "2027-12-31", "2027-02-30"],
        "PERSON_GENDER": ["vrouw", "", "M"],
        "Opmerking": ["  laat staan ", "", "x"],
    })
    result, found = normalise(source)
    expected = frame({
        "PERSON_FAMILYNAME": ["Jansen", "de Vries", "Bakker"],
        "CONTACT_PHONENUMBER_1": ["31612345678", "06-CALLME", "31612345678"],
        "INVOICE_DUEDATE": ["2027-12-31", "2027-12-31", "2027-02-30"],
        "PERSON_GENDER": ["F", "", "M"],
        "Opmerking": ["  laat staan ", "", "x"],
    })
    pd.testing.assert_frame_equal(result, expected)
    leading_zero = messages(found, "phone-leading-zero-restored")
    invalid_phone = messages(found, "invalid-phone")
    invalid_date = messages(found, "invalid-date")
    assert len(leading_zero) == len(invalid_phone) == len(invalid_date) == 1
    pd.testing.assert_frame_equal(found, table([
        (2, "PERSON_FAMILYNAME", " Jansen", "normalised", " Jansen -> Jansen"),
        (2, "CONTACT_PHONENUMBER_1", "06-12345678", "normalised", "06-12345678 -> 31612345678"),
        (2, "INVOICE_DUEDATE", "31-12-2027", "normalised", "31-12-2027 -> 2027-12-31"),
        (2, "PERSON_GENDER", "vrouw", "normalised", "vrouw -> F"),
        (3, "CONTACT_PHONENUMBER_1", "06-CALLME", "invalid-phone", invalid_phone[0]),
        (4, "PERSON_FAMILYNAME", "Bakker\r\n", "normalised", "Bakker\r\n -> Bakker"),
        (4, "CONTACT_PHONENUMBER_1", "612345678", "normalised", "612345678 -> 31612345678"),
        (4, "CONTACT_PHONENUMBER_1", "612345678", "phone-leading-zero-restored", leading_zero[0]),
        (4, "INVOICE_DUEDATE", "2027-02-30", "invalid-date", invalid_date[0]),
    ]))


def _fixture(name: str, index: list[int] | None = None) -> pd.DataFrame:
    read = pd.read_csv(FIXTURES / name, sep=";", dtype=str, keep_default_na=False)
    if index is not None:
        read.index = pd.Index(index, name="row")
    return read


def test_a_dutch_erp_export_value_by_value() -> None:
    """Every type's messy values, a non-registry column, and a quoted line break (record 2 spans lines 3-4)."""
    rows = [2, 3, 5, 6, 7, 8]
    result, found = normalise(_fixture("normalise_dutch_erp_values.csv", rows))
    pd.testing.assert_frame_equal(result, _fixture("normalise_dutch_erp_values.expected.csv", rows))
    expected = _fixture("normalise_dutch_erp_values.issues.csv")
    assert found[["row", "field", "code"]].astype(str).values.tolist() == expected.values.tolist()


def test_nothing_to_do_gives_an_empty_issues_table_with_its_columns() -> None:
    source = frame({"PERSON_FAMILYNAME": ["Jansen"], "INVOICE_AMOUNT": ["100"]})
    result, found = normalise(source)
    pd.testing.assert_frame_equal(result, source)
    assert list(found.columns) == list(issues.COLUMNS) and found.empty
    assert str(found["row"].dtype) == "Int64"


def test_mixed_amount_units_are_reported_never_guessed() -> None:
    source = frame({"INVOICE_AMOUNT": ["123,45", "12345", "0", "€ 10"], "INVOICE_TAX": ["12345", "2100", "0", "7"]})
    result, found = normalise(source)
    assert result["INVOICE_AMOUNT"].tolist() == ["12345", "12345", "0", "1000"]
    assert result["INVOICE_TAX"].tolist() == ["12345", "2100", "0", "7"]  # whole numbers only: cents
    mixed = found[found["code"] == "mixed-amount-units"]
    assert mixed[["row", "field", "value", "level"]].values.tolist() == [[3, "INVOICE_AMOUNT", "12345", "error"]]
    assert "units: {INVOICE_AMOUNT: cents|euros}" in mixed["message"].iloc[0]


def test_the_first_amount_in_euros_of_a_column_is_found_in_input_order() -> None:
    values = np.array(["", "1500", "abc", "0", "€ 10", "12,50", "€ 10"], dtype=object)
    assert first_amount_in_euros(values) == "€ 10"
    assert first_amount_in_euros(np.array(["1500", "0", "", "x"], dtype=object)) is None


def test_euros_elsewhere_in_the_input_make_a_chunks_whole_numbers_mixed() -> None:
    source = frame({"INVOICE_AMOUNT": ["12345", "0", ""]})
    alone, _ = normalise(source)
    assert alone["INVOICE_AMOUNT"].tolist() == ["12345", "0", ""]  # nothing says euros: cents
    result, found = normalise(source, Options(euros_in_input={"INVOICE_AMOUNT": "7,50"}))
    assert result["INVOICE_AMOUNT"].tolist() == ["12345", "0", ""]  # kept as read, and refused
    assert found.query("code == 'mixed-amount-units'")["message"].tolist() == [
        "'12345' is a whole number in a column that also holds amounts in euros (like '7,50'): cents or euros? "
        "Declare units: {INVOICE_AMOUNT: cents|euros} in the mapping."]


@pytest.mark.parametrize(("unit", "whole"), [("euros", "1234500"), ("cents", "12345")])
def test_declared_units(unit: str, whole: str) -> None:
    source = frame({"INVOICE_AMOUNT": ["123,45", "12345"], "INVOICE_TAX": ["21", "21"]})
    result, found = normalise(source, Options(units={"INVOICE_AMOUNT": unit}))
    assert result["INVOICE_AMOUNT"].tolist() == ["12345", whole]
    assert result["INVOICE_TAX"].tolist() == ["21", "21"]
    assert set(found["code"]) == {"normalised"}


def test_options_reach_the_normalisers() -> None:
    source = frame({
        "CONTACT_PHONENUMBER_1": ["010-7989525", "+49 30 123456"],
        "CONTRACT_CONTACT_PHONENUMBER": ["010-7989525", "+49 30 123456"],
        "INVOICE_DATE": ["01/02/2027", "12/31/2027"],
    })
    options = Options(region="NL", date_order="MDY", mobile_expected=True, allowed_countries=frozenset({"NL"}))
    result, found = normalise(source, options)
    assert result["INVOICE_DATE"].tolist() == ["2027-01-02", "2027-12-31"]
    coded = found[found["level"] != "info"][["row", "field", "code"]].values.tolist()
    # the company contact's number is shown, never dialled: no sms or country rule for it
    assert coded == [[2, "CONTACT_PHONENUMBER_1", "phone-not-mobile"],
                     [3, "CONTACT_PHONENUMBER_1", "phone-country-not-allowed"]]


def test_columns_sharing_a_fast_path_and_its_options_are_read_in_one_call(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    real = phone_fast.normalise_numbers

    def spy(values: np.ndarray, **options: object) -> Batch:
        calls.append(sorted(values.tolist()))
        return real(values, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(phone_fast, "normalise_numbers", spy)
    source = frame({
        "CONTACT_PHONENUMBER_1": ["0612345678", "0201234567"], "CONTACT_PHONENUMBER_2": ["0612345678", ""],
        "CONTRACT_CONTACT_PHONENUMBER": ["0612345678", "06-1234"], "CONTACT_PHONENUMBER_3": ["06-1234", "x"],
    })
    normalise(source, Options(mobile_expected=True))
    # the recipient's three numbers share their options; the company contact's number has other options
    assert calls == [["", "0201234567", "06-1234", "0612345678", "x"], ["06-1234", "0612345678"]]


_SHARING = {"phone": ["CONTACT_PHONENUMBER_1", "CONTACT_PHONENUMBER_2", "CONTRACT_CONTACT_PHONENUMBER"],
            "email": ["CONTACT_EMAIL_1", "CONTACT_EMAIL_2"], "date": ["INVOICE_DATE", "INVOICE_DUEDATE"],
            "cents": ["INVOICE_AMOUNT", "INVOICE_TAX", "INVOICE_ARRANGEMENT_AMOUNT"]}


@st.composite
def shared_frames(draw: st.DrawFn) -> pd.DataFrame:
    kind = draw(st.sampled_from(sorted(_SHARING)))
    size = draw(st.integers(min_value=1, max_value=10))
    cells = st.one_of(st.sampled_from(_VALUES[kind] + [""]), st.text(alphabet=st.characters(exclude_categories=("Cs",)),
                                                                     max_size=12))
    source = frame({column: draw(st.lists(cells, min_size=size, max_size=size)) for column in _SHARING[kind]})
    if draw(st.booleans()):  # a missing cell
        source.iloc[draw(st.integers(0, size - 1)), 0] = None
    return source


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shared_frames(), st.booleans())
def test_columns_read_together_give_what_each_column_gives_alone(source: pd.DataFrame, info: bool) -> None:
    # INVOICE_ARRANGEMENT_AMOUNT has no unit: its whole numbers are judged within its own column
    options = Options(units={"INVOICE_AMOUNT": "euros", "INVOICE_TAX": "euros"}, mobile_expected=True,
                      allowed_countries=frozenset({"NL", "BE"}))
    result, found = normalise(source, options, info=info)
    expected = [normalise(source[[column]], options, info=info) for column in source.columns]
    for column, (alone, issues_alone) in zip(source.columns, expected):
        pd.testing.assert_series_equal(result[column], alone[column])
        pd.testing.assert_frame_equal(found[found["field"] == column].reset_index(drop=True), issues_alone)
    assert found.attrs["normalised"] == sum(issues_alone.attrs["normalised"] for _, issues_alone in expected)


def test_non_registry_columns_and_index_are_untouched() -> None:
    source = frame({"Klantnummer": [" 007 ", "\x00"], "PERSON_GENDER": ["man", "dhr"]}, first_row=10)
    result, found = normalise(source)
    pd.testing.assert_series_equal(result["Klantnummer"], source["Klantnummer"])
    assert result.index.equals(source.index)
    assert found["row"].tolist() == [10, 11] and set(found["field"]) == {"PERSON_GENDER"}


def test_object_columns_and_missing_cells() -> None:
    source = pd.DataFrame({"PERSON_FAMILYNAME": ["a\ud800", None, " b "]}, dtype=object,
                          index=pd.Index([2, 3, 4], name="row"))
    result, found = normalise(source)
    assert result["PERSON_FAMILYNAME"].tolist() == ["a\ud800", None, "b"]
    assert found["code"].tolist() == ["invalid-text", "normalised"]


# The audit property, on frames of real messy values (the table's) and arbitrary text.
_COLUMNS = {
    "text": "PERSON_FAMILYNAME", "phone": "CONTACT_PHONENUMBER_1", "email": "CONTACT_EMAIL_1",
    "date": "INVOICE_DUEDATE", "cents": "INVOICE_AMOUNT", "int": "INVOICE_SERIAL",
    "boolean": "SERVICES_ENRICHMENT", "gender": "PERSON_GENDER", "country": "ADDRESS_COUNTRY",
    "currency": "INVOICE_CURRENCY",
}
_VALUES = {kind: [raw for k, raw, _ in CASES if k == kind] for kind in _COLUMNS}


def _cells(kind: str) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(_VALUES[kind] + [""]), st.text(max_size=12))


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    kinds = draw(st.lists(st.sampled_from(sorted(_COLUMNS)), min_size=1, max_size=4, unique=True))
    size = draw(st.integers(min_value=1, max_value=12))
    columns = {_COLUMNS[k]: draw(st.lists(_cells(k), min_size=size, max_size=size)) for k in kinds}
    # lone surrogates cannot live in pyarrow strings: those frames are object columns
    surrogate = any(0xD800 <= ord(c) <= 0xDFFF for cells in columns.values() for cell in cells for c in cell)
    return frame(columns, dtype="object" if surrogate else "str")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames())
def test_every_change_is_reported_exactly(source: pd.DataFrame) -> None:
    result, found = normalise(source)
    assert result.index.equals(source.index) and list(result.columns) == list(source.columns)
    assert list(found.columns) == list(issues.COLUMNS)
    info = found[found["code"] == "normalised"]
    assert not info.duplicated(["row", "field"]).any()
    reported = {(r.row, r.field): (r.value, r.message) for r in info.itertuples()}
    errors = {(r.row, r.field) for r in found[found["level"] == "error"].itertuples()}
    fields = registry.default()
    for column in source.columns:
        normalise_one = normaliser(fields.field(column))
        for row, old, new in zip(source.index, source[column], result[column]):
            if (row, column) in errors:
                assert new == old and (row, column) not in reported
            elif new != old:
                assert reported[(row, column)] == (old, f"{old} -> {new}")
            else:
                assert (row, column) not in reported
            if column != "INVOICE_AMOUNT" and old:  # amounts also depend on the rest of their column
                try:
                    assert normalise_one(old).value == new
                except Invalid:
                    assert (row, column) in errors
    assert (found["level"] == found["code"].map(lambda c: issues.CODES[c].level)).all()
