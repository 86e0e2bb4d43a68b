"""The registry against the guide's field tables, and its checks of a broken matrix.yaml."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from alphaimport import registry
from alphaimport.errors import RegistryError

# Every column of the guide's field tables: (type, maximum length) as the guide writes them.
# VARCHAR n -> n; DATE, INT, BOOLEAN -> no length. Transcribed by hand from the guide, not from matrix.yaml.
GUIDE_FIELDS = {
    "IDENTIFICATION_IDENTIFIER": ("text", 255),
    "PERSON_FAMILYNAME": ("text", 100), "PERSON_GIVENNAME": ("text", 100), "PERSON_GENDER": ("gender", 1),
    "PERSON_BIRTHDAY": ("date", None), "PERSON_IDENTIFIER": ("text", 100),
    "PERSON_HONORIFICPREFIX": ("text", 100), "PERSON_HONORIFICSUFFIX": ("text", 100),
    "ADDRESS_STREET": ("text", 100), "ADDRESS_HOUSENUMBER": ("text", 50), "ADDRESS_EXTENSION": ("text", 50),
    "ADDRESS_ZIPCODE": ("text", 15), "ADDRESS_CITY": ("text", 100), "ADDRESS_COUNTRY": ("country", 2),
    "CONTACT_PHONENUMBER_1": ("phone", 20), "CONTACT_PHONENUMBER_2": ("phone", 20),
    "CONTACT_PHONENUMBER_3": ("phone", 20),
    "CONTACT_EMAIL_1": ("email", 100), "CONTACT_EMAIL_2": ("email", 100), "CONTACT_EMAIL_3": ("email", 100),
    "INVOICE_NUMBER": ("text", 100), "INVOICE_DATE": ("date", None), "INVOICE_DUEDATE": ("date", None),
    "INVOICE_CURRENCY": ("currency", 3), "INVOICE_AMOUNT": ("cents", None), "INVOICE_TAX": ("cents", None),
    "INVOICE_DESCRIPTION": ("text", 255), "INVOICE_REFERENCE": ("text", 100), "INVOICE_SERIAL": ("int", None),
    "INVOICE_ARRANGEMENT_DESCRIPTION": ("text", 255), "INVOICE_ARRANGEMENT_TOTALTERMS": ("int", None),
    "INVOICE_ARRANGEMENT_TERM": ("int", None), "INVOICE_ARRANGEMENT_STARTDATE": ("date", None),
    "INVOICE_ARRANGEMENT_DUEDATE": ("date", None), "INVOICE_ARRANGEMENT_CURRENCY": ("currency", 3),
    "INVOICE_ARRANGEMENT_AMOUNT": ("cents", None), "INVOICE_ARRANGEMENT_REMAINING": ("cents", None),
    **{f"INVOICELINES_{i}_{name}": kind for i in (1, 2, 3) for name, kind in (
        ("DESCRIPTION", ("text", 255)), ("UNITS", ("int", None)), ("UNITPRICE", ("cents", None)),
        ("TOTAL", ("cents", None)), ("TAX", ("cents", None)))},
    "EMANDATE_IDENTIFIER": ("text", 35), "EMANDATE_PURCHASEID": ("text", 35), "EMANDATE_REASON": ("text", 70),
    "EMANDATE_DEBTORID": ("text", 35), "EMANDATE_VISIBLEUNTIL": ("date", None),
    "CONTRACT_IDENTIFIER": ("text", 25), "CONTRACT_TYPE": ("text", 100), "CONTRACT_NAME": ("text", 100),
    "CONTRACT_STARTDATE": ("date", None), "CONTRACT_ENDDATE": ("date", None),
    "CONTRACT_CONTACT_FAMILYNAME": ("text", 100), "CONTRACT_CONTACT_GIVENNAME": ("text", 100),
    "CONTRACT_CONTACT_GENDER": ("gender", 1), "CONTRACT_CONTACT_PHONENUMBER": ("phone", 20),
    "CONTRACT_CONTACT_EMAIL": ("email", 100),
    "CONTROL_SUPPLIER": ("text", 100), "CONTROL_FLOWID": ("text", 10),
    "SERVICES_ENRICHMENT": ("boolean", None),
}


@pytest.mark.parametrize("column", sorted(GUIDE_FIELDS))
def test_every_guide_column_has_the_guides_type_and_length(column: str) -> None:
    spec = registry.default().field(column)
    assert (spec.type, spec.max_length) == GUIDE_FIELDS[column]


def test_registry_holds_exactly_the_guides_columns_in_guide_order() -> None:
    assert set(registry.default().columns) == set(GUIDE_FIELDS)
    assert list(registry.default().columns) == list(GUIDE_FIELDS)


def test_repeated_fields_expand_to_three() -> None:
    reg = registry.default()
    assert [f.column for f in reg.expansion("CONTACT_PHONENUMBER_x")] == [
        "CONTACT_PHONENUMBER_1", "CONTACT_PHONENUMBER_2", "CONTACT_PHONENUMBER_3"]
    lines = [f.column for f in reg.by_category("INVOICELINES")]
    assert lines[0] == "INVOICELINES_1_DESCRIPTION" and lines[-1] == "INVOICELINES_3_TAX" and len(lines) == 15


@pytest.mark.parametrize("column, path", [
    ("PERSON_FAMILYNAME", ("person", "familyname")),
    ("CONTACT_PHONENUMBER_2", ("contact", "phonenumber_2")),
    ("INVOICELINES_3_UNITPRICE", ("invoicelines_3", "unitprice")),
    ("INVOICE_ARRANGEMENT_DUEDATE", ("invoice_arrangement", "duedate")),
    ("CONTRACT_CONTACT_EMAIL", ("contract_contact", "email")),
    ("EMANDATE_VISIBLEUNTIL", ("emandate", "visibleuntil")),
])
def test_xml_element_path(column: str, path: tuple[str, str]) -> None:
    reg = registry.default()
    assert reg.xml_path(column) == path
    assert reg.column_for_xml(*path) == column


@pytest.mark.parametrize("api, index, column", [
    ("reference", 1, "IDENTIFICATION_IDENTIFIER"),
    ("script", 1, "CONTROL_FLOWID"),
    ("toPhoneNumbers", 3, "CONTACT_PHONENUMBER_3"),
    ("toMailAddress", 1, "CONTACT_EMAIL_1"),
    ("toMailAddress", 2, None),
    ("invoiceLinesUnitPrices", 2, "INVOICELINES_2_UNITPRICE"),
    ("arrangementEndDate", 1, "INVOICE_ARRANGEMENT_DUEDATE"),
    ("noSuchName", 1, None),
])
def test_api_name_to_column(api: str, index: int, column: str | None) -> None:
    assert registry.default().column_for_api(api, index) == column


def test_api_names_both_ways() -> None:
    reg = registry.default()
    assert reg.api_name("PERSON_BIRTHDAY") == "personBirthDay"
    assert reg.api_name("INVOICE_TAX") is None  # n/a in the matrix
    assert reg.api_name("CONTACT_EMAIL_2") is None  # the API has one toMailAddress


def test_unknown_column_is_a_clear_key_error() -> None:
    with pytest.raises(KeyError, match="'NO_SUCH' is not a field"):
        registry.default().field("NO_SUCH")


def _broken(tmp_path: Path, change: dict, position: int = 0) -> Path:
    document = yaml.safe_load(registry.MATRIX_PATH.read_text(encoding="utf-8"))
    document["fields"][position].update(change)
    path = tmp_path / "matrix.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


@pytest.mark.parametrize("change, message", [
    ({"type": "varchar"}, r"field #1 \(IDENTIFICATION_IDENTIFIER\): type 'varchar' is not one of"),
    ({"max_length": -1}, r"field #1 \(IDENTIFICATION_IDENTIFIER\): max_length must be a positive integer"),
    ({"required": {"voice": True}}, r"field #1 \(IDENTIFICATION_IDENTIFIER\): required must give exactly"),
    ({"category": "PERSON"}, r"field #1 \(IDENTIFICATION_IDENTIFIER\): column must start with its category"),
    ({"repeat": 3}, r"field #1 \(IDENTIFICATION_IDENTIFIER\): repeat must be 1"),
    ({"colour": "red"}, r"field #1 \(IDENTIFICATION_IDENTIFIER\): missing keys \[\], unknown keys \['colour'\]"),
])
def test_broken_entry_is_a_registry_error_naming_it(tmp_path: Path, change: dict, message: str) -> None:
    with pytest.raises(RegistryError, match=message):
        registry.load(_broken(tmp_path, change))


def test_unquoted_yes_is_explained(tmp_path: Path) -> None:
    required = {k: "opt" for k in ("voice", "sms", "mail", "paylink", "emandate", "enrichment")}
    required["sms"] = True  # what bare `yes` becomes in YAML
    with pytest.raises(RegistryError, match=r'"yes" or "opt" \(quoted\)'):
        registry.load(_broken(tmp_path, {"required": required}))


def test_missing_key_and_unreadable_file(tmp_path: Path) -> None:
    path = _broken(tmp_path, {})
    document = yaml.safe_load(path.read_text())
    del document["fields"][3]["type"]
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(RegistryError, match=r"field #4 \(PERSON_GENDER\): missing keys \['type'\]"):
        registry.load(path)
    with pytest.raises(RegistryError, match="cannot load the field registry"):
        registry.load(tmp_path / "absent.yaml")


def test_guide_version_is_recorded() -> None:
    assert "2022-03-04" in registry.default().guide["api"]
    assert "no version" in registry.default().guide["version"]
