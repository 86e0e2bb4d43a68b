"""Mapping files and header mapping (alphaimport/mapping.py)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from alphaimport import registry
from alphaimport.errors import MappingError
from alphaimport.mapping import (
    Mapping, header_fields, header_key, load_mapping, map_columns, mapping_from_dict, plan_headers,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _yaml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(path: Path) -> str:
    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    return message


# -- the mapping file -------------------------------------------------------------------------------

def test_erp_mapping_loads_with_units_resolved_from_the_header_to_its_field() -> None:
    mapping = load_mapping(FIXTURES / "erp_debiteuren.yaml")
    assert mapping.columns["Klantnummer"] == "IDENTIFICATION_IDENTIFIER"
    assert mapping.columns["Mobiel"] == "CONTACT_PHONENUMBER_2"
    assert mapping.constants == {"CONTROL_FLOWID": "1001", "INVOICE_CURRENCY": "EUR"}
    assert mapping.units == {"INVOICE_AMOUNT": "euros"}  # written as Bedrag: euros
    assert (mapping.date_order, mapping.region) == ("DMY", "NL")


@pytest.mark.parametrize(("fixture", "expected"), [
    ("mapping_yaml_error.yaml", "line 6: YAML syntax error: found unexpected end of stream while scanning a "
                                "quoted scalar on line 4"),
    ("mapping_unknown_target.yaml", "line 4: columns: Achternaam: 'PERSON_FAMILYNAM' is not a field; "
                                    "did you mean PERSON_FAMILYNAME, PERSON_GIVENNAME?"),
    ("mapping_mapped_twice.yaml", "line 5: a column mapped twice: 'Telefoon' and 'Mobiel' both map to "
                                  "CONTACT_PHONENUMBER_1"),
    ("mapping_bad_unit.yaml", "line 5: units: Bedrag: 'euro' is not a unit; use cents or euros"),
    ("mapping_unquoted_number.yaml", "line 5: constants: CONTROL_FLOWID: 0612 is read as the number 394, not as "
                                     "text; put it in quotes: \"0612\""),
])
def test_each_bad_mapping_fixture_gives_its_own_one_line_error(fixture: str, expected: str) -> None:
    assert _error(FIXTURES / fixture) == f"{FIXTURES / fixture} {expected}"


@pytest.mark.parametrize(("text", "expected"), [
    ("column:\n  A: PERSON_FAMILYNAME\n", "line 1: unknown key 'column'; did you mean columns?"),
    ("colours: 1\n", "unknown key 'colours'; did you mean columns?"),
    ("columns: {}\ncolumns: {}\n", "the key 'columns' appears twice"),
    ("- a\n- b\n", "expected a mapping with the keys columns, constants, units, date_order, region"),
    ("columns: [A, B]\n", "columns must map headers to fields"),
    ("columns:\n  A: NOPE\n", "'NOPE' is not a field; `alphaimport fields` lists them"),
    ("columns:\n  Telefoon: CONTACT_PHONENUMBER_1\n  ' telefoon': CONTACT_PHONENUMBER_2\n",
     "'Telefoon' and ' telefoon' are the same header"),
    ("columns:\n  1.5: PERSON_FAMILYNAME\n", "a header in columns: 1.5 is read as the number 1.5, not as text; "
                                           "put it in quotes: \"1.5\""),
    ("constants:\n  CONTROL_FLOWID: 1.0\n", "constants: CONTROL_FLOWID: 1.0 is read as the number 1.0"),
    ("constants:\n  SERVICES_ENRICHMENT: yes\n", "SERVICES_ENRICHMENT: yes is read as the yes/no value True"),
    ("constants:\n  INVOICE_DUEDATE: 2027-12-31\n", "2027-12-31 is read as the date 2027-12-31"),
    ("constants:\n  CONTROL_FLOWID:\n", "constants: CONTROL_FLOWID has no value"),
    ("constants:\n  CONTROL_FLOWID: [1, 2]\n", "must be a single value"),
    ("constants:\n  CONTROL_FLOWIT: '1'\n", "constants: 'CONTROL_FLOWIT' is not a field; did you mean CONTROL_FLOWID"),
    ("columns:\n  Script: CONTROL_FLOWID\nconstants:\n  CONTROL_FLOWID: '1'\n",
     "constants: CONTROL_FLOWID is also mapped from the column 'Script'; keep one"),
    ("units:\n  INVOICE_DATE: cents\n", "units: INVOICE_DATE is a date field; units apply to amount fields only"),
    ("units:\n  Bedrg: euros\n", "units: 'Bedrg' is neither a header in columns nor a field"),
    ("units:\n  INVOICE_AMOUNT: euros\n  invoice_amount: cents\n", "INVOICE_AMOUNT is given both euros and cents"),
    ("date_order: DDMMYYYY\n", "date_order 'DDMMYYYY' is not one of DMY, MDY, YMD"),
    ("region: NLD\n", "region 'NLD' is not a phone region"),
    ("", "the mapping file is empty"),
])
def test_a_broken_mapping_is_one_line_naming_the_problem(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in _error(_yaml(tmp_path, text))


def test_a_missing_mapping_file_is_named(tmp_path: Path) -> None:
    assert _error(tmp_path / "nope.yaml") == f"{tmp_path / 'nope.yaml'}: no such mapping file"


def test_numbers_stay_text_where_yaml_keeps_every_digit(tmp_path: Path) -> None:
    mapping = load_mapping(_yaml(tmp_path, "columns:\n  2024: INVOICE_AMOUNT\nconstants:\n  CONTROL_FLOWID: 1001\n"))
    assert mapping.columns == {"2024": "INVOICE_AMOUNT"}
    assert mapping.constants == {"CONTROL_FLOWID": "1001"}


def test_codes_are_read_as_written_so_norway_is_not_false(tmp_path: Path) -> None:
    mapping = load_mapping(_yaml(tmp_path, "region: NO\ndate_order: ymd\nunits:\n  INVOICE_TAX: Cents\n"))
    assert (mapping.region, mapping.date_order, mapping.units) == ("NO", "YMD", {"INVOICE_TAX": "cents"})


def test_targets_may_be_any_case_and_null_ignores_a_column(tmp_path: Path) -> None:
    mapping = load_mapping(_yaml(tmp_path, "columns:\n  Naam: person_familyname\n  Opmerking:\n"))
    assert mapping.columns == {"Naam": "PERSON_FAMILYNAME"}
    assert mapping.ignore == ("Opmerking",)


def test_a_dict_is_checked_like_a_file() -> None:
    mapping = mapping_from_dict({"columns": {"Bedrag": "INVOICE_AMOUNT"}, "units": {"bedrag": "euros"},
                                 "constants": {"CONTROL_FLOWID": 1001}})
    assert (mapping.units, mapping.constants) == ({"INVOICE_AMOUNT": "euros"}, {"CONTROL_FLOWID": "1001"})
    with pytest.raises(MappingError, match=r"^mapping: constants: CONTROL_FLOWID: True is read as"):
        mapping_from_dict({"constants": {"CONTROL_FLOWID": True}})


# -- mapping headers --------------------------------------------------------------------------------

def _raw(columns: dict[str, list[object]], first_row: int = 2) -> pd.DataFrame:
    size = len(next(iter(columns.values())))
    return pd.DataFrame(columns, index=pd.RangeIndex(first_row, first_row + size, name="row"))


def test_canonical_names_in_any_case_and_api_names_map_without_a_mapping() -> None:
    raw = _raw({"script": ["1001"], " Person_FamilyName ": ["Jansen"], "REFERENCE": ["00123"],
                "toMailAddress": ["a@example.nl"], "toPhoneNumbers": ["0612345678"], "personGivenName": ["Piet"],
                "contact_phonenumber_2": ["0687654321"]})
    frame, issues = map_columns(raw)
    assert issues == []
    assert list(frame.columns) == [  # registry order, not input order
        "IDENTIFICATION_IDENTIFIER", "PERSON_FAMILYNAME", "PERSON_GIVENNAME", "CONTACT_PHONENUMBER_1",
        "CONTACT_PHONENUMBER_2", "CONTACT_EMAIL_1", "CONTROL_FLOWID"]
    assert frame.loc[2].tolist() == ["00123", "Jansen", "Piet", "0612345678", "0687654321", "a@example.nl", "1001"]


def test_header_fields_resolves_each_header_as_plan_headers_does() -> None:
    mapping = Mapping(columns={"Klant nummer": "IDENTIFICATION_IDENTIFIER"}, ignore=("opmerking",))
    headers = ["KLANTNUMMER", " person_familyname", "toPhoneNumbers", "Opmerking", "", "onbekend", 2027]
    field_of = header_fields(mapping)
    assert [field_of(h) for h in headers] == [
        "IDENTIFICATION_IDENTIFIER", "PERSON_FAMILYNAME", "CONTACT_PHONENUMBER_1", None, None, None, None]
    assert {field_of(headers[p]): f for f, p in plan_headers(headers, mapping).sources.items()} == {
        f: f for f in ("IDENTIFICATION_IDENTIFIER", "PERSON_FAMILYNAME", "CONTACT_PHONENUMBER_1")}


def test_a_str_column_is_mapped_without_a_copy_and_stays_apart_from_the_raw_frame() -> None:
    raw = _raw({"reference": pd.array(["00123", "00124"], dtype="str"), "script": pd.array(["1", "2"], dtype="str")})
    frame, _ = map_columns(raw, Mapping(constants={"PERSON_FAMILYNAME": "Jansen"}))
    assert frame.dtypes.tolist() == ["str"] * 3
    assert frame.to_dict("list") == {"IDENTIFICATION_IDENTIFIER": ["00123", "00124"],
                                     "PERSON_FAMILYNAME": ["Jansen", "Jansen"], "CONTROL_FLOWID": ["1", "2"]}
    frame.loc[2, "IDENTIFICATION_IDENTIFIER"] = "x"
    assert raw["reference"].tolist() == ["00123", "00124"]


def test_mapping_headers_match_case_and_space_insensitively_and_constants_become_columns() -> None:
    raw = _raw({"KLANT NUMMER": ["00123", "00124"], "achternaam": ["Jansen", "Bos"], "Bedrag": ["12,50", ""]})
    mapping = Mapping(columns={"Klantnummer": "IDENTIFICATION_IDENTIFIER", " Achternaam": "PERSON_FAMILYNAME",
                               "bedrag": "INVOICE_AMOUNT"}, constants={"CONTROL_FLOWID": "1001"})
    frame, issues = map_columns(raw, mapping)
    expected = pd.DataFrame({"IDENTIFICATION_IDENTIFIER": ["00123", "00124"], "PERSON_FAMILYNAME": ["Jansen", "Bos"],
                             "INVOICE_AMOUNT": ["12,50", ""], "CONTROL_FLOWID": ["1001", "1001"]},
                            index=pd.RangeIndex(2, 4, name="row"), dtype="str")
    pd.testing.assert_frame_equal(frame, expected)
    assert issues == []


def test_an_unknown_header_is_a_warning_naming_the_closest_fields_and_its_values_are_dropped() -> None:
    frame, issues = map_columns(_raw({"person_familynam": ["Jansen"], "Opmerking": ["bellen"], "reference": ["1"]}))
    assert list(frame.columns) == ["IDENTIFICATION_IDENTIFIER"]
    assert [(i.row, i.field, i.value, i.code, i.level) for i in issues] == [
        (None, "person_familynam", "", "unknown-column", "warning"),
        (None, "Opmerking", "", "unknown-column", "warning")]
    assert "did you mean PERSON_FAMILYNAME" in issues[0].message
    assert "'Opmerking' maps to no field and is not delivered" in issues[1].message


def test_a_header_mapped_to_null_is_dropped_without_a_warning() -> None:
    frame, issues = map_columns(_raw({"Opmerking": ["x"], "reference": ["1"]}), Mapping(ignore=("opmerking",)))
    assert (list(frame.columns), issues) == (["IDENTIFICATION_IDENTIFIER"], [])


def test_two_headers_for_one_field_are_fatal_naming_both() -> None:
    raw = _raw({"Telefoon": ["1"], "contact_phonenumber_1": ["2"]})
    with pytest.raises(MappingError) as caught:
        map_columns(raw, Mapping(columns={"Telefoon": "CONTACT_PHONENUMBER_1"}))
    assert str(caught.value) == ("columns 'Telefoon' (column 1) and 'contact_phonenumber_1' (column 2) both map to "
                                 "CONTACT_PHONENUMBER_1; remove or rename one")


def test_a_constant_that_is_also_an_input_column_is_fatal() -> None:
    with pytest.raises(MappingError, match="CONTROL_FLOWID is a constant in the mapping and also the input column 'script'"):
        map_columns(_raw({"script": ["1"]}), Mapping(constants={"CONTROL_FLOWID": "1001"}))


def test_a_mapping_built_in_code_with_an_unknown_field_is_refused() -> None:
    with pytest.raises(MappingError, match="'PERSON_NAME' is not a field"):
        map_columns(_raw({"a": ["1"]}), Mapping(columns={"a": "PERSON_NAME"}))


def test_a_column_without_header_is_ignored_when_empty_and_warned_when_it_holds_values() -> None:
    raw = _raw({"reference": ["1", "2"], "": ["", ""], " ": ["", "x"]})
    frame, issues = map_columns(raw)
    assert list(frame.columns) == ["IDENTIFICATION_IDENTIFIER"]
    assert [(i.field, i.code) for i in issues] == [("(empty header, column 3)", "unknown-column")]


def test_values_become_text_and_the_index_is_kept() -> None:
    raw = _raw({"reference": ["00123", None], "invoiceAmount": [12.0, float("nan")]}, first_row=7)
    frame, _ = map_columns(raw)
    assert frame.to_dict("list") == {"IDENTIFICATION_IDENTIFIER": ["00123", ""], "INVOICE_AMOUNT": ["12", ""]}
    assert list(frame.index) == [7, 8] and frame.index.name == "row"
    assert all(isinstance(v, str) for v in frame.to_numpy().ravel())


def test_no_two_registry_names_collide_when_compared_case_and_space_insensitively() -> None:
    reg = registry.default()
    keys = {header_key(f.column) for f in reg.fields}
    assert len(keys) == len(reg.fields)
    assert not keys & {header_key(f.api) for f in reg.fields if f.api}
