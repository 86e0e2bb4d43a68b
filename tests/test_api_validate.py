"""alphaimport.validate called on a DataFrame an ETL job built by hand, not on alphaimport.read's output:
a frame that is not canonical is read first (as ``validate(read(frame))``), so each record gets its own
verdict under its 1-based position, every column is mapped or warned about, and any dtype is text."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import alphaimport as ai
from alphaimport import pipeline
from alphaimport.validate import REASONS, is_canonical

TODAY = dt.date(2026, 11, 22)
SMS = ai.Profile(media={"sms"})
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
INVALID_PHONE = ("CONTACT_PHONENUMBER_1: invalid-phone: '06-1234' is not a valid phone number: its 5 digits after "
                 "+31 are no valid number in NL. | CONTACT_PHONENUMBER_x: required: no valid value in "
                 "CONTACT_PHONENUMBER_1, CONTACT_PHONENUMBER_2 or CONTACT_PHONENUMBER_3; at least one is required "
                 "because the profile includes sms")


def _export(identifiers: list[str], phones: list[str], **index: object) -> pd.DataFrame:
    return pd.DataFrame({"IDENTIFICATION_IDENTIFIER": identifiers, "CONTACT_PHONENUMBER_1": phones,
                         "CONTROL_FLOWID": ["1001"] * len(identifiers)}, **index)


def _problems(result: ai.Result) -> list[list[object]]:
    found = result.issues[result.issues["level"] != "info"]
    return found[["row", "field", "value", "code", "level"]].astype(object).values.tolist()


# -- the index: verdicts by position, never by label ----------------------------------------------------

@pytest.mark.parametrize("index", [
    pd.Index(["10", "20"], name="klantnummer"),  # set_index on a text key
    pd.Index([10.0, 20.0]),
    pd.Index(["a", "b"]),
    pd.MultiIndex.from_tuples([("x", 1), ("x", 2)]),
    pd.DatetimeIndex(["2026-01-01", "2026-01-02"]),
    pd.Index([True, False]),
    pd.RangeIndex(2),  # pd.DataFrame's own index starts at 0; a row a user sees starts at 1
    pd.Index([0, 7]),
], ids=["str-digits", "float", "str", "multi", "datetime", "bool", "range-from-0", "with-0"])
def test_a_frame_with_another_index_is_judged_by_position(index: pd.Index) -> None:
    result = ai.validate(_export(["001", "002"], ["0612345678", "06-1234"], index=index), SMS, today=TODAY)
    assert result.accepted.to_dict("split") == {
        "index": [1], "columns": ["IDENTIFICATION_IDENTIFIER", "CONTACT_PHONENUMBER_1", "CONTROL_FLOWID"],
        "data": [["001", "31612345678", "1001"]]}
    assert result.rejected.index.tolist() == [2]
    assert result.rejected[REASONS].tolist() == [INVALID_PHONE]
    assert _problems(result) == [[2, "CONTACT_PHONENUMBER_1", "06-1234", "invalid-phone", "error"],
                                 [2, "CONTACT_PHONENUMBER_x", "", "required", "error"]]
    assert (result.summary["accepted"], result.summary["rejected"], result.summary["errors"]) == (1, 1, 2)


def test_duplicate_labels_give_each_record_its_own_verdict() -> None:
    first = ai.read(_export(["001", "002"], ["0612345678", "0612345679"]))
    second = ai.read(_export(["101", "102"], ["06-1234", "0612345670"]))
    both = pd.concat([first, second])
    assert both.index.tolist() == [1, 2, 1, 2]
    result = ai.validate(both, SMS, today=TODAY)
    assert result.accepted.index.tolist() == [1, 2, 4]
    assert result.accepted["IDENTIFICATION_IDENTIFIER"].tolist() == ["001", "002", "102"]
    assert result.rejected[["IDENTIFICATION_IDENTIFIER", REASONS]].to_dict("split") == {
        "index": [3], "columns": ["IDENTIFICATION_IDENTIFIER", REASONS], "data": [["101", INVALID_PHONE]]}
    assert _problems(result) == [[3, "CONTACT_PHONENUMBER_1", "06-1234", "invalid-phone", "error"],
                                 [3, "CONTACT_PHONENUMBER_x", "", "required", "error"]]


def test_a_canonical_frame_keeps_its_row_numbers() -> None:
    frame = _export(["001", "002"], ["0612345678", "06-1234"], index=pd.Index([5, 9], name="row"))
    frame["PERSON_FAMILYNAME"] = pd.Series(["Jansen", None], index=frame.index, dtype=object)  # missing: empty
    assert is_canonical(frame)
    result = ai.validate(frame, SMS, today=TODAY)
    assert (result.accepted.index.tolist(), result.rejected.index.tolist()) == ([5], [9])
    assert result.rejected.at[9, "PERSON_FAMILYNAME"] == ""
    assert _problems(result) == [[9, "CONTACT_PHONENUMBER_1", "06-1234", "invalid-phone", "error"],
                                 [9, "CONTACT_PHONENUMBER_x", "", "required", "error"]]


@pytest.mark.parametrize("frame, canonical", [
    (ai.read(_export(["1"], ["0612345678"])), True),
    (_export(["1"], ["0612345678"], index=pd.Index([2])).astype(object), True),
    (_export(["1"], ["0612345678"], index=pd.Index([2])).astype("string[python]"), True),
    (_export(["1"], ["0612345678"], index=pd.Index([2])).iloc[:0].astype(object), True),
    (_export(["1"], ["0612345678"], index=pd.Index([2])).astype(pd.ArrowDtype(pa.string())), False),
    (_export(["1"], ["0612345678"], index=pd.Index([2])).assign(CONTROL_FLOWID=[1001]), False),
    (_export(["1"], ["0612345678"], index=pd.Index([2])).assign(CONTROL_FLOWID=pd.Series([1001], [2], object)), False),
    (_export(["1"], ["0612345678"], index=pd.Index([2])).rename(columns=str.lower), False),
    (_export(["1"], ["0612345678"], index=pd.Index([2])).assign(Opmerking="x"), False),
    (_export(["1"], ["0612345678"], index=pd.Index([-1])), False),
])
def test_what_is_canonical(frame: pd.DataFrame, canonical: bool) -> None:
    assert is_canonical(frame) is canonical


# -- columns: mapped and warned about as by read() ------------------------------------------------------

def test_lower_case_api_and_unknown_columns_are_mapped_or_warned_as_by_read() -> None:
    frame = pd.DataFrame({"IDENTIFICATION_IDENTIFIER": ["001"], "CONTACT_PHONENUMBER_1": ["0612345678"],
                          "CONTROL_FLOWID": ["1001"], "person_familyname": ["Jansen"],
                          "invoiceDescription": ["Huur"], "Opmerking": ["x"]})
    result = ai.validate(frame, SMS, today=TODAY)
    assert result.accepted.to_dict("split") == {
        "index": [1], "columns": ["IDENTIFICATION_IDENTIFIER", "PERSON_FAMILYNAME", "CONTACT_PHONENUMBER_1",
                                  "INVOICE_DESCRIPTION", "CONTROL_FLOWID"],
        "data": [["001", "Jansen", "31612345678", "Huur", "1001"]]}
    assert _problems(result) == [[pd.NA, "Opmerking", "", "unknown-column", "warning"]]
    assert result.summary["warnings"] == 1
    through_read = ai.validate(ai.read(frame), SMS, today=TODAY)
    pd.testing.assert_frame_equal(result.accepted, through_read.accepted)
    pd.testing.assert_frame_equal(result.issues, through_read.issues)


def test_a_read_frame_made_non_canonical_keeps_its_mapping_and_header_issues() -> None:
    frame = ai.read(FIXTURES / "erp_debiteuren.csv", FIXTURES / "erp_debiteuren.yaml")  # units: euros
    result = ai.validate(frame.reset_index(drop=True), ai.Profile("sms", "paylink"), today=TODAY)
    assert result.accepted.loc[1, "INVOICE_AMOUNT"] == "123456"  # 1234,56 euros, as through the mapping
    assert result.issues[result.issues["code"] == "unknown-column"]["field"].tolist() == ["Opmerking"]
    same = ai.validate(frame, ai.Profile("sms", "paylink"), today=TODAY)
    assert result.accepted.index.tolist() == [row - 1 for row in same.accepted.index]  # positions, not lines
    assert result.accepted.reset_index(drop=True).equals(same.accepted.reset_index(drop=True))


# -- dtypes: every cell is text -------------------------------------------------------------------------

@pytest.mark.parametrize("frame, accepted", [
    (_export(["001", "002"], ["0612345678", "0612345679"]).astype(pd.ArrowDtype(pa.string())),
     [["001", "31612345678", "1001"], ["002", "31612345679", "1001"]]),  # read_csv(dtype_backend="pyarrow")
    (_export(["001", "002"], ["0612345678", "0612345679"]).assign(batch=pd.array([1, None], dtype="Int64")),
     [["001", "31612345678", "1001"], ["002", "31612345679", "1001"]]),
    (_export(["001", "002"], ["0612345678", "0612345679"]).assign(SERVICES_ENRICHMENT=pd.array([True, None],
                                                                                                dtype="boolean")),
     [["001", "31612345678", "1001", "1"], ["002", "31612345679", "1001", ""]]),
    (_export(["001", "002"], ["0612345678", "0612345679"]).assign(PERSON_FAMILYNAME=pd.Categorical(["Jansen", None])),
     [["001", "Jansen", "31612345678", "1001"], ["002", "", "31612345679", "1001"]]),
    (_export(["001", "002"], ["0612345678", "0612345679"]).assign(CONTROL_FLOWID=[1001, 1001]),
     [["001", "31612345678", "1001"], ["002", "31612345679", "1001"]]),
], ids=["arrow-string", "Int64-NA", "boolean-NA", "categorical-NA", "int64"])
def test_typed_columns_are_validated_as_text(frame: pd.DataFrame, accepted: list[list[str]]) -> None:
    before = frame.copy()
    result = ai.validate(frame, SMS, today=TODAY)
    pd.testing.assert_frame_equal(frame, before)  # never mutated
    assert result.accepted.index.tolist() == [1, 2] and result.rejected.empty
    assert result.accepted.values.tolist() == accepted


def test_a_lone_surrogate_in_a_hand_built_frame_is_a_read_error_naming_the_cell() -> None:
    frame = pd.DataFrame({"IDENTIFICATION_IDENTIFIER": ["001", "0\ud8000"], "CONTROL_FLOWID": ["1001"] * 2},
                         index=["a", "b"], dtype=object)
    with pytest.raises(ai.ReadError, match=r"column 'IDENTIFICATION_IDENTIFIER' row 2: \\ud800 is half a character"):
        ai.validate(frame, SMS, today=TODAY)


# -- bad arguments ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("frame, profile, message", [
    (_export(["1"], ["0612345678"]), "sms",
     "validate() needs an alphaimport.Profile (Profile(media={'sms'})), not str 'sms'"),
    (_export(["1"], ["0612345678"]), None,
     "validate() needs an alphaimport.Profile (Profile(media={'sms'})), not NoneType None"),
    ({"IDENTIFICATION_IDENTIFIER": ["1"]}, SMS,
     "validate() needs a pandas DataFrame (alphaimport.read gives one from a file), not dict"),
    ("export.csv", SMS, "validate() needs a pandas DataFrame (alphaimport.read gives one from a file), not str"),
])
def test_bad_arguments_are_a_type_error_naming_what_was_given(frame: object, profile: object, message: str) -> None:
    with pytest.raises(TypeError) as raised:
        ai.validate(frame, profile)  # type: ignore[arg-type]
    assert str(raised.value) == message


def test_a_ledger_that_is_no_path_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="^ledger must be the path of a ledger \\(str or Path\\) or None, not int$"):
        ai.validate(_export(["1"], ["0612345678"]), SMS, ledger=5)  # type: ignore[arg-type]


@pytest.mark.parametrize("media, error, message", [
    (None, ai.ProfileError,
     "a profile needs at least one medium (voice, sms, mail) or service (paylink, emandate, enrichment)"),
    (5, TypeError, "media must be names, as a str ('sms,mail') or a collection of str, not int 5"),
    (b"sms", TypeError, "media must be names, as a str ('sms,mail') or a collection of str, not bytes b'sms'"),
    (["sms", 5], TypeError, "media must be names (str), not int 5"),
])
def test_a_profile_of_no_names_says_so(media: object, error: type, message: str) -> None:
    with pytest.raises(error) as raised:
        ai.Profile(media=media)  # type: ignore[arg-type]
    assert str(raised.value) == message


def test_media_none_with_a_service_is_a_profile_of_that_service() -> None:
    assert ai.Profile(media=None, services="paylink") == ai.Profile(services={"paylink"})


# -- the ledger -----------------------------------------------------------------------------------------

def test_identifiers_in_the_given_ledger_are_warned_about_as_by_the_command_line(tmp_path: Path,
                                                                                  monkeypatch: pytest.MonkeyPatch
                                                                                  ) -> None:
    ledger = tmp_path / "ledger.sqlite3"
    delivered = ai.validate(_export(["001", "002"], ["0612345678", "0612345679"]), SMS, today=TODAY).accepted
    path = ai.write(delivered, tmp_path / "out", client="1001", day="20261122", ledger=ledger)
    assert path.name == "20261122-1001-1.csv"
    frame = pd.DataFrame({"IDENTIFICATION_IDENTIFIER": [" 002", "003"], "CONTACT_PHONENUMBER_1": ["0612345678"] * 2,
                          "CONTROL_FLOWID": ["1001"] * 2}, index=pd.Index(["x", "y"]))
    result = ai.validate(frame, SMS, today=TODAY, ledger=str(ledger))
    warned = result.issues[result.issues["code"] == "identifier-delivered-before"]
    assert warned[["row", "field", "value", "level"]].astype(object).values.tolist() == [
        [1, "IDENTIFICATION_IDENTIFIER", "002", "warning"]]
    assert result.summary["accepted"] == 2 and result.summary["warnings"] == 1
    job = pipeline.Job(source=frame, profile=SMS, ledger=ledger, today=TODAY)  # the command line's validate
    by_cli = pipeline.run(job, keep_issues=True).tally.issues()
    pd.testing.assert_frame_equal(warned.reset_index(drop=True),
                                  by_cli[by_cli["code"] == "identifier-delivered-before"].reset_index(drop=True))
    # without ledger= no ledger is consulted, not even the default one
    monkeypatch.setenv("ALPHAIMPORT_LEDGER", str(ledger))
    assert "identifier-delivered-before" not in set(ai.validate(frame, SMS, today=TODAY).issues["code"])
